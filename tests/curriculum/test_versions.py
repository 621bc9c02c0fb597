"""Publishing, new drafts from published versions, archiving, clones and differences."""

from __future__ import annotations

import pytest

from programme.core.services import ValidationFailed
from programme.curriculum import editing, services, versions
from programme.curriculum.models import SessionPlan, SessionPlanText


def test_publishing_needs_the_declared_languages_and_lists_missing_fields(db, make_complete_version):
    version = make_complete_version(languages=("kk", "ru"))
    version.languages = ["kk", "ru", "en"]
    ru_text = next(row for row in version.plans[1].texts if row.language == "ru")
    ru_text.handout_text = ""
    db.session.commit()
    problems = versions.publish_problems(version)
    assert any("Curriculum, English" in problem for problem in problems)
    assert any(
        problem.startswith("Session 2") and "Russian" in problem and "handout" in problem
        for problem in problems
    )
    with pytest.raises(ValidationFailed):
        versions.publish(version, None)
    assert version.status == "draft"


def test_a_complete_version_publishes_in_its_declared_languages_only(make_complete_version):
    version = make_complete_version(languages=("kk",))
    versions.publish(version, None)
    assert version.status == "published" and version.published_at is not None


def test_sessions_count_must_match_the_plans(db, make_complete_version):
    version = make_complete_version(plans=2)
    version.sessions_count = 3
    db.session.commit()
    assert any("3 sessions but it has 2 plans" in p for p in versions.publish_problems(version))


def test_editing_a_published_version_works_on_a_new_draft_with_the_same_lineage(db, make_complete_version):
    published = make_complete_version(status="published")
    draft = versions.start_draft(published.curriculum)
    assert (draft.number, draft.status) == (2, "draft")
    assert [p.lineage for p in draft.plans] == [p.lineage for p in published.plans]
    assert {p.id for p in draft.plans}.isdisjoint({p.id for p in published.plans})
    assert versions.start_draft(published.curriculum).id == draft.id  # one draft at a time
    editing.update_plan(draft.plans[0], {"title": "Changed"}, "en")
    db.session.expire_all()
    old_titles = [row.title for row in published.plans[0].texts if row.language == "en"]
    assert old_titles == ["Session 1 (en)"]


def test_sessions_keep_pointing_at_the_plans_of_the_version_they_used(db, make_cohort, make_session):
    cohort = make_cohort()
    session = make_session(cohort, 1)
    old_version = cohort.curriculum_version
    old_plan_id = session.plan_id
    draft = versions.start_draft(old_version.curriculum)
    draft.plans[0].texts[0].title = "Rewritten"
    draft.sessions_count = len(draft.plans)
    db.session.commit()
    version = services.load_version_with_plans(draft.id)
    for plan in version.plans:  # the factory's plans are not complete: complete them
        for row in plan.texts:
            for name in (
                "question",
                "aims",
                "stimulus_title",
                "stimulus_text",
                "follow_up_questions",
                "handout_text",
            ):
                setattr(row, name, name)
        plan.steps = [
            {"kind": "enquiry", "minutes": 90, "texts": {c: {"guidance": "g"} for c in ("kk", "ru", "en")}}
        ]
    for row in version.texts:
        row.summary, row.aims = "s", "a"
    db.session.commit()
    versions.publish(version, None)
    db.session.expire_all()
    assert old_version.status == "archived"
    assert session.plan_id == old_plan_id
    assert db.session.get(SessionPlan, old_plan_id).curriculum_version_id == old_version.id


def test_archiving_withdraws_the_published_version(make_complete_version):
    version = make_complete_version(status="published")
    versions.archive(version.curriculum)
    assert version.status == "archived"
    with pytest.raises(ValidationFailed):
        versions.archive(version.curriculum)


def test_a_clone_is_a_new_draft_curriculum_for_another_department(make_complete_version, make_department):
    source = make_complete_version(status="published")
    other = make_department()
    copy = versions.clone(source, other.id)
    assert copy.curriculum.department_id == other.id
    assert copy.curriculum.cloned_from_id == source.curriculum_id
    assert (copy.number, copy.status, len(copy.plans)) == (1, "draft", 3)
    assert not {p.lineage for p in copy.plans} & {p.lineage for p in source.plans}


def test_the_differences_of_two_versions_of_a_plan(db, make_complete_version):
    published = make_complete_version(status="published")
    draft = versions.start_draft(published.curriculum)
    editing.update_plan(draft.plans[0], {"question": "What is fairness? (en)\nA second line"}, "en")
    editing.update_steps(
        draft.plans[0],
        [{"kind": "enquiry", "minutes": "100", "title": "Long talk", "guidance": "Talk (en)"}],
        "en",
    )
    changes = versions.diff_plans(published.plans[0], draft.plans[0], "en")
    by_label = {change.label: change.lines for change in changes}
    assert ("removed", "What is justice? (en)") in by_label["Philosophical question or theme"]
    assert ("added", "A second line") in by_label["Philosophical question or theme"]
    assert any(kind == "added" and "Long talk (100 min)" in line for kind, line in by_label["Steps"])
    assert "Title" not in by_label


def test_completeness_is_reported_per_language(db, make_complete_version):
    version = make_complete_version(languages=("ru", "en"))
    plan = version.plans[0]
    plan.texts.append(SessionPlanText(language="kk", title="Тек тақырып"))
    db.session.commit()
    report = services.completeness(services.load_version_with_plans(version.id))
    assert report.plan_is_complete(plan.id, "ru")
    assert not report.plan_is_complete(plan.id, "kk")
    assert "Stimulus" in report.plans[plan.id]["kk"]
    assert report.language_is_complete("en") and not report.language_is_complete("kk")
