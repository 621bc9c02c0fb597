"""Pausing Python's cycle collector during a large computation.

An analysis over the whole country builds a few hundred thousand short-lived objects (rows,
cases, their scores) and then charts them. Each burst of allocations sets off the cycle
collector, which walks every live object again, the analysis's own included: measured, a fifth
to a quarter of the evaluation page's 1 s. Those objects hold no reference cycles, so nothing is
lost by not looking for cycles until the computation ends; the collector runs again after it
(matplotlib's figures, which do form cycles, are collected then).
"""

from __future__ import annotations

import gc
from contextlib import contextmanager


@contextmanager
def cycle_collection_paused():
    """Within this block the cycle collector does not run (nested uses are fine)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
