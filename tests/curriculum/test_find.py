"""Who sees which versions, and finding curricula and plans by status, department, language, tag, text."""

from __future__ import annotations

from programme.curriculum import find, services
from programme.curriculum.models import SessionPlanText
from programme.extensions import db


def _found(query) -> set[int]:
    return set(db.session.execute(query).scalars().unique())


def _version_ids(user, **args):
    return {v.id for v in _found(find.find_versions(user, find.Filters.from_args(args)))}


def test_drafts_are_seen_by_their_department_and_admins_only(make_user, make_complete_version):
    draft = make_complete_version()
    published = make_complete_version(status="published")
    department = draft.curriculum.department_id
    assert draft.id in _version_ids(make_user("admin"))
    assert draft.id in _version_ids(make_user("coordinator", department_id=department))
    assert draft.id in _version_ids(make_user("facilitator", department_id=department))
    for outsider in (make_user("coordinator"), make_user("officer"), make_user("evaluator")):
        assert _version_ids(outsider) == {published.id}


def test_filters_by_status_department_and_language(make_user, make_complete_version):
    admin = make_user("admin")
    kazakh = make_complete_version(languages=("kk",))
    russian = make_complete_version(languages=("ru",), status="published")
    assert _version_ids(admin, status="published") == {russian.id}
    assert _version_ids(admin, department=str(kazakh.curriculum.department_id)) == {kazakh.id}
    assert _version_ids(admin, language="kk") == {kazakh.id}
    assert _version_ids(admin, status="nonsense") == {kazakh.id, russian.id}


def test_archived_versions_are_listed_only_when_asked_for(make_user, make_complete_version):
    admin = make_user("admin")
    archived = make_complete_version(status="archived")
    assert archived.id not in _version_ids(admin)
    assert _version_ids(admin, status="archived") == {archived.id}


def test_find_by_concept_tag_and_cyrillic_text(make_user, make_complete_version):
    admin = make_user("admin")
    version = make_complete_version(languages=("ru",))
    other = make_complete_version(languages=("ru",))
    plan = version.plans[1]
    row = plan.texts[0]
    row.concepts = "свобода\nответственность"
    row.stimulus_text = "Кольцо Гига делает человека невидимым."
    db.session.commit()
    assert _version_ids(admin, concept="свобода") == {version.id}
    assert _version_ids(admin, concept="Свобода") == {version.id}
    assert _version_ids(admin, q="кольцо") == {version.id}
    assert _version_ids(admin, q="Session") == {version.id, other.id}
    plans = _found(find.find_plans(admin, find.Filters.from_args({"concept": "ответственность"})))
    assert {p.id for p in plans} == {plan.id}


def test_plan_title_falls_back_to_another_language(make_complete_version):
    plan = make_complete_version(languages=("ru",)).plans[0]
    assert services.plan_title(plan, "ru") == "Session 1 (ru)"
    assert services.plan_title(plan, "kk") == "Session 1 (ru)"
    plan.texts.append(SessionPlanText(language="kk", title="Бірінші сабақ"))
    assert services.plan_title(plan, "kk") == "Бірінші сабақ"


def test_published_versions_of_a_department(make_complete_version):
    published = make_complete_version(status="published")
    department = published.curriculum.department_id
    make_complete_version(department_id=department)  # a draft: not offered
    make_complete_version(status="published")  # another department
    found = services.published_versions(department)
    assert [v.id for v in found] == [published.id]
    assert len(found[0].plans) == 3
