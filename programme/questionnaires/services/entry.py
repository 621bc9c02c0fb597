"""Entering answers: typed from paper (with optional blind double entry) or given on a kiosk.

Every answer is checked before anything is written; a refusal leaves nothing behind. A person
without consent, not in the cohort, or answering outside the administration's window is refused
with a message saying which.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from programme.core.services import ValidationFailed, unit_of_work
from programme.extensions import db
from programme.participants.models import Consent, Enrolment, Participant
from programme.questionnaires.models import Administration, Answer, InstrumentItem, Response
from programme.questionnaires.services.administrations import EXPECTED_ENROLMENT
from programme.questionnaires.services.definitions import choice_list_named
from programme.questionnaires.services.scores import store_scores

MISSING_TOKENS = {"m": "missing", "-": "missing", "r": "refused"}
MAX_TEXT_ANSWER = 2000


@contextmanager
def saving_once() -> Iterator[None]:
    """One transaction; if someone else saved the same form at the same moment, say so."""
    try:
        with unit_of_work():
            yield
    except (IntegrityError, StaleDataError):
        raise ValidationFailed.on(
            "participant_code", _("Someone else saved this form at the same moment: reload and check.")
        ) from None


@dataclass(frozen=True)
class Parsed:
    value_number: float | None = None
    value_text: str | None = None
    missing_code: str | None = None

    def same_as(self, other: Parsed) -> bool:
        return (self.value_number, self.value_text, self.missing_code) == (
            other.value_number,
            other.value_text,
            other.missing_code,
        )


def field_name(item: InstrumentItem) -> str:
    return f"item-{item.code}"


def choices_of(item: InstrumentItem) -> list[dict]:
    definition = {"choice_lists": item.instrument.choice_lists}
    choice_list = choice_list_named(definition, item.choice_list)
    return choice_list["choices"] if choice_list else []


def parse_answer(item: InstrumentItem, raw: str | None, blank_is_missing: bool = False) -> Parsed:
    """One typed answer. Likert: the scale point; single choice: the choice's number (1, 2, ...);
    m or - for missing, r for refused. Raises ValueError with a message saying how to fix it."""
    token = (raw or "").strip()
    if not token:
        if blank_is_missing or item.item_type == "text":
            return Parsed(missing_code="missing")
        raise ValueError(_("No answer: type the answer, m for missing or r for refused."))
    if token.lower() in MISSING_TOKENS:
        return Parsed(missing_code=MISSING_TOKENS[token.lower()])
    if item.item_type == "likert":
        low, high = int(item.min_value), int(item.max_value)
        if not token.lstrip("-").isdigit() or not low <= int(token) <= high:
            raise ValueError(
                _(
                    "%(value)s is out of range: type a number from %(low)d to %(high)d.",
                    value=token,
                    low=low,
                    high=high,
                )
            )
        return Parsed(value_number=float(int(token)))
    if item.item_type == "single_choice":
        choices = choices_of(item)
        if not token.isdigit() or not 1 <= int(token) <= len(choices):
            raise ValueError(
                _(
                    "%(value)s is not one of the choices: type a number from 1 to %(n)d.",
                    value=token,
                    n=len(choices),
                )
            )
        return Parsed(value_text=str(choices[int(token) - 1]["value"]))
    if item.item_type == "number":
        try:
            number = float(token.replace(",", "."))
        except ValueError:
            raise ValueError(_("%(value)s is not a number.", value=token)) from None
        if (item.min_value is not None and number < item.min_value) or (
            item.max_value is not None and number > item.max_value
        ):
            low = "…" if item.min_value is None else format(item.min_value, "g")
            high = "…" if item.max_value is None else format(item.max_value, "g")
            raise ValueError(
                _(
                    "%(value)s is out of range: type a number from %(low)s to %(high)s.",
                    value=token,
                    low=low,
                    high=high,
                )
            )
        return Parsed(value_number=number)
    if len(token) > MAX_TEXT_ANSWER:
        raise ValueError(_("The answer is too long (at most 2000 characters)."))
    return Parsed(value_text=token)


def token_of(item: InstrumentItem, answer: Answer | Parsed | None) -> str:
    """The typed form of a stored answer (for showing mismatches and what was entered)."""
    if answer is None:
        return ""
    if answer.missing_code:
        return "m" if answer.missing_code == "missing" else "r"
    if item.item_type == "single_choice":
        values = [str(choice["value"]) for choice in choices_of(item)]
        return str(values.index(answer.value_text) + 1) if answer.value_text in values else "?"
    if answer.value_number is not None:
        return f"{answer.value_number:g}"
    return answer.value_text or ""


def parse_all(items: list[InstrumentItem], raw: dict, blank_is_missing: bool = False) -> dict[int, Parsed]:
    parsed: dict[int, Parsed] = {}
    problems: dict[str, list[str]] = {}
    for item in items:
        try:
            parsed[item.id] = parse_answer(item, raw.get(field_name(item)), blank_is_missing)
        except ValueError as error:
            problems[field_name(item)] = [_("Item %(code)s: %(problem)s", code=item.code, problem=str(error))]
    if problems:
        raise ValidationFailed(problems)
    return parsed


def local_today(administration: Administration) -> date:
    zone = ZoneInfo(administration.cohort.facility.timezone or "Asia/Almaty")
    return datetime.now(UTC).astimezone(zone).date()


def find_in_cohort(administration: Administration, code: str) -> Participant:
    participant = db.session.execute(
        select(Participant)
        .join(Enrolment, Enrolment.participant_id == Participant.id)
        .where(
            Enrolment.cohort_id == administration.cohort_id,
            func.upper(Participant.study_code) == (code or "").strip().upper(),
        )
    ).scalar_one_or_none()
    if participant is None:
        raise ValidationFailed.on(
            "participant_code",
            _("Nobody with the code %(code)s is in this cohort.", code=(code or "").strip()),
        )
    return participant


def check_can_answer(administration: Administration, participant: Participant, answered_on: date) -> None:
    """Refuse, clearly, a person without consent, not (or no longer) enrolled, or a date outside
    the administration's window."""
    consenting = db.session.execute(
        select(Consent.id).where(Consent.participant_id == participant.id, Consent.withdrawn_on.is_(None))
    ).first()
    if not consenting:
        raise ValidationFailed.on(
            "participant_code",
            _(
                "%(code)s has no consent on record (or withdrew it): no answers can be entered.",
                code=participant.study_code,
            ),
        )
    enrolment_status = db.session.execute(
        select(Enrolment.status).where(
            Enrolment.participant_id == participant.id, Enrolment.cohort_id == administration.cohort_id
        )
    ).scalar_one_or_none()
    if enrolment_status not in EXPECTED_ENROLMENT:
        raise ValidationFailed.on(
            "participant_code",
            _(
                "%(code)s is not enrolled in this cohort: no answers can be entered.",
                code=participant.study_code,
            ),
        )
    if not administration.opens_on <= answered_on <= administration.closes_on:
        raise ValidationFailed.on(
            "answered_on",
            _(
                "%(day)s is outside the window (%(opens)s to %(closes)s): answers are refused.",
                day=format_date(answered_on),
                opens=format_date(administration.opens_on),
                closes=format_date(administration.closes_on),
            ),
        )


