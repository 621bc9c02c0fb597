"""Two-factor sign-in with time-based one-time codes (TOTP) and one-time recovery codes."""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
import time

import pyotp
import segno
from flask import current_app
from flask_babel import gettext as _

from programme.audit.services import record
from programme.auth.models import User
from programme.core.services import ValidationFailed, unit_of_work

RECOVERY_CODE_COUNT = 10
TOTP_PERIOD = 30


def is_required_for(user: User) -> bool:
    return user.role in current_app.config["TOTP_REQUIRED_ROLES"]


def new_secret() -> str:
    return pyotp.random_base32()


def provisioning_uri(user: User, secret: str) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=current_app.config["TOTP_ISSUER"])


def qr_svg_data_uri(uri: str) -> str:
    """The provisioning URI as a QR code, an SVG data URI for an <img> (no script, no network)."""
    buffer = io.BytesIO()
    segno.make(uri, error="m").save(buffer, kind="svg", scale=5, border=2)
    return "data:image/svg+xml;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def _hash_code(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").strip().lower().encode("ascii", "ignore")).hexdigest()


def _new_recovery_codes() -> list[str]:
    return [f"{secrets.token_hex(3)}-{secrets.token_hex(3)}" for _ in range(RECOVERY_CODE_COUNT)]


def _matching_step(secret: str, code: str, now: float | None = None) -> int | None:
    """The time step a code belongs to (current one or its neighbours), or None."""
    code = (code or "").strip().replace(" ", "")
    if not code.isdigit() or len(code) != 6:
        return None
    totp = pyotp.TOTP(secret)
    now = now or time.time()
    current = int(now // TOTP_PERIOD)
    for step in (current, current - 1, current + 1):
        if secrets.compare_digest(totp.at(step * TOTP_PERIOD), code):
            return step
    return None


def confirm_enrolment(user: User, secret: str, code: str) -> list[str]:
    """Turn two-factor on once the user proves their app has the secret; returns recovery codes."""
    step = _matching_step(secret, code)
    if step is None:
        raise ValidationFailed.on(
            "code", _("The code does not match. Check the time on your phone and try again.")
        )
    codes = _new_recovery_codes()
    with unit_of_work():
        user.totp_secret = secret
        user.totp_last_step = step
        user.recovery_code_hashes = [_hash_code(c) for c in codes]
        record("two_factor_enabled", "user_account", user.id)
    return codes


def verify(user: User, code: str) -> bool:
    """Accept a current TOTP code (each only once) or an unused recovery code (then spent)."""
    step = _matching_step(user.totp_secret or "", code)
    if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
        user.totp_last_step = step
        return True
    hashed = _hash_code(code or "")
    if hashed in (user.recovery_code_hashes or []):
        user.recovery_code_hashes = [h for h in user.recovery_code_hashes if h != hashed]
        record("recovery_code_used", "user_account", user.id, {"left": len(user.recovery_code_hashes)})
        return True
    return False


def regenerate_recovery_codes(user: User) -> list[str]:
    codes = _new_recovery_codes()
    with unit_of_work():
        user.recovery_code_hashes = [_hash_code(c) for c in codes]
        record("recovery_codes_regenerated", "user_account", user.id)
    return codes


def disable(user: User) -> None:
    """Turn two-factor off (the user for themselves where their role allows, or an admin's reset)."""
    with unit_of_work():
        user.totp_secret = None
        user.totp_last_step = None
        user.recovery_code_hashes = []
        user.session_version += 1
        record("two_factor_disabled", "user_account", user.id)
