"""Running code as a request of its own would run, for tests of how requests use the database."""

from __future__ import annotations

import contextvars


def in_a_request_of_its_own(app, work):
    """Run `work` as a request would: a fresh context, torn down (and its session ended) after."""

    def run():
        with app.test_request_context("/"):
            return work()

    return contextvars.Context().run(run)
