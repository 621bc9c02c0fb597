"""Mixed workload for `bench/run.py`: each simulated user signs in as one demo role and keeps
requesting that role's ordinary pages (the list comes from the BENCH_MIXED environment variable)."""

from __future__ import annotations

import itertools
import json
import os
import re

from locust import HttpUser, between, task

SPEC = json.loads(os.environ.get("BENCH_MIXED", '{"password": "", "targets": []}'))
ROLES = sorted({target["role"] for target in SPEC["targets"]})
_next_role = itertools.cycle(ROLES or ["admin"])


class RoleUser(HttpUser):
    wait_time = between(0, 0.05)

    def on_start(self):
        self.role = next(_next_role)
        self.urls = [t["url"] for t in SPEC["targets"] if t["role"] == self.role]
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
        self.cycle = itertools.cycle(self.urls)

    @task
    def visit(self):
        if not self.urls:
            return
        url = next(self.cycle)
        with self.client.get(
            url, name=f"{self.role} {url.split('?')[0]}", allow_redirects=False, catch_response=True
        ) as response:
            if response.status_code >= 400:
                response.failure(f"HTTP {response.status_code}")
