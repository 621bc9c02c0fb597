"""Profile one page over the national data: where the time goes (SQL statements and Python).

    .venv/bin/python bench/profile_page.py --url /evaluation --role evaluator \
        --database sqlite:///bench/data/national-2026-1_0.db

Prints the statements by time spent (with how often each ran) and the functions with the most
cumulative time, so a slow page's owner sees whether to add an index, an aggregate or a cache.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import sys
import time
from collections import defaultdict
from pathlib import Path

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def profile(database: str, url: str, role: str, method: str = "GET", top: int = 8, cache: bool = True) -> str:
    from programme import create_app
    from programme.auth.demo import DEMO_PASSWORD
    from programme.extensions import db

    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": database,
            "SECRET_KEY": "profile",
            "WTF_CSRF_ENABLED": False,
            "CACHE_ENABLED": cache,  # --cold: what a request costs after a change
        }
    )
    client = app.test_client()
    client.post("/login", data={"email": f"{role}@demo.kz", "password": DEMO_PASSWORD})
    client.get(url)  # warm: templates, imports
    spent: dict[str, list[float]] = defaultdict(list)
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    def after(conn, cursor, statement, parameters, context, executemany):
        spent[" ".join(statement.split())[:200]].append(
            time.perf_counter() - conn.info["bench_started"].pop()
        )

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    profiler = cProfile.Profile()
    started = time.perf_counter()
    profiler.enable()
    response = client.open(url, method=method)
    profiler.disable()
    total = time.perf_counter() - started
    event.remove(engine, "before_cursor_execute", before)
    event.remove(engine, "after_cursor_execute", after)
    lines = [
        f"{method} {url} as {role}: HTTP {response.status_code}, {total * 1000:.0f} ms, "
        f"{sum(len(v) for v in spent.values())} statements, SQL {sum(map(sum, spent.values())) * 1000:.0f} ms"
    ]
    for statement, times in sorted(spent.items(), key=lambda kv: -sum(kv[1]))[:top]:
        lines.append(f"  {sum(times) * 1000:8.1f} ms  x{len(times):<4} {statement}")
    buffer = io.StringIO()
    pstats.Stats(profiler, stream=buffer).sort_stats("cumulative").print_stats(r"programme/", top)
    lines += [line for line in buffer.getvalue().splitlines() if "programme/" in line][:top]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--url", required=True)
    parser.add_argument("--role", default="evaluator")
    parser.add_argument("--method", default="GET")
    parser.add_argument("--top", type=int, default=8)
    parser.add_argument(
        "--cold", action="store_true", help="figure cache off: the first request after a change"
    )
    args = parser.parse_args()
    print(profile(args.database, args.url, args.role, args.method, args.top, cache=not args.cold))  # noqa: T201 - a CLI tool


if __name__ == "__main__":
    main()
