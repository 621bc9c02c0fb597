"""Pages: who may edit, the steps error before saving, publishing, fallback marks, bounded queries."""

from __future__ import annotations

import io
import json

import pytest

from programme.curriculum import editing, services
from programme.curriculum.models import CurriculumVersion, SessionPlan
from programme.extensions import db


def _steps_form(minutes, guidance="Guide"):
    data = {}
    for index, value in enumerate(minutes):
        data[f"steps-{index}-kind"] = "enquiry"
        data[f"steps-{index}-minutes"] = str(value)
        data[f"steps-{index}-title"] = ""
        data[f"steps-{index}-guidance"] = guidance
    return data


def test_a_facilitator_reads_but_cannot_edit(client, login_as, make_complete_version):
    version = make_complete_version()
    plan = version.plans[0]
    login_as("facilitator", department_id=version.curriculum.department_id)
    assert client.get(f"/plans/{plan.id}").status_code == 200  # own department's draft
    assert client.get(f"/plans/{plan.id}/edit").status_code == 403
    response = client.post_form(f"/plans/{plan.id}/edit?lang=en", {"title": "Hacked"})
    assert response.status_code == 403
    assert client.post_form(f"/curricula/{version.curriculum_id}/publish").status_code == 403
    db.session.expire_all()
    assert services.plan_title(db.session.get(SessionPlan, plan.id), "en") == "Session 1 (en)"


def test_another_departments_coordinator_cannot_edit_or_see_drafts(client, login_as, make_complete_version):
    version = make_complete_version()
    plan = version.plans[0]
    login_as("coordinator")  # a department of their own
    assert client.get(f"/plans/{plan.id}").status_code == 404
    assert client.get(f"/curricula/{version.curriculum_id}").status_code == 404
    assert client.post_form(f"/plans/{plan.id}/edit?lang=en", {"title": "Hacked"}).status_code == 404
    assert client.post_form(f"/plans/{plan.id}/steps?lang=en", _steps_form([10])).status_code == 404
    assert client.post_form(f"/curricula/{version.curriculum_id}/publish").status_code == 404


def test_another_departments_coordinator_reads_published_but_cannot_edit(
    client, login_as, make_complete_version
):
    version = make_complete_version(status="published")
    login_as("coordinator")
    page = client.get(f"/curricula/{version.curriculum_id}").get_data(as_text=True)
    assert "Course (en)" in page and 'data-testid="start-draft"' not in page
    assert client.post_form(f"/curricula/{version.curriculum_id}/drafts").status_code == 404
    assert client.get(f"/plans/{version.plans[0].id}/steps").status_code == 404


