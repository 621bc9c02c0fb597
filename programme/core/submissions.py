"""Once-only form submissions: pressing save twice, or a browser resending a POST, saves once.

A form that creates something carries a random `submission_token` (hidden field, made when the
form is shown). The view wraps its service call in `submit_once(form)`: the token is stored in
the same transaction as the work, under a unique constraint, so a second POST with the same
token, even at the same instant, is recognised and answered with the first result.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, mapped_column
from wtforms import HiddenField

from programme.core.models import created_at_column
from programme.extensions import db


class FormSubmission(db.Model):
    __tablename__ = "form_submission"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(36), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    endpoint: Mapped[str] = mapped_column(String(100))
    result_url: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = created_at_column()


class OnceForm(FlaskForm):
    submission_token = HiddenField(default=lambda: str(uuid.uuid4()))


class AlreadySubmitted(Exception):
    """This form was saved before; `result_url` is where the first save led."""

    def __init__(self, result_url: str):
        self.result_url = result_url
        super().__init__(result_url)


@dataclass
class Claim:
    submission: FormSubmission

    def done(self, result_url: str) -> None:
        """Remember where the first save led, for a repeated submission to be sent there too."""
        self.submission.result_url = result_url[:300]
        db.session.commit()


def _previous(token: str) -> FormSubmission | None:
    return db.session.execute(
        select(FormSubmission).where(FormSubmission.token == token)
    ).scalar_one_or_none()


@contextmanager
def submit_once(form: OnceForm, endpoint: str) -> Iterator[Claim]:
    """Claim the form's token inside the caller's transaction; refuse a token already used."""
    token = (form.submission_token.data or "")[:36]
    try:
        uuid.UUID(token)
    except ValueError:
        token = str(uuid.uuid4())  # a missing or forged token cannot match anything: treat as new
    previous = _previous(token)
    if previous is not None:
        raise AlreadySubmitted(previous.result_url)
    user_id = current_user.id if current_user and current_user.is_authenticated else None
    submission = FormSubmission(token=token, user_id=user_id, endpoint=endpoint)
    db.session.add(submission)
    try:
        yield Claim(submission)
    except IntegrityError:
        db.session.rollback()
        previous = _previous(token)
        if previous is not None:  # the same form was saved a moment ago by a parallel request
            raise AlreadySubmitted(previous.result_url) from None
        raise
    except BaseException:
        # The work was refused (e.g. invalid input): the token stays unused, the form can be sent again.
        if submission in db.session and not submission.id:
            db.session.expunge(submission)
        raise