def existing_response(administration: Administration, participant: Participant) -> Response | None:
    return db.session.execute(
        select(Response).where(
            Response.administration_id == administration.id, Response.participant_id == participant.id
        )
    ).scalar_one_or_none()


def _answers(parsed: dict[int, Parsed], entry: int) -> list[Answer]:
    return [
        Answer(
            item_id=item_id,
            entry=entry,
            value_number=answer.value_number,
            value_text=answer.value_text,
            missing_code=answer.missing_code,
        )
        for item_id, answer in parsed.items()
    ]


@dataclass(frozen=True)
class EntryResult:
    response: Response
    outcome: str  # complete, awaiting_second_entry or mismatch
    participant: Participant


def enter_paper_form(
    user, administration: Administration, participant_code: str, answered_on: date, language: str, raw: dict
) -> EntryResult:
    """Save one paper form typed by `user`. With double entry on, the first typing waits for a
    second one by someone else, typed blind; that second typing is compared item by item."""
    participant = find_in_cohort(administration, participant_code)
    if answered_on > local_today(administration):
        raise ValidationFailed.on("answered_on", _("The date on the form cannot be in the future."))
    check_can_answer(administration, participant, answered_on)
    items = list(administration.instrument.items)
    response = existing_response(administration, participant)
    if response is not None and response.status != "awaiting_second_entry":
        raise ValidationFailed.on(
            "participant_code",
            _("The form of %(code)s is already entered.", code=participant.study_code)
            if response.status == "complete"
            else _("The two entries of %(code)s differ: resolve them first.", code=participant.study_code),
        )
    parsed = parse_all(items, raw)
    if response is not None:
        return _second_entry(user, response, participant, answered_on, parsed)
    with saving_once():
        double = administration.requires_double_entry
        response = Response(
            administration_id=administration.id,
            participant_id=participant.id,
            status="awaiting_second_entry" if double else "complete",
            mode="paper",
            language=language,
            answered_on=answered_on,
            entered_by_id=user.id,
            completed_at=None if double else datetime.now(UTC),
        )
        response.answers.extend(_answers(parsed, 1))
        db.session.add(response)
        db.session.flush()
        response.administration = administration
        store_scores(response)
    return EntryResult(response, response.status, participant)


