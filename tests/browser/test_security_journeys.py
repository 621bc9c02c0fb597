"""Two people edit the same facility; the one who saves second gets the 409 page, not a silent overwrite."""

from __future__ import annotations

from sqlalchemy import select

from programme.facilities.models import Facility
from tests.browser.conftest import log_in


def test_a_stale_edit_gets_the_conflict_page(browser, live_server, demo_data, db):
    facility_id = db.session.execute(select(Facility.id).where(Facility.code == "KRG-01")).scalar_one()
    db.session.rollback()
    contexts = [browser.new_context(base_url=live_server, locale="en-GB") for _ in range(2)]
    try:
        first, second = (context.new_page() for context in contexts)
        for page in (first, second):
            page.set_default_timeout(20_000)
            log_in(page, "admin@demo.kz")
            page.goto(f"/facilities/{facility_id}/edit")
        first.fill("#name_en", "Karaganda Facility No. 1 (renamed)")
        first.click("main button[type=submit]")
        first.wait_for_url(f"**/facilities/{facility_id}")
        second.fill("#name_ru", "Учреждение №1 (правка)")
        with second.expect_response(lambda r: r.request.method == "POST") as answer:
            second.click("main button[type=submit]")
        response = answer.value
        assert response.status == 409
        second.wait_for_selector("[data-testid=stale-edit]")
        assert "Karaganda Facility No. 1 (renamed)" in second.inner_text("[data-testid=stale-edit]")
    finally:
        for context in contexts:
            context.close()
    db.session.rollback()  # end this test's read snapshot; read what the server committed
    saved = db.session.get(Facility, facility_id)
    assert saved.name_en == "Karaganda Facility No. 1 (renamed)"
    assert saved.name_ru != "Учреждение №1 (правка)"
