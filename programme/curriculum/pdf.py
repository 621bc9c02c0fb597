"""Printable documents of a curriculum, in any of its languages (built from programme/reports blocks).

- the facilitator's plan of one session: everything, with a timed sequence of steps;
- the participants' handout: title, question and handout text in large type, no facilitator notes;
- the booklet: the curriculum's texts and every session's facilitator plan.
"""

from __future__ import annotations

from datetime import date

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, PageBreak, Paragraph, Spacer, Table, TableStyle

from programme.curriculum.content import (
    PLAN_TEXT_LABELS,
    STIMULUS_KIND_LABELS,
    Shown,
    concept_list,
    language_label,
    pick,
    step_text,
)
from programme.curriculum.models import CurriculumVersion, SessionPlan
from programme.reports.document import Footer, build_pdf
from programme.reports.styles import RULE, safe, stylesheet


def _footer(version: CurriculumVersion, title: str) -> Footer:
    return Footer(
        title=title,
        detail=_("Version %(n)d", n=version.number) + " · " + format_date(date.today(), "short"),
        page_label=_("Page %(n)d of %(total)d"),
    )


def _fallback_note(shown: Shown) -> list:
    if not shown.is_fallback:
        return []
    note = _("Not yet translated: shown in %(language)s.", language=language_label(shown.language))
    return [Paragraph(safe(note), stylesheet()["Small"])]


def _section(plan: SessionPlan, field: str, language: str, languages) -> list:
    shown = pick(plan.texts, field, language, languages)
    if not shown.value:
        return []
    styles = stylesheet()
    return [
        Paragraph(safe(str(PLAN_TEXT_LABELS[field])), styles["H2"]),
        *_fallback_note(shown),
        Paragraph(safe(shown.value), styles["Body"]),
    ]


def _steps_table(plan: SessionPlan, language: str, languages) -> Table:
    styles = stylesheet()
    rows = [
        [
            Paragraph(safe(_("Time")), styles["TableHead"]),
            Paragraph(safe(_("Minutes")), styles["TableHead"]),
            Paragraph(safe(_("Step and guidance")), styles["TableHead"]),
        ]
    ]
    start = 0
    for step in plan.steps or []:
        minutes = int(step.get("minutes") or 0)
        title = step_text(step, "title", language, languages)
        guidance = step_text(step, "guidance", language, languages)
        cell = f"<b>{safe(title.value)}</b>"
        if guidance.value:
            cell += "<br/>" + safe(guidance.value)
        rows.append(
            [
                Paragraph(f"{start}–{start + minutes}", styles["TableCell"]),
                Paragraph(str(minutes), styles["TableCell"]),
                Paragraph(cell, styles["TableCell"]),
            ]
        )
        start += minutes
    rows.append(
        [
            Paragraph("", styles["TableCell"]),
            Paragraph(f"<b>{start}</b>", styles["TableCell"]),
            Paragraph(safe(_("minutes in all")), styles["TableCell"]),
        ]
    )
    table = Table(rows, colWidths=[22 * mm, 18 * mm, None], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, RULE),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _plan_flowables(plan: SessionPlan, version: CurriculumVersion, language: str) -> list:
    styles = stylesheet()
    languages = version.languages
    title = pick(plan.texts, "title", language, languages)
    curriculum_title = pick(version.texts, "title", language, languages).value
    flowables = [
        Paragraph(safe(f"{plan.position}. {title.value}"), styles["Title"]),
        *_fallback_note(title),
        Paragraph(
            safe(
                _(
                    "%(curriculum)s · session %(n)d · %(minutes)d minutes",
                    curriculum=curriculum_title,
                    n=plan.position,
                    minutes=plan.total_minutes,
                )
            ),
            styles["Subtitle"],
        ),
    ]
    for field in ("question", "aims"):
        flowables += _section(plan, field, language, languages)
    concepts = pick(plan.texts, "concepts", language, languages)
    if concepts.value:
        flowables += [
            Paragraph(safe(str(PLAN_TEXT_LABELS["concepts"])), styles["H2"]),
            Paragraph(safe(", ".join(concept_list(concepts.value))), styles["Body"]),
        ]
    stimulus_title = pick(plan.texts, "stimulus_title", language, languages).value
    kind = str(STIMULUS_KIND_LABELS.get(plan.stimulus_kind, ""))
    flowables.append(Paragraph(safe(_("Stimulus") + f" ({kind}): {stimulus_title}"), styles["H1"]))
    stimulus = pick(plan.texts, "stimulus_text", language, languages)
    flowables += _fallback_note(stimulus)
    flowables += [Paragraph(safe(paragraph), styles["Body"]) for paragraph in stimulus.value.split("\n\n")]
    source = pick(plan.texts, "stimulus_source", language, languages).value
    if source:
        flowables.append(Paragraph(safe(_("Source: %(source)s", source=source)), styles["Small"]))
    # The heading stays with the start of its table rather than alone at the foot of a page.
    flowables.append(
        KeepTogether(
            [
                Paragraph(safe(_("Sequence of the session")), styles["H1"]),
                _steps_table(plan, language, languages),
            ]
        )
    )
    for field in ("follow_up_questions", "safeguarding_notes", "materials"):
        flowables += _section(plan, field, language, languages)
    return flowables


