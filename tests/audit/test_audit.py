from __future__ import annotations

from sqlalchemy import select, text, update

from programme.audit.models import AuditEvent
from programme.audit.services import record, verify_chain


def test_creating_a_user_is_audited_without_the_password(make_user, db):
    user = make_user("admin")
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.entity_type == "user_account", AuditEvent.action == "create")
    ).scalar_one()
    assert event.entity_id == str(user.id)
    assert event.changes["password_hash"] == [None, "***"]
    assert user.password_hash not in str(event.changes)


def test_delete_is_audited_with_old_values(make_department, db):
    department = make_department(university="Old University")
    db.session.delete(department)
    db.session.commit()
    event = db.session.execute(select(AuditEvent).where(AuditEvent.action == "delete")).scalar_one()
    assert event.changes["university"] == ["Old University", None]


def test_chain_is_intact_after_ordinary_work(make_user, make_facility, db):
    make_user("officer")
    make_facility()
    record("export", "facility", None, {"rows": 3}, purpose="test")
    db.session.commit()
    report = verify_chain()
    assert report.is_intact
    assert report.checked >= 4


def test_altering_a_row_breaks_the_chain_at_that_row(make_user, make_facility, db):
    make_user("officer")
    make_facility()
    make_facility()
    target = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id).offset(2).limit(1)).scalar_one()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == target).values(actor_label="forger"))
    db.session.commit()
    report = verify_chain()
    assert report.first_broken_id == target


def test_deleting_a_row_breaks_the_chain_after_it(make_facility, db):
    for _ in range(3):
        make_facility()
    ids = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars().all()
    db.session.execute(text("DELETE FROM audit_event WHERE id = :id"), {"id": ids[1]})
    db.session.commit()
    assert verify_chain().first_broken_id == ids[2]


def test_cli_verify_reports_the_broken_row(app, make_facility, db):
    make_facility()
    make_facility()
    runner = app.test_cli_runner()
    assert "intact" in runner.invoke(args=["audit", "verify"]).output
    first = db.session.execute(select(AuditEvent.id).order_by(AuditEvent.id)).scalars().first()
    db.session.execute(update(AuditEvent).where(AuditEvent.id == first).values(purpose="edited"))
    db.session.commit()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"row id {first}" in result.output


def test_audit_log_is_for_admins_only(client, login_as):
    login_as("evaluator")
    assert client.get("/audit").status_code == 403


def test_audit_log_filters_by_action(client, login_as, make_facility):
    login_as("admin")
    make_facility(code="FLT-01")
    page = client.get("/audit?action=login_success").get_data(as_text=True)
    assert "login_success" in page
    assert "FLT-01" not in page


def test_long_lists_are_paginated_keeping_filters(app, client, login_as, make_facility):
    login_as("admin")
    for _ in range(app.config["PER_PAGE"] + 5):
        record("export", "facility", None, {})
    page_one = client.get("/audit?action=export").get_data(as_text=True)
    assert "Page 1 of 2" in page_one
    assert "action=export" in page_one and "page=2" in page_one
    page_two = client.get("/audit?action=export&page=2").get_data(as_text=True)
    assert "Page 2 of 2" in page_two


def test_sign_in_is_attributed_to_the_person_and_adds_no_update_noise(client, make_user, db):
    from tests.conftest import sign_in

    user = make_user("officer")
    sign_in(client, user.email)
    client.post_form("/logout")
    events = db.session.execute(
        select(AuditEvent.action, AuditEvent.actor_label).where(AuditEvent.entity_id == str(user.id))
    ).all()
    assert ("login_success", user.email) in events
    assert ("logout", user.email) in events
    assert "update" not in {action for action, _actor in events}


def test_long_values_are_shortened_in_the_log(client, login_as, make_department):
    login_as("admin")
    make_department(university="U" * 190)
    page = client.get("/audit?entity_type=department").get_data(as_text=True)
    assert "U" * 190 not in page
    assert "U" * 150 in page
