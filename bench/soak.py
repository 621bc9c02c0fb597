"""The soak test: `make soak` (SOAK_MINUTES, default 10; SOAK_ENGINES, default "sqlite postgresql").

For each engine it loads the national data at 1/16 (through bench/run.py's `prepare`, kept and
reused like the benchmark's), serves the app with gunicorn (2 workers) on 127.0.0.1 and runs a
mixed read/write workload with locust headless for the given time: every role's dashboard, the
participant list, the register page and its save (each save changes the marks), the questionnaire
entry page, the facilitator's calendar, the session plan, the cohort page, the evaluation
comparison and survey pages. Every ~10 s it samples the resident memory (VmRSS) of the gunicorn
master and workers. It prints per engine the requests, errors, p95 per minute and the memory at
start, end and peak with a verdict on growth, checks the audit trail's hash chain after the
load (every save and print was audited by concurrent workers), and writes bench/soak-results.json.

Memory verdict: after the first minute (warm-up), the mean of the workers' RSS over the last
third of the run against the first third's; pass when it grew by less than 20 % and the growth is
flattening (the last third's slope, MB per minute, is at most half the first third's, or under
1 MB/min).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import run  # noqa: E402 - bench/ is not a package: the benchmark's pieces are reused, not copied
from run import BIN, DATA, PASSWORD, ROOT, Server, locust_command, log, percentile, server_errors  # noqa: E402

RESULTS = ROOT / "bench" / "soak-results.json"
FRACTION = 0.0625  # national 1/16: loads in about a minute, big enough to be realistic
SAMPLE_SECONDS = 10
WARMUP_SECONDS = 60
GROWTH_LIMIT = 0.20
SOAK_PAGES = {  # run.pages() names taken into the soak workload
    "dashboard (admin)",
    "dashboard (coordinator)",
    "dashboard (facilitator)",
    "dashboard (officer)",
    "dashboard (evaluator)",
    "curriculum plan page",
    "cohort page",
    "facilitator month calendar",
    "survey table",
    "participant list, page 2",
    "participant list, searched",
    "register GET (40 people)",
    "evaluation comparison",
}


def entry_url(url: str, rules) -> str | None:
    """The paper entry page of the first department's first questionnaire administration."""
    from sqlalchemy import create_engine, text

    with create_engine(url).connect() as connection:
        administration = connection.execute(
            text(
                "SELECT MIN(a.id) FROM administration a JOIN cohort c ON c.id = a.cohort_id "
                "WHERE c.department_id = (SELECT MIN(id) FROM department)"
            )
        ).scalar()
    rule = run._find(rules, "questionnaires.enter_responses")
    if administration is None or rule is None:
        return None
    return rule.replace("<int:administration_id>", str(administration))


def workload(url: str, rules) -> list[dict]:
    """The locust targets: reads per role, and the register save as the write."""
    page_list = run.pages(rules, run.lookup_ids(url))
    targets = [
        {"role": p.role, "url": p.url} for p in page_list if p.name in SOAK_PAGES and p.url is not None
    ]
    register = next(p for p in page_list if p.name == "register POST (40 people)")
    if register.url:
        targets.append(
            {
                "role": register.role,
                "method": "POST",
                "url": register.url,
                "form_page": register.form_page,
                "flip": r"^status-\d+$",
                "values": ["present", "late"],
            }
        )
    entry = entry_url(url, rules)
    if entry:
        targets.append({"role": "coordinator", "url": entry})
    return targets


def rss_mb(server: Server) -> dict:
    """Resident memory of the master and of each worker (MB)."""
    found = {}
    for pid in [server.process.pid, *server.workers()]:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
        except OSError:
            continue
        match = re.search(r"VmRSS:\s+(\d+) kB", status)
        if match:
            found[pid] = round(int(match.group(1)) / 1024, 1)
    master = found.pop(server.process.pid, None)
    workers = sorted(found.values())
    return {"master_mb": master, "workers_mb": workers, "total_mb": round(sum(workers), 1)}