def test_coordinator_creates_a_curriculum_and_a_plan(client, login_as):
    user = login_as("coordinator")
    response = client.post_form(
        "/curricula/new?lang=kk",
        {
            "title": "Бірге ойланайық",
            "summary": "",
            "aims": "",
            "languages": ["kk"],
            "group_size": "12",
            "session_minutes": "90",
            "sessions_count": "3",
            "completion_percent": "75",
            "excused_count_as_attended": "y",
            "department_id": str(user.department_id),
        },
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    curriculum_id = int(response.headers["Location"].split("?")[0].rsplit("/", 1)[1])
    response = client.post_form(
        f"/curricula/{curriculum_id}/plans/new?lang=kk",
        {"title": "Әділдік деген не?", "stimulus_kind": "fable"},
    )
    assert response.status_code == 302
    plan = db.session.execute(db.select(SessionPlan)).scalar_one()
    assert services.plan_title(plan, "kk") == "Әділдік деген не?"
    assert plan.total_minutes <= 90


def test_a_coordinator_cannot_create_for_another_department(client, login_as, make_department):
    login_as("coordinator")
    other = make_department()
    response = client.post_form(
        "/curricula/new?lang=en",
        {
            "title": "T",
            "languages": ["en"],
            "group_size": "12",
            "session_minutes": "90",
            "sessions_count": "3",
            "completion_percent": "75",
            "department_id": str(other.id),
        },
    )
    assert response.status_code == 200  # the choice is not offered: the form refuses it
    assert db.session.execute(db.select(CurriculumVersion)).first() is None


def test_steps_over_the_session_length_show_a_clear_error_and_save_nothing(
    client, login_as, make_complete_version
):
    version = make_complete_version(session_minutes=120)
    plan = version.plans[0]
    before = list(plan.steps)
    login_as("coordinator", department_id=version.curriculum.department_id)
    response = client.post_form(
        f"/plans/{plan.id}/steps?lang=en", {**_steps_form([60, 50, 20]), "version_id": str(plan.version_id)}
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "The steps add up to 130 minutes but a session lasts 120 minutes." in page
    assert "Shorten the steps by 10 minutes in all." in page
    db.session.expire_all()
    assert db.session.get(SessionPlan, plan.id).steps == before
    ok = client.post_form(f"/plans/{plan.id}/steps?lang=en", _steps_form([60, 50, 10]))
    assert ok.status_code == 302
    db.session.expire_all()
    assert db.session.get(SessionPlan, plan.id).total_minutes == 120


def test_the_steps_editor_shows_the_total_and_loads_its_script(client, login_as, make_complete_version):
    version = make_complete_version()
    login_as("admin")
    page = client.get(f"/plans/{version.plans[0].id}/steps?lang=kk").get_data(as_text=True)
    assert 'data-session-minutes="120"' in page and ">90</output>" in page
    assert "/static/js/curriculum.js" in page


def test_publish_lists_missing_fields_then_publishes(client, login_as, make_complete_version):
    version = make_complete_version(languages=("kk", "ru"))
    version.languages = ["kk", "ru", "en"]
    db.session.commit()
    login_as("coordinator", department_id=version.curriculum.department_id)
    refused = client.post_form(f"/curricula/{version.curriculum_id}/publish")
    assert refused.status_code == 422
    page = refused.get_data(as_text=True)
    assert (
        'data-testid="publish-problems"' in page
        and "Curriculum, English: Title, Summary, Aims missing." in page
    )
    editing.update_curriculum(version, {"languages": ["kk", "ru"]}, "kk")
    published = client.post_form(f"/curricula/{version.curriculum_id}/publish")
    assert published.status_code == 302
    db.session.expire_all()
    assert db.session.get(CurriculumVersion, version.id).status == "published"


def test_edit_of_published_starts_a_new_draft_and_keeps_the_published_one(
    client, login_as, make_complete_version
):
    version = make_complete_version(status="published")
    login_as("coordinator", department_id=version.curriculum.department_id)
    assert client.get(f"/curricula/{version.curriculum_id}/edit").status_code == 302  # frozen: sent back
    response = client.post_form(f"/curricula/{version.curriculum_id}/drafts")
    assert response.status_code == 302 and "version=2" in response.headers["Location"]
    draft = db.session.execute(db.select(CurriculumVersion).where(CurriculumVersion.number == 2)).scalar_one()
    client.post_form(
        f"/plans/{draft.plans[0].id}/edit?lang=en", {"title": "New title", "stimulus_kind": "story"}
    )
    old = client.get(f"/plans/{version.plans[0].id}?lang=en").get_data(as_text=True)
    new = client.get(f"/plans/{draft.plans[0].id}?lang=en").get_data(as_text=True)
    assert "Session 1 (en)" in old and "New title" in new
    diff = client.get(f"/plans/{draft.plans[0].id}/diff?against={version.plans[0].id}&lang=en")
    assert "New title" in diff.get_data(as_text=True) and "<del>" in diff.get_data(as_text=True)


def test_readers_see_their_language_or_a_marked_fallback(client, login_as, make_complete_version):
    version = make_complete_version(languages=("ru",), status="published")
    login_as("officer")
    page = client.get(f"/plans/{version.plans[0].id}?lang=kk").get_data(as_text=True)
    assert "Session 1 (ru)" in page
    assert 'data-testid="fallback-mark"' in page and "shown in Русский" in page
    page = client.get(f"/plans/{version.plans[0].id}?lang=ru").get_data(as_text=True)
    assert 'data-testid="fallback-mark"' not in page


def test_reorder_duplicate_and_delete_from_the_curriculum_page(client, login_as, make_complete_version):
    version = make_complete_version(plans=2)
    first, second = version.plans
    login_as("admin")
    assert client.post_form(f"/plans/{second.id}/move", {"direction": "up"}).status_code == 302
    assert client.post_form(f"/plans/{first.id}/duplicate").status_code == 302
    assert client.post_form(f"/plans/{second.id}/delete").status_code == 302
    db.session.expire_all()
    titles = [services.plan_title(p, "en") for p in db.session.get(CurriculumVersion, version.id).plans]
    assert titles == ["Session 1 (en)", "Session 1 (en)"]


def test_clone_and_export_and_import_through_the_pages(client, login_as, make_complete_version):
    version = make_complete_version(status="published")
    user = login_as("coordinator")
    cloned = client.post_form(
        f"/curricula/{version.curriculum_id}/clones", {"department_id": str(user.department_id)}
    )
    assert cloned.status_code == 302
    exported = client.get(f"/curricula/{version.curriculum_id}/export")
    assert exported.mimetype == "application/json"
    document = json.loads(exported.get_data(as_text=True))
    upload = {
        "document": (io.BytesIO(json.dumps(document).encode()), "c.json"),
        "department_id": str(user.department_id),
    }
    assert (
        client.post_form("/curricula/import", upload, content_type="multipart/form-data").status_code == 302
    )
    document["curriculum"]["plans"][0]["steps"] = []
    bad = {
        "document": (io.BytesIO(json.dumps(document).encode()), "c.json"),
        "department_id": str(user.department_id),
    }
    refused = client.post_form("/curricula/import", bad, content_type="multipart/form-data")
    assert refused.status_code == 422
    assert "Session 1: &#34;steps&#34; must be a non-empty list." in refused.get_data(as_text=True)
    count = db.session.execute(db.select(db.func.count(CurriculumVersion.id))).scalar_one()
    assert count == 3  # the original, the clone, the good import


def test_lists_filter_and_show_plans(client, login_as, make_complete_version):
    version = make_complete_version(status="published")
    login_as("evaluator")
    assert "Course (en)" in client.get("/curricula?status=published").get_data(as_text=True)
    assert "Course (en)" not in client.get("/curricula?status=draft").get_data(as_text=True)
    plans = client.get("/plans?concept=justice").get_data(as_text=True)
    assert plans.count('href="/plans/') == len(version.plans)


@pytest.mark.parametrize(
    "url", ["/plans/{plan}", "/curricula/{curriculum}", "/curricula", "/plans", "/plans/{plan}/steps"]
)
def test_pages_use_a_bounded_number_of_queries_whatever_the_size(
    client, login_as, make_complete_version, assert_max_queries, url
):
    login_as("admin")
    counts = []
    small, large = make_complete_version(plans=2), make_complete_version(plans=25)
    for version in (small, large):
        target = url.format(plan=version.plans[-1].id, curriculum=version.curriculum_id)
        client.get(target)  # warm caches (fonts, templates)
        with assert_max_queries(12) as log:
            assert client.get(target).status_code == 200
        counts.append(log.count)
    assert counts[0] == counts[1], counts


def test_plan_navigation_lists_the_versions_plans_in_order_in_the_readers_language(make_complete_version):
    version = make_complete_version(plans=3, languages=("kk", "ru"))
    first, second, third = version.plans
    second.position, third.position = 3, 2  # the navigation follows positions, not ids
    kazakh = next(text for text in first.texts if text.language == "kk")
    kazakh.title = ""  # no Kazakh title: the Russian one stands in
    db.session.commit()
    links = services.sibling_plans(first, "kk")
    assert [link.id for link in links] == [first.id, third.id, second.id]
    assert [link.title for link in links] == ["Session 1 (ru)", "Session 3 (kk)", "Session 2 (kk)"]
    assert [link.title for link in services.sibling_plans(first, "en")][0] == "Session 1 (ru)"


def test_a_plan_page_follows_its_texts_and_escapes_its_title(client, login_as, make_complete_version):
    """The plan is a cached fragment: a change of its texts shows at once; the title is text."""
    version = make_complete_version(languages=("ru",), status="published")
    plan = version.plans[0]
    login_as("officer")
    url = f"/plans/{plan.id}?lang=ru"
    assert "Session 1 (ru)" in client.get(url).get_data(as_text=True)
    assert "Session 1 (ru)" in client.get(url).get_data(as_text=True)  # from the cache
    text = plan.texts[0]
    text.title = "<b>Justice</b> & fairness"
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert "<title>&lt;b&gt;Justice&lt;/b&gt; &amp; fairness" in page
    assert "<b>Justice</b>" not in page and "Session 1 (ru)" not in page