def facilitator_plan_pdf(plan: SessionPlan, language: str) -> bytes:
    version = plan.curriculum_version
    with force_locale(language):
        title = pick(plan.texts, "title", language, version.languages).value
        return build_pdf(_plan_flowables(plan, version, language), _footer(version, title), language=language)


def handout_pdf(plan: SessionPlan, language: str) -> bytes:
    """For participants: large type, the session's question and handout text, nothing else."""
    version = plan.curriculum_version
    styles = stylesheet()
    with force_locale(language):
        title = pick(plan.texts, "title", language, version.languages).value
        question = pick(plan.texts, "question", language, version.languages).value
        handout = pick(plan.texts, "handout_text", language, version.languages).value
        flowables = [Paragraph(safe(title), styles["LargeTitle"])]
        if question:
            flowables.append(Paragraph(f"<b>{safe(question)}</b>", styles["Large"]))
            flowables.append(Spacer(1, 6 * mm))
        flowables += [Paragraph(safe(line), styles["Large"]) for line in handout.splitlines() if line.strip()]
        return build_pdf(flowables, _footer(version, title), language=language)


def booklet_pdf(version: CurriculumVersion, language: str) -> bytes:
    styles = stylesheet()
    languages = version.languages
    with force_locale(language):
        title = pick(version.texts, "title", language, languages)
        flowables = [Paragraph(safe(title.value), styles["Title"]), *_fallback_note(title)]
        flowables.append(
            Paragraph(
                safe(
                    _(
                        "%(sessions)d sessions of %(minutes)d minutes · groups of about %(size)d",
                        sessions=len(version.plans),
                        minutes=version.session_minutes,
                        size=version.group_size,
                    )
                ),
                styles["Subtitle"],
            )
        )
        for field, label in (("summary", _("Summary")), ("aims", _("Aims"))):
            shown = pick(version.texts, field, language, languages)
            if shown.value:
                flowables += [
                    Paragraph(safe(label), styles["H1"]),
                    Paragraph(safe(shown.value), styles["Body"]),
                ]
        flowables.append(Paragraph(safe(_("Sessions")), styles["H1"]))
        for plan in version.plans:
            line = f"{plan.position}. {pick(plan.texts, 'title', language, languages).value}"
            flowables.append(KeepTogether([Paragraph(safe(line), styles["Body"])]))
        for plan in version.plans:
            flowables.append(PageBreak())
            flowables += _plan_flowables(plan, version, language)
        return build_pdf(flowables, _footer(version, title.value), language=language)
