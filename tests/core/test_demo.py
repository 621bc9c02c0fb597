from sqlalchemy import func, select

from programme.audit.models import AuditEvent
from programme.auth.demo import DEMO_ACCOUNTS, DEMO_PASSWORD
from programme.auth.models import User
from programme.facilities.models import Facility
from tests.conftest import sign_in

SEED_REGIONS = {"abai", "almaty_region", "almaty_city", "karaganda", "turkestan", "east_kazakhstan"}


def _counts(db):
    return (
        db.session.execute(select(func.count(User.id))).scalar_one(),
        db.session.execute(select(func.count(Facility.id))).scalar_one(),
        db.session.execute(select(func.count(AuditEvent.id))).scalar_one(),
    )


def test_seed_demo_is_idempotent(app, db, demo_data):
    first = _counts(db)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code == 0
    assert _counts(db) == first


def test_demo_covers_the_seed_regions_and_every_role(db, demo_data):
    regions = set(db.session.execute(select(Facility.region)).scalars())
    assert SEED_REGIONS <= regions
    roles = set(db.session.execute(select(User.role)).scalars())
    assert roles == {"admin", "coordinator", "facilitator", "officer", "evaluator"}


def test_if_empty_prints_accounts_without_reloading(app, db, demo_data):
    before = _counts(db)
    result = app.test_cli_runner().invoke(args=["seed-demo", "--if-empty"])
    assert "admin@demo.kz" in result.output
    assert _counts(db) == before


def test_every_demo_account_signs_in(app, db, demo_data):
    for email, *_rest in DEMO_ACCOUNTS:
        assert sign_in(app.test_client(), email, DEMO_PASSWORD).status_code == 302, email


def test_demo_is_refused_in_production(app, monkeypatch):
    monkeypatch.setitem(app.config, "DEMO_ALLOWED", False)
    result = app.test_cli_runner().invoke(args=["seed-demo"])
    assert result.exit_code != 0
