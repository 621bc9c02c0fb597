"""Message catalogues, one per domain: translations/<domain>/<lang>/LC_MESSAGES/messages.po.

    python -m programme.core.catalogues update    # extract strings, merge into kk and ru
    python -m programme.core.catalogues compile   # .po -> .mo (done by make run / make test)
    python -m programme.core.catalogues check     # list untranslated or fuzzy messages

One catalogue per domain keeps each domain's strings next to the code that owns them, so that
work on two domains never collides in one huge file.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from programme.config import PROJECT_ROOT

TARGET_LANGUAGES = ("kk", "ru")
TRANSLATIONS = PROJECT_ROOT / "translations"
KEYWORDS = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None, "lazy_ngettext": (1, 2)}
METHOD_MAP = [("**.py", "python"), ("**.html", "jinja2")]
# Shared pages and helpers outside any domain folder belong to the core catalogue.
CORE_FILES = (
    "programme/__init__.py",
    "programme/config.py",
    "templates/base.html",
    "templates/_macros.html",
)


def domains() -> list[str]:
    from programme import DOMAINS

    return list(DOMAINS)


def _sources(domain: str) -> tuple[list[Path], list[Path]]:
    directories = [PROJECT_ROOT / "programme" / domain, PROJECT_ROOT / "templates" / domain]
    files = [PROJECT_ROOT / name for name in CORE_FILES] if domain == "core" else []
    return [d for d in directories if d.exists()], [f for f in files if f.exists()]


def extract(domain: str) -> Catalog:
    catalog = Catalog(project="philosophy-in-prison", charset="utf-8")
    directories, files = _sources(domain)
    found = []
    for directory in directories:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(directory), METHOD_MAP, keywords=KEYWORDS, strip_comment_tags=True
        ):
            found.append((str(directory / filename), lineno, message, comments, context))
    for path in files:
        method = "jinja2" if path.suffix == ".html" else "python"
        for lineno, message, comments, context in extract_from_file(method, str(path), keywords=KEYWORDS):
            found.append((str(path), lineno, message, comments, context))
    for path, lineno, message, comments, context in found:
        relative = str(Path(path).relative_to(PROJECT_ROOT))
        catalog.add(message, None, [(relative, lineno)], auto_comments=comments, context=context)
    return catalog


def _po_path(domain: str, lang: str) -> Path:
    return TRANSLATIONS / domain / lang / "LC_MESSAGES" / "messages.po"


def load(domain: str, lang: str) -> Catalog:
    path = _po_path(domain, lang)
    if not path.exists():
        return Catalog(locale=lang, project="philosophy-in-prison", charset="utf-8")
    with path.open("rb") as handle:
        return read_po(handle, locale=lang)


def update(domain: str) -> None:
    template = extract(domain)
    for lang in TARGET_LANGUAGES:
        catalog = load(domain, lang)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.revision_date = datetime.now(UTC)
        path = _po_path(domain, lang)
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, sort_output=False, omit_header=False, ignore_obsolete=True)


def compile_catalogues(domain: str) -> None:
    for lang in TARGET_LANGUAGES:
        catalog = load(domain, lang)
        path = _po_path(domain, lang).with_suffix(".mo")
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and moved into place: a process starting meanwhile (CI runs two suites
        # at once) reads the old file or the new one, never half of one.
        partial = path.with_name(f"{path.name}.{os.getpid()}.partial")
        with partial.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        os.replace(partial, path)


def problems(domain: str) -> list[str]:
    """Messages used in the code that are missing, untranslated or fuzzy in kk or ru."""
    wanted = extract(domain)
    found = []
    for lang in TARGET_LANGUAGES:
        catalog = load(domain, lang)
        for message in wanted:
            if not message.id:
                continue
            entry = catalog.get(message.id, context=message.context)
            msgid = message.id if isinstance(message.id, str) else message.id[0]
            if entry is None:
                found.append(f"{domain}/{lang}: missing {msgid!r}")
            elif entry.fuzzy:
                found.append(f"{domain}/{lang}: fuzzy {msgid!r}")
            elif not entry.string or (isinstance(entry.string, tuple) and not all(entry.string)):
                found.append(f"{domain}/{lang}: untranslated {msgid!r}")
    return found


def conflicts() -> list[str]:
    """Messages translated differently in two domains' catalogues.

    The app merges every domain's catalogue into one, so a message has exactly one translation
    per language; two different ones would make one domain show the other's wording. Use one
    translation, or a more specific English text where the meanings really differ.
    """
    found = []
    for lang in TARGET_LANGUAGES:
        seen: dict[tuple, dict[str, object]] = {}
        for domain in domains():
            for message in load(domain, lang):
                if message.id and message.string:
                    seen.setdefault((message.id, message.context), {})[domain] = message.string
        for (msgid, _context), by_domain in seen.items():
            if len(set(by_domain.values())) > 1:
                found.append(f"{lang}: {msgid!r} translated differently: {by_domain}")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "compile"
    selected = argv[2:] or domains()
    if command == "update":
        for domain in selected:
            update(domain)
    elif command == "compile":
        for domain in selected:
            compile_catalogues(domain)
    elif command == "check":
        listed = [line for domain in selected for line in problems(domain)] + conflicts()
        for line in listed:
            print(line)  # noqa: T201 - a command-line report
        print(f"{len(listed)} problem(s)")  # noqa: T201
        return 1 if listed else 0
    else:
        print(__doc__)  # noqa: T201
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