def _second_entry(user, response: Response, participant, answered_on: date, parsed) -> EntryResult:
    if response.entered_by_id == user.id:
        raise ValidationFailed.on(
            "participant_code",
            _(
                "You typed the first entry of %(code)s: the second must be typed by someone else.",
                code=participant.study_code,
            ),
        )
    first = {answer.item_id: answer for answer in response.answers if answer.entry == 1}
    differs = [
        item_id
        for item_id, answer in parsed.items()
        if item_id not in first or not answer.same_as(_parsed_of(first[item_id]))
    ]
    with saving_once():
        response.answers.extend(_answers(parsed, 2))
        response.second_entered_by_id = user.id
        response.status = "mismatch" if differs else "complete"
        if not differs:
            response.completed_at = datetime.now(UTC)
        store_scores(response)
    return EntryResult(response, response.status, participant)


def _parsed_of(answer: Answer) -> Parsed:
    return Parsed(answer.value_number, answer.value_text, answer.missing_code)


@dataclass(frozen=True)
class Mismatch:
    item: InstrumentItem
    first: str
    second: str


def mismatches(response: Response) -> list[Mismatch]:
    items = {item.id: item for item in response.administration.instrument.items}
    by_entry: dict[int, dict[int, Answer]] = {1: {}, 2: {}}
    for answer in response.answers:
        by_entry[answer.entry][answer.item_id] = answer
    found = []
    for item_id, item in sorted(items.items(), key=lambda pair: pair[1].position):
        first, second = by_entry[1].get(item_id), by_entry[2].get(item_id)
        if first is None or second is None or not _parsed_of(first).same_as(_parsed_of(second)):
            found.append(Mismatch(item, token_of(item, first), token_of(item, second)))
    return found


def resolve_mismatches(user, response: Response, raw: dict) -> Response:
    """Settle every differing item at once (checked like any entry); the first entry takes the
    settled values, the second stays as typed, and the response counts from now on."""
    if response.status != "mismatch":
        raise ValidationFailed(_("This response has no differences to resolve."))
    differing = mismatches(response)
    parsed = parse_all([m.item for m in differing], raw)
    first = {answer.item_id: answer for answer in response.answers if answer.entry == 1}
    with saving_once():
        for item_id, answer in parsed.items():
            stored = first.get(item_id)
            if stored is None:
                stored = Answer(item_id=item_id, entry=1)
                response.answers.append(stored)
            stored.value_number = answer.value_number
            stored.value_text = answer.value_text
            stored.missing_code = answer.missing_code
        response.status = "complete"
        response.completed_at = datetime.now(UTC)
        store_scores(response)
    return response


def submit_kiosk_answers(
    user, administration: Administration, participant_id: int, language: str, raw: dict
) -> Response:
    """A participant's own answers on the supervised tablet: skipped items count as missing."""
    participant = db.session.get(Participant, participant_id)
    if participant is None:
        raise ValidationFailed(_("Choose your name or code again."))
    check_can_answer(administration, participant, local_today(administration))
    if existing_response(administration, participant) is not None:
        raise ValidationFailed(_("These answers were already given."))
    parsed = parse_all(list(administration.instrument.items), raw, blank_is_missing=True)
    with saving_once():
        response = Response(
            administration_id=administration.id,
            participant_id=participant.id,
            status="complete",
            mode="kiosk",
            language=language,
            answered_on=local_today(administration),
            entered_by_id=user.id,  # the supervising facilitator
            completed_at=datetime.now(UTC),
        )
        response.answers.extend(_answers(parsed, 1))
        db.session.add(response)
        db.session.flush()
        response.administration = administration
        store_scores(response)
    return response
