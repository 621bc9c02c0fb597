"""Writing drafts: settings, plans, steps within the session length, order, duplicates, moves."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from programme.core.services import ValidationFailed
from programme.curriculum import editing, services
from programme.curriculum.models import SessionPlan


def _rows(*minutes):
    return [{"kind": "enquiry", "minutes": str(m), "title": "", "guidance": f"g{m}"} for m in minutes]


def test_a_new_curriculum_is_a_draft_version_one(make_department):
    department = make_department()
    version = editing.create_curriculum(
        department.id,
        {
            "title": "Думаем вместе",
            "languages": ["ru"],
            "session_minutes": 90,
            "sessions_count": 3,
            "group_size": 10,
            "completion_percent": 75,
        },
        "ru",
    )
    assert (version.number, version.status, version.languages) == (1, "draft", ["ru"])
    assert version.texts[0].title == "Думаем вместе"


def test_a_curriculum_needs_a_language_and_sane_numbers(make_department):
    with pytest.raises(ValidationFailed) as refused:
        editing.create_curriculum(
            make_department().id, {"title": "T", "languages": [], "session_minutes": 5}, "en"
        )
    assert set(refused.value.problems) == {"languages", "session_minutes"}


def test_new_plans_get_the_standard_steps_scaled_to_the_session(make_complete_version):
    version = make_complete_version(session_minutes=60)
    plan = editing.create_plan(version, {"title": "New", "stimulus_kind": "fable"}, "en")
    assert plan.position == 4
    assert [step["kind"] for step in plan.steps][:3] == ["check_in", "warm_up", "stimulus"]
    assert 50 <= plan.total_minutes <= 60


def test_steps_longer_than_the_session_are_refused_and_nothing_is_saved(db, make_complete_version):
    version = make_complete_version(session_minutes=120)
    plan = version.plans[0]
    before = list(plan.steps)
    with pytest.raises(ValidationFailed) as refused:
        editing.update_steps(plan, _rows(60, 50, 15), "en")
    message = str(refused.value)
    assert "125 minutes" in message and "120 minutes" in message and "by 5 minutes" in message
    db.session.expire_all()
    assert db.session.get(SessionPlan, plan.id).steps == before


def test_steps_filling_the_session_exactly_are_accepted(make_complete_version):
    plan = make_complete_version(session_minutes=120).plans[0]
    editing.update_steps(plan, _rows(60, 45, 15), "en")
    assert plan.total_minutes == 120


def test_steps_keep_other_languages_and_drop_blank_rows(make_complete_version):
    plan = make_complete_version().plans[0]
    kazakh = plan.steps[0]["texts"]["kk"]["guidance"]
    rows = _rows(10, 20) + [{"kind": "other", "minutes": "", "title": "", "guidance": ""}]
    editing.update_steps(plan, rows, "en")
    assert len(plan.steps) == 2
    assert plan.steps[0]["texts"]["kk"]["guidance"] == kazakh
    assert plan.steps[0]["texts"]["en"]["guidance"] == "g10"


def test_a_step_without_minutes_is_named_in_the_error(make_complete_version):
    plan = make_complete_version().plans[0]
    with pytest.raises(ValidationFailed) as refused:
        editing.update_steps(
            plan, [{"kind": "enquiry", "minutes": "x", "title": "Talk", "guidance": ""}], "en"
        )
    assert "Step 1" in str(refused.value)


def test_the_session_cannot_be_shortened_below_its_plans(make_complete_version):
    version = make_complete_version(session_minutes=120)  # plans take 90 minutes
    with pytest.raises(ValidationFailed) as refused:
        editing.update_curriculum(version, {"session_minutes": 60}, "en")
    assert "session_minutes" in refused.value.problems


def test_plans_move_duplicate_and_delete_with_positions_renumbered(make_complete_version):
    version = make_complete_version(plans=3)
    first, second, third = version.plans
    editing.move_plan(third, "up")
    assert [p.id for p in sorted(version.plans, key=lambda p: p.position)] == [first.id, third.id, second.id]
    copy = editing.duplicate_plan(first)
    assert copy.position == 2 and copy.lineage != first.lineage
    assert {row.title for row in copy.texts} == {row.title for row in first.texts}
    editing.delete_plan(first)
    positions = sorted((p.position, p.id) for p in version.plans)
    assert [p for p, _id in positions] == [1, 2, 3]
    assert positions[0][1] == copy.id


def test_moving_the_first_plan_up_changes_nothing(make_complete_version):
    version = make_complete_version(plans=2)
    first = version.plans[0]
    editing.move_plan(first, "up")
    assert first.position == 1


def test_a_plan_moves_to_another_draft_curriculum(db, make_complete_version):
    source = make_complete_version(plans=3)
    target = make_complete_version(plans=1, department_id=source.curriculum.department_id)
    moving = source.plans[0]
    editing.transfer_plan(moving, target)
    db.session.expire_all()
    assert moving.curriculum_version_id == target.id and moving.position == 2
    assert sorted(p.position for p in source.plans) == [1, 2]


def test_published_versions_are_frozen(make_complete_version):
    version = make_complete_version(status="published")
    with pytest.raises(ValidationFailed):
        editing.update_plan(version.plans[0], {"title": "changed"}, "en")
    with pytest.raises(ValidationFailed):
        editing.update_steps(version.plans[0], _rows(10), "en")
    with pytest.raises(ValidationFailed):
        editing.create_plan(version, {"title": "x"}, "en")


def test_update_plan_writes_one_language_only(db, make_complete_version):
    plan = make_complete_version().plans[0]
    editing.update_plan(plan, {"title": "Әділдік", "stimulus_kind": "fable"}, "kk")
    titles = {row.language: row.title for row in plan.texts}
    assert titles["kk"] == "Әділдік" and titles["ru"] == "Session 1 (ru)"
    assert db.session.execute(select(func.count(SessionPlan.id))).scalar_one() == 3
    assert services.plan_title(plan, "kk") == "Әділдік"
