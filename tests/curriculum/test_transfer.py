"""The JSON document: export and import round trip, refusals, the starter curriculum and its command."""

from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import func, select

from programme.core.services import ValidationFailed
from programme.curriculum import services, transfer
from programme.curriculum.models import CONTENT_LANGUAGES, Curriculum, CurriculumVersion
from programme.curriculum.starter import find_starter_version, import_starter, load_starter_document


def _count(model) -> int:
    from programme.extensions import db

    return db.session.execute(select(func.count(model.id))).scalar_one()


def test_the_starter_document_is_valid_and_has_ten_sessions():
    document = load_starter_document()
    assert transfer.document_problems(document) == []
    assert len(document["curriculum"]["plans"]) >= 10


def test_the_starter_is_complete_in_all_three_languages(make_department):
    version = services.load_version_with_plans(import_starter(make_department().id).id)
    assert version.status == "published"
    report = services.completeness(version)
    for language in CONTENT_LANGUAGES:
        assert report.language_is_complete(language), (language, report.curriculum, report.plans)
    assert all(plan.total_minutes <= version.session_minutes for plan in version.plans)


def test_import_starter_is_idempotent(make_department):
    department = make_department()
    first = import_starter(department.id)
    assert import_starter(department.id).id == first.id
    assert find_starter_version(department.id).id == first.id
    assert _count(Curriculum) == 1


def test_export_then_import_gives_the_same_curriculum(make_complete_version, make_department):
    source = services.load_version_with_plans(make_complete_version(status="published").id)
    document = json.loads(transfer.export_json(source))
    assert document["format"] == "pip-curriculum/1"
    copy_version = transfer.import_document(document, make_department().id)
    assert copy_version.status == "draft"
    again = transfer.export_document(services.load_version_with_plans(copy_version.id))
    assert again == document


def test_a_bad_document_is_refused_whole_with_every_problem(make_complete_version, make_department):
    document = transfer.export_document(services.load_version_with_plans(make_complete_version().id))
    bad = copy.deepcopy(document)
    bad["curriculum"]["plans"][0]["texts"]["kk"]["question"] = ""
    bad["curriculum"]["plans"][1]["steps"][0]["minutes"] = 500
    bad["curriculum"]["plans"][2]["stimulus_kind"] = "song"
    bad["curriculum"]["texts"].pop("ru")
    before = (_count(Curriculum), _count(CurriculumVersion))
    with pytest.raises(ValidationFailed) as refused:
        transfer.import_document(bad, make_department().id)
    problems = refused.value.problems[""]
    assert any("Session 1, Kazakh" in p and "question" in p for p in problems)
    assert any("Session 2" in p and "more than the session" in p for p in problems)
    assert any("Session 3: unknown kind of stimulus" in p for p in problems)
    assert any("Curriculum: no text in Russian" in p for p in problems)
    assert (_count(Curriculum), _count(CurriculumVersion)) == before


@pytest.mark.parametrize(
    "raw",
    [b"not json", b"[1, 2]", b'{"format": "other"}', json.dumps({"format": "pip-curriculum/1"}).encode()],
)
def test_malformed_files_are_refused_with_a_reason(raw, make_department):
    with pytest.raises(ValidationFailed) as refused:
        transfer.import_document(transfer.parse_document(raw), make_department().id)
    assert refused.value.problems[""]


def test_cli_import_starter(app, make_department):
    department = make_department()
    result = app.test_cli_runner().invoke(
        args=["curriculum", "import-starter", "--department", str(department.id)]
    )
    assert result.exit_code == 0, result.output
    assert "version 1 (published)" in result.output
    missing = app.test_cli_runner().invoke(args=["curriculum", "import-starter", "--department", "999999"])
    assert missing.exit_code != 0 and "no department" in missing.output


def test_cli_import_refuses_a_bad_file(app, tmp_path, make_department):
    path = tmp_path / "bad.json"
    path.write_text('{"format": "pip-curriculum/1", "curriculum": {}}', encoding="utf-8")
    result = app.test_cli_runner().invoke(
        args=["curriculum", "import", str(path), "--department", str(make_department().id)]
    )
    assert result.exit_code != 0 and "refused" in result.output
    assert _count(Curriculum) == 0


def test_the_demo_data_publishes_the_starter_for_every_department(demo_data):
    from programme.extensions import db
    from programme.facilities.models import Department

    departments = db.session.execute(select(Department.id)).scalars().all()
    assert departments
    for department_id in departments:
        version = find_starter_version(department_id)
        assert version is not None and version.status == "published"
        assert len(version.plans) >= 10
