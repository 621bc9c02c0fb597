"""CPU time per request of the ordinary pages, in process: a before/after figure that holds on a
busy machine, where wall-clock percentiles swing with other people's load.

    .venv/bin/python bench/request_cpu.py --database sqlite:////tmp/nat.db [--reps 30]

Each page is requested through the Flask test client as its role's demo account (warm-up
first); the CPU time of the process (app, templates and, with SQLite, the database engine)
is reported as median and p95, with the SQL statements per request. With PostgreSQL the
database's own work is not in the figure: use bench/ordinary.py (gunicorn, wall clock) there.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from run import _rules, lookup_ids, pages, percentile  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--reps", type=int, default=30)
    parser.add_argument("--only", default="", help="comma-separated substrings of page names")
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    from programme import create_app
    from programme.auth.demo import DEMO_PASSWORD
    from programme.core.querycount import count_queries
    from programme.extensions import db

    page_list = [p for p in pages(_rules(), lookup_ids(args.database)) if p.kind != "heavy" and p.url]
    page_list = [p for p in page_list if p.method == "GET"]
    if args.only:
        page_list = [
            p for p in page_list if p.kind == "floor" or any(w in p.name for w in args.only.split(","))
        ]
    app = create_app(
        {"SQLALCHEMY_DATABASE_URI": args.database, "SECRET_KEY": "cpu", "WTF_CSRF_ENABLED": False}
    )
    with app.app_context():
        engine = db.engine
    clients = {}
    rows = []
    print(f"{'page':42} {'cpu median':>10} {'cpu p95':>8} {'wall median':>11} {'SQL':>4}")  # noqa: T201
    for page in page_list:
        client = clients.get(page.role)
        if client is None:
            client = clients[page.role] = app.test_client()
            if page.role:
                client.post("/login", data={"email": f"{page.role}@demo.kz", "password": DEMO_PASSWORD})
        for _ in range(3):
            client.get(page.url)
        cpu, wall = [], []
        for _ in range(args.reps):
            c0, w0 = time.process_time(), time.perf_counter()
            with count_queries(engine) as log:
                status = client.get(page.url).status_code
            cpu.append(time.process_time() - c0)
            wall.append(time.perf_counter() - w0)
        row = {
            "name": page.name,
            "cpu_median_ms": round(statistics.median(cpu) * 1000, 1),
            "cpu_p95_ms": round(percentile(cpu, 0.95) * 1000, 1),
            "wall_median_ms": round(statistics.median(wall) * 1000, 1),
            "queries": log.count,
            "status": status,
        }
        rows.append(row)
        print(  # noqa: T201
            f"{page.name:42} {row['cpu_median_ms']:>10} {row['cpu_p95_ms']:>8} {row['wall_median_ms']:>11} "
            f"{row['queries']:>4} {status}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
