"""Time the ordinary pages of one database, for before/after comparisons while tuning.

    .venv/bin/python bench/ordinary.py --database sqlite:////tmp/nat.db [--reps 60] [--json out.json]

The same pages, server (gunicorn -w 2), warm-up and percentile as `make bench`, without the
loading, the heavy pages and the mixed workload: one engine, one size, a minute or two.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import DATA, ROLES, Server, _rules, log, lookup_ids, measure, pages, percentile, sign_in  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", required=True)
    parser.add_argument("--reps", type=int, default=60)
    parser.add_argument("--only", default="", help="comma-separated substrings of page names")
    parser.add_argument("--json", default="")
    args = parser.parse_args(argv)
    page_list = [p for p in pages(_rules(), lookup_ids(args.database)) if p.kind != "heavy" and p.url]
    if args.only:
        wanted = args.only.split(",")
        page_list = [p for p in page_list if p.kind == "floor" or any(w in p.name for w in wanted)]
    (DATA / "access-ordinary.log").unlink(missing_ok=True)
    server = Server(args.database, "ordinary")
    try:
        clients = {role: sign_in(server.base, role) for role in ROLES}
        for page in page_list:
            measure(server, clients, page, reps=args.reps, budget=30)
    finally:
        server.stop()
    floor = percentile(page_list[0].samples, 0.95) * 1000
    rows = []
    log(f"{'page':42} {'n':>3} {'median':>7} {'p95':>7} {'x floor':>7} {'server':>7} {'SQL':>4}")
    for page in page_list:
        p95 = percentile(page.samples, 0.95) * 1000
        median = statistics.median(page.samples) * 1000
        queries = max(page.queries) if page.queries else None
        server = percentile(page.server_samples, 0.95) * 1000 if page.server_samples else None
        rows.append(
            {
                "name": page.name,
                "median_ms": round(median, 1),
                "p95_ms": round(p95, 1),
                "server_p95_ms": round(server, 1) if server is not None else None,
                "queries": queries,
                "statuses": sorted(set(page.statuses)),
            }
        )
        log(
            f"{page.name:42} {len(page.samples):>3} {median:>7.1f} {p95:>7.1f} {p95 / floor:>7.1f} "
            f"{server if server is not None else float('nan'):>7.1f} "
            f"{queries if queries is not None else '-':>4} {sorted(set(page.statuses))}"
        )
    if args.json:
        Path(args.json).write_text(json.dumps(rows, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
