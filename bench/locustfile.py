"""Mixed workload for `bench/run.py` and `bench/soak.py`: each simulated user signs in as one demo
role and keeps requesting that role's pages (the list comes from the BENCH_MIXED environment
variable). A target with "method": "POST" is a write: the form is read from its "form_page" (with
its CSRF token) and sent back with every "flip" field set to the next of its "values", so each
POST really changes what is saved (the soak's register saves).

With SOAK_SAMPLES set to a path, every request's (second since start, milliseconds, ok, name) is kept
and written there as JSON when locust stops: the soak's per-minute p95 comes from these."""

from __future__ import annotations

import itertools
import json
import os
import re
import sys
import time
from pathlib import Path

from locust import HttpUser, between, events, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run import FormReader  # noqa: E402 - bench/ is not a package; the form parser is shared

SPEC = json.loads(os.environ.get("BENCH_MIXED", '{"password": "", "targets": []}'))
ROLES = sorted({target["role"] for target in SPEC["targets"]})
_next_role = itertools.cycle(ROLES or ["admin"])
SAMPLES_PATH = os.environ.get("SOAK_SAMPLES")
STARTED = time.time()
samples: list[tuple[float, float, bool, str]] = []


@events.request.add_listener
def _keep_sample(name, response_time, exception, **_kwargs):
    if SAMPLES_PATH:
        samples.append((round(time.time() - STARTED, 2), round(response_time, 1), exception is None, name))


@events.quitting.add_listener
def _write_samples(**_kwargs):
    if SAMPLES_PATH:
        Path(SAMPLES_PATH).write_text(json.dumps({"started": STARTED, "samples": samples}))


class RoleUser(HttpUser):
    wait_time = between(*SPEC.get("wait", (0, 0.05)))

    def on_start(self):
        self.role = next(_next_role)
        self.targets = [t for t in SPEC["targets"] if t["role"] == self.role]
        page = self.client.get("/login", name="/login").text
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)
        self.client.post(
            "/login",
            data={
                "csrf_token": token.group(1) if token else "",
                "email": f"{self.role}@demo.kz",
                "password": SPEC["password"],
            },
            name="/login",
        )
        self.cycle = itertools.cycle(self.targets)
        self.turn = 0

    @task
    def visit(self):
        if not self.targets:
            return
        target = next(self.cycle)
        if target.get("method") == "POST":
            self.post(target)
            return
        url = target["url"]
        with self.client.get(
            url, name=f"{self.role} {url.split('?')[0]}", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")

    def post(self, target: dict) -> None:
        reader = FormReader()
        form_page = self.client.get(target["form_page"], name=f"{self.role} {target['form_page']} (form)")
        reader.feed(form_page.text)
        forms = [f for f in reader.forms if f["method"] == "post" and len(f["fields"]) > 1]
        if not forms:
            return
        body = dict(max(forms, key=lambda f: len(f["fields"]))["fields"])
        values = target.get("values", [])
        self.turn += 1
        for name in body:
            if values and re.match(target.get("flip", "$^"), name):
                body[name] = values[self.turn % len(values)]
        # A save answers with a redirect; 200 would be the form again with a refusal.
        with self.client.post(
            target["url"],
            data=body,
            name=f"{self.role} POST {target['url']}",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code == 409:
                # Two clients keep the same register: a save of marks the other client changed
                # after this one read them is refused whole (no lost update). An intended answer,
                # shown on a line of its own in the soak's table, not an error.
                response.request_meta["name"] += " (409: refused, changed meanwhile)"
                response.success()
            elif response.status_code != 302:
                response.failure(f"HTTP {response.status_code} (expected a redirect after saving)")