def slope_mb_per_minute(points: list[tuple[float, float]]) -> float:
    if len(points) < 2:
        return 0.0
    return round(statistics.linear_regression([t / 60 for t, _ in points], [m for _, m in points]).slope, 2)


def memory_verdict(memory: list[dict]) -> dict:
    points = [(m["second"], m["total_mb"]) for m in memory if m["total_mb"]]
    # The first minute is warm-up (imports, templates, caches filled once): the thirds are taken
    # after it when the run is long enough to have one.
    settled = [p for p in points if p[0] >= WARMUP_SECONDS] if points[-1][0] >= 3 * WARMUP_SECONDS else points
    third = max(1, len(settled) // 3)
    first, last = settled[:third], settled[-third:]
    first_mean = statistics.fmean(m for _, m in first)
    last_mean = statistics.fmean(m for _, m in last)
    growth = (last_mean - first_mean) / first_mean if first_mean else 0.0
    first_slope, last_slope = slope_mb_per_minute(first), slope_mb_per_minute(last)
    flattening = last_slope <= max(1.0, first_slope / 2)
    return {
        "start_mb": points[0][1],
        "end_mb": points[-1][1],
        "max_mb": max(m for _, m in points),
        "first_third_mean_mb": round(first_mean, 1),
        "last_third_mean_mb": round(last_mean, 1),
        "growth_percent": round(100 * growth, 1),
        "first_third_slope_mb_per_min": first_slope,
        "last_third_slope_mb_per_min": last_slope,
        "flattening": flattening,
        "verdict": "pass" if growth < GROWTH_LIMIT and flattening else "FAIL",
    }


def per_page(samples: list) -> list[dict]:
    pages: dict[str, list] = {}
    for _second, milliseconds, ok, name in samples:
        pages.setdefault(name, []).append((milliseconds, ok))
    rows = [
        {
            "page": name,
            "requests": len(rows),
            "errors": sum(not ok for _, ok in rows),
            "p95_ms": round(percentile([ms for ms, _ in rows], 0.95), 1),
        }
        for name, rows in pages.items()
    ]
    return sorted(rows, key=lambda row: -row["p95_ms"])


def per_minute(samples: list) -> list[dict]:
    minutes: dict[int, list] = {}
    for second, milliseconds, ok, _name in samples:
        minutes.setdefault(int(second // 60), []).append((milliseconds, ok))
    return [
        {
            "minute": minute + 1,
            "requests": len(rows),
            "errors": sum(not ok for _, ok in rows),
            "p95_ms": round(percentile([ms for ms, _ in rows], 0.95), 1),
        }
        for minute, rows in sorted(minutes.items())
    ]


def soak(engine: str, minutes: float, users: int, seed: int, rules) -> dict:
    entry = run.prepare(engine, FRACTION, seed)
    url = entry["url"]
    targets = workload(url, rules)
    log_name = f"soak-{engine}"
    (DATA / f"gunicorn-{log_name}.log").unlink(missing_ok=True)
    samples_path = DATA / f"soak-{engine}-samples.json"
    samples_path.unlink(missing_ok=True)
    server = Server(url, log_name, access_log=False)  # hours of requests: no per-request log
    memory: list[dict] = []
    seconds = int(minutes * 60)
    log(f"[{engine}] soak: {users} clients for {minutes:g} min on {len(targets)} pages ({server.base})")
    try:
        started = time.time()
        memory.append({"second": 0, **rss_mb(server)})
        process = subprocess.Popen(
            locust_command(server, users, seconds),
            env={
                **os.environ,
                "BENCH_MIXED": json.dumps({"password": PASSWORD, "targets": targets, "wait": [0.1, 0.5]}),
                "SOAK_SAMPLES": str(samples_path),
            },
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        next_sample = started + SAMPLE_SECONDS
        while process.poll() is None and time.time() < started + seconds + 120:
            time.sleep(1)
            if time.time() >= next_sample:
                memory.append({"second": round(time.time() - started), **rss_mb(server)})
                next_sample += SAMPLE_SECONDS
                if len(memory) % 6 == 1:
                    log(f"  {memory[-1]['second']:>5} s  workers {memory[-1]['total_mb']} MB")
        if process.poll() is None:
            process.terminate()
        _out, errors = process.communicate(timeout=60)
        memory.append({"second": round(time.time() - started), **rss_mb(server)})
    finally:
        server.stop()
    if not samples_path.exists():
        raise RuntimeError(f"locust wrote no samples: {errors[-2000:]}")
    samples = json.loads(samples_path.read_text())["samples"]
    return {
        "engine": engine,
        "fraction": FRACTION,
        "minutes": minutes,
        "users": users,
        "pages": targets,
        "requests": len(samples),
        "errors": sum(not sample[2] for sample in samples),
        "p95_ms": round(percentile([sample[1] for sample in samples], 0.95), 1) if samples else None,
        "per_minute": per_minute(samples),
        "per_page": per_page(samples),
        "memory": memory,
        "memory_verdict": memory_verdict(memory),
        "server_errors": server_errors(server),
        # Every register save and print audited at once by 10 clients: the chain must still hold.
        "audit_chain": run.audit_chain(url),
    }


def print_report(results: list[dict]) -> None:
    for result in results:
        verdict = result["memory_verdict"]
        log(
            f"\n== {result['engine']}: {result['requests']} requests, {result['errors']} errors, "
            f"p95 {result['p95_ms']} ms ({result['users']} clients, {result['minutes']:g} min)"
        )
        log(f"{'minute':>6} {'requests':>9} {'errors':>7} {'p95 ms':>8}")
        for row in result["per_minute"]:
            log(f"{row['minute']:>6} {row['requests']:>9} {row['errors']:>7} {row['p95_ms']:>8.1f}")
        log(f"{'page':58} {'requests':>9} {'errors':>7} {'p95 ms':>8}")
        for row in result["per_page"]:
            log(f"{row['page'][:58]:58} {row['requests']:>9} {row['errors']:>7} {row['p95_ms']:>8.1f}")
        log(
            f"workers' memory: start {verdict['start_mb']} MB, end {verdict['end_mb']} MB, "
            f"max {verdict['max_mb']} MB; last third {verdict['last_third_mean_mb']} MB vs first third "
            f"{verdict['first_third_mean_mb']} MB ({verdict['growth_percent']:+.1f} %), slope "
            f"{verdict['first_third_slope_mb_per_min']} -> {verdict['last_third_slope_mb_per_min']} MB/min"
        )
        log(f"memory growth: {verdict['verdict']}   errors: {'pass' if result['errors'] == 0 else 'FAIL'}")
        chain = result["audit_chain"]
        broken = chain["first_broken_id"]
        log(
            f"audit chain: {chain['checked']} rows checked, "
            + ("intact: pass" if broken is None else f"BROKEN at row {broken}: FAIL")
        )
        for error in result["server_errors"]:
            log(f"server error: {error}")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, default=float(os.environ.get("SOAK_MINUTES", 10)))
    parser.add_argument("--engines", default=os.environ.get("SOAK_ENGINES", "sqlite postgresql"))
    parser.add_argument("--users", type=int, default=10)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    if not (BIN / "locust").exists():
        log("locust is not installed: pip install locust (make soak installs it)")
        return 2
    rules = run._rules()
    results = [soak(engine, args.minutes, args.users, args.seed, rules) for engine in args.engines.split()]
    print_report(results)
    RESULTS.write_text(json.dumps({"seed": args.seed, "runs": results}, indent=2))
    log(f"\nwritten {RESULTS.relative_to(ROOT)}")
    failed = any(
        r["errors"]
        or r["memory_verdict"]["verdict"] != "pass"
        or r["audit_chain"]["first_broken_id"] is not None
        for r in results
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
