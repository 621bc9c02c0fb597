"""The demo scenario shared by every domain's demo seeder, so they agree on names and dates.

Each domain's seeder finds what earlier seeders made by these natural keys (facility code,
department index, cohort name); run in order they build one consistent story:
three completed cohorts (with pre/post questionnaires, releases and follow-up checks), two
running now (attendance so far, pre questionnaires), one planned (not yet staffed fully).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time


@dataclass(frozen=True)
class DemoCohort:
    name: str
    facility_code: str
    department_index: int  # 0 = Al-Farabi KazNU (coordinator@demo.kz), 1 = Karaganda Buketov
    status: str  # planned, running or completed
    start_date: date
    weekdays: tuple[int, ...]  # ISO weekdays
    start_time: time
    language: str
    participants: int  # how many people the participants seeder enrols


DEMO_COHORTS = (
    DemoCohort(
        "Алматы — көктем 2025", "ALA-02", 0, "completed", date(2025, 2, 4), (2,), time(10, 0), "kk", 12
    ),
    DemoCohort(
        "Караганда — осень 2025", "KRG-01", 0, "completed", date(2025, 9, 2), (2,), time(14, 0), "ru", 12
    ),
    DemoCohort(
        "Түркістан — көктем 2026", "TRK-05", 0, "completed", date(2026, 3, 3), (2,), time(10, 0), "kk", 12
    ),
    DemoCohort(
        "Караганда — осень 2026", "KRG-01", 0, "running", date(2026, 10, 6), (2,), time(14, 0), "ru", 12
    ),
    DemoCohort("Абай — күз 2026", "ABA-04", 1, "running", date(2026, 10, 13), (4,), time(10, 0), "kk", 12),
    DemoCohort(
        "Алматы облысы — қыс 2027", "ALR-03", 0, "planned", date(2027, 1, 12), (2,), time(10, 0), "ru", 0
    ),
)

# Facilities where the demo facilitators hold access passes, and until when.
DEMO_PASS_UNTIL = date(2027, 6, 30)
# A lockdown day at the Karaganda facility during the running cohort (its session is cancelled).
DEMO_LOCKDOWN = ("KRG-01", date(2026, 11, 10), "Карантин / lockdown")
