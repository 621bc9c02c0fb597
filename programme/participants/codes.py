"""Study codes: the pseudonym every participant is known by outside their facility.

Eight characters drawn with `secrets` from an alphabet without look-alikes (no I, O, 0, 1),
then one check character (Luhn mod N), so a mistyped character or two swapped neighbours is
caught before anything is looked up. The code carries nothing about the person.
"""

from __future__ import annotations

import secrets

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
BODY_LENGTH = 8
CODE_LENGTH = BODY_LENGTH + 1
_VALUE = {character: index for index, character in enumerate(ALPHABET)}


def check_character(body: str) -> str:
    """The Luhn mod N check character for `body` (characters of ALPHABET)."""
    base = len(ALPHABET)
    factor = 2
    total = 0
    for character in reversed(body):
        addend = factor * _VALUE[character]
        total += addend // base + addend % base
        factor = 1 if factor == 2 else 2
    return ALPHABET[(base - total % base) % base]


def generate_study_code() -> str:
    body = "".join(secrets.choice(ALPHABET) for _ in range(BODY_LENGTH))
    return body + check_character(body)


def normalise_code(typed: str | None) -> str:
    """What a person typed, as stored: upper case, without spaces or hyphens."""
    return "".join(character for character in (typed or "").upper() if character not in " -\t")


def is_valid_code(typed: str | None) -> bool:
    code = normalise_code(typed)
    if len(code) != CODE_LENGTH or any(character not in _VALUE for character in code):
        return False
    return check_character(code[:-1]) == code[-1]


def display_code(code: str) -> str:
    """Grouped for reading aloud and copying by hand: ABCD-EFGH-K."""
    if len(code) != CODE_LENGTH:
        return code
    return f"{code[:4]}-{code[4:8]}-{code[8]}"
