"""The benchmark's floor page and its query-count header."""

from __future__ import annotations

from programme import create_app


def test_floor_page_renders_the_layout_without_sql(client, assert_max_queries):
    with assert_max_queries(0):
        response = client.get("/bench/floor")
    assert response.status_code == 200
    assert b"<nav" in response.data or b"<html" in response.data


def test_query_count_header_only_when_configured(app, client):
    assert "X-Query-Count" not in client.get("/bench/floor").headers
    bench_app = create_app(
        {
            "ENV_NAME": "testing",
            "SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
            "SECRET_KEY": "test-secret-key-not-for-production",
            "BENCH_QUERY_HEADER": True,
        }
    )
    with bench_app.test_client() as bench_client:
        assert bench_client.get("/bench/floor").headers["X-Query-Count"] == "0"
        assert int(bench_client.get("/healthz").headers["X-Query-Count"]) >= 1
