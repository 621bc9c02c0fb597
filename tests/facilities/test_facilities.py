from __future__ import annotations

import re

from flask_babel import force_locale, gettext
from sqlalchemy import select

from programme.audit.models import AuditEvent
from programme.facilities import services
from programme.facilities.models import Facility

FORM = {
    "code": "krg-09",
    "name_kk": "Қарағанды №9 мекемесі",
    "name_ru": "Учреждение №9",
    "name_en": "Facility No. 9",
    "region": "karaganda",
    "security_level": "medium",
    "timezone": "Asia/Almaty",
    "is_active": "y",
}


def test_admin_creates_a_facility(client, login_as, db):
    login_as("admin")
    response = client.post_form("/facilities/new", FORM)
    assert response.status_code == 302
    facility = db.session.execute(select(Facility).where(Facility.code == "KRG-09")).scalar_one()
    assert facility.name_kk == "Қарағанды №9 мекемесі"


def test_facility_change_is_audited_with_old_and_new_values(client, login_as, make_facility, db):
    admin = login_as("admin")
    facility = make_facility(name_ru="Старое название")
    form = {**FORM, "code": facility.code, "name_ru": "Новое название", "version_id": facility.version_id}
    response = client.post_form(f"/facilities/{facility.id}/edit", form)
    assert response.status_code == 302
    event = db.session.execute(
        select(AuditEvent).where(AuditEvent.entity_type == "facility", AuditEvent.action == "update")
    ).scalar_one()
    assert event.entity_id == str(facility.id)
    assert event.actor_id == admin.id
    assert event.changes["name_ru"] == ["Старое название", "Новое название"]
    page = client.get(f"/audit?entity_type=facility&entity_id={facility.id}").get_data(as_text=True)
    assert "Старое название" in page and "Новое название" in page


def test_duplicate_code_is_refused_with_a_translated_message(client, login_as, make_facility, db):
    user = login_as("admin")
    make_facility(code="KRG-09")
    user.locale = "kk"
    db.session.commit()
    response = client.post_form("/facilities/new", FORM)
    assert response.status_code == 200
    english = "Another facility already has this code."
    with force_locale("kk"):
        kazakh = gettext(english)
    assert kazakh != english
    assert kazakh in response.get_data(as_text=True)
    assert (
        db.session.execute(select(Facility).where(Facility.code == "KRG-09")).scalars().all().__len__() == 1
    )


def test_bad_code_characters_are_refused(client, login_as):
    login_as("admin")
    response = client.post_form("/facilities/new", {**FORM, "code": "КРГ 1"})
    assert "Use only Latin letters, digits and hyphens." in response.get_data(as_text=True)


def test_stale_edit_is_refused_with_409(client, login_as, make_facility, db):
    login_as("admin")
    facility = make_facility()
    stale_version = facility.version_id
    services.update_facility(
        facility, {**FORM, "code": facility.code, "name_en": "Changed meanwhile", "is_active": True}
    )
    response = client.post_form(
        f"/facilities/{facility.id}/edit",
        {**FORM, "code": facility.code, "version_id": stale_version},
    )
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Changed by someone else" in page
    assert "Changed meanwhile" in page  # the other person's saved value is shown
    db.session.refresh(facility)
    assert facility.name_en == "Changed meanwhile"


def test_officer_sees_only_their_own_facility(client, login_as, make_facility):
    officer = login_as("officer")
    other = make_facility()
    assert client.get(f"/facilities/{officer.facility_id}").status_code == 200
    assert client.get(f"/facilities/{other.id}").status_code == 404
    listing = client.get("/facilities").get_data(as_text=True)
    assert other.code not in listing


def test_officer_cannot_edit_facilities(client, login_as):
    officer = login_as("officer")
    assert client.get(f"/facilities/{officer.facility_id}/edit").status_code == 403


def test_department_names_are_unique_per_university(db):
    from programme.core.services import ValidationFailed

    services.create_department({"university": "KazNU", "name": "Philosophy", "city": "Almaty"})
    try:
        services.create_department({"university": "KazNU", "name": "Philosophy", "city": "Almaty"})
    except ValidationFailed as failure:
        assert "name" in failure.problems
    else:
        raise AssertionError("duplicate department accepted")


def test_pressing_save_twice_creates_one_department(client, login_as, db):
    from programme.facilities.models import Department

    login_as("admin")
    page = client.get("/departments/new").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    form = {
        "university": "KazNU",
        "name": "Philosophy",
        "city": "Almaty",
        "is_active": "y",
        "submission_token": token,
    }
    first = client.post_form("/departments/new", form)
    second = client.post_form("/departments/new", form)
    assert first.status_code == second.status_code == 302
    assert second.headers["Location"] == "/departments"
    assert len(db.session.execute(select(Department)).scalars().all()) == 1
    follow = client.get("/departments").get_data(as_text=True)
    assert "This form was already saved." in follow


def test_a_refused_form_can_be_sent_again_with_the_same_token(client, login_as, db):
    login_as("admin")
    page = client.get("/facilities/new").get_data(as_text=True)
    token = re.search(r'name="submission_token" type="hidden" value="([^"]+)"', page).group(1)
    refused = client.post_form("/facilities/new", {**FORM, "region": "atlantis", "submission_token": token})
    assert refused.status_code == 200
    accepted = client.post_form("/facilities/new", {**FORM, "submission_token": token})
    assert accepted.status_code == 302
    assert db.session.execute(select(Facility).where(Facility.code == "KRG-09")).scalar_one()
