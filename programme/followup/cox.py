"""A Cox proportional hazards model of time to reoffence among programme participants.

Covariates (in this order of priority): first/repeat conviction, age band (ordinal), attendance
rate, pre/post change of the questionnaire TOTAL. A covariate enters only if it varies, and only
while there are at least EVENTS_PER_COVARIATE reoffences per covariate on the complete cases
(Vittinghoff & McCulloch 2007 show 5–9 is workable); each one left out is listed with why.
The comparison group has no attendance or questionnaires, so the model covers participants.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import pandas as pd
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from lifelines import CoxPHFitter
from lifelines.exceptions import ConvergenceError, ConvergenceWarning

from programme.followup.dataset import AGE_BAND_CODES

EVENTS_PER_COVARIATE = 5
COVARIATES = {
    "is_repeat": _l("Repeat conviction (vs first)"),
    "age_band_index": _l("Age band (one band older)"),
    "attendance_rate": _l("Attendance rate (0 to 1)"),
    "prepost_change": _l("Pre/post change of the total score"),
}


@dataclass
class CoxTerm:
    covariate: str
    hazard_ratio: float
    low: float
    high: float
    p_value: float


@dataclass
class CoxResult:
    n: int = 0
    events: int = 0
    terms: list[CoxTerm] = field(default_factory=list)
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (covariate, reason)
    concordance: float | None = None
    problem: str | None = None  # why no model could be fitted


def _frame(rows) -> pd.DataFrame:
    records = [
        {
            "time": row.time_days,
            "event": int(row.event),
            "is_repeat": None if row.is_repeat is None else int(row.is_repeat),
            "age_band_index": AGE_BAND_CODES.index(row.age_band) if row.age_band else None,
            "attendance_rate": row.attendance_rate,
            "prepost_change": row.prepost_change,
        }
        for row in rows
        if row.group != "comparison"
    ]
    return pd.DataFrame.from_records(records, columns=["time", "event", *COVARIATES]).astype(float)


def fit_cox(rows, minimum: int) -> CoxResult:
    frame = _frame(rows)
    result = CoxResult(n=len(frame), events=int(frame["event"].sum()) if len(frame) else 0)
    if len(frame) < minimum:
        result.problem = _("Too few released participants (%(n)d) for a Cox model.", n=len(frame))
        return result
    chosen: list[str] = []
    for covariate in COVARIATES:
        trial = frame.dropna(subset=[*chosen, covariate])
        if trial[covariate].nunique() < 2:
            result.left_out.append((covariate, _("no variation or no data")))
        elif trial["event"].sum() < EVENTS_PER_COVARIATE * (len(chosen) + 1):
            result.left_out.append(
                (
                    covariate,
                    _(
                        "%(events)d reoffences on complete cases: %(need)d needed",
                        events=int(trial["event"].sum()),
                        need=EVENTS_PER_COVARIATE * (len(chosen) + 1),
                    ),
                )
            )
        else:
            chosen.append(covariate)
    if not chosen:
        result.problem = _(
            "The numbers do not allow a Cox model: %(events)d reoffences among %(n)d participants "
            "(at least %(need)d per covariate are needed, with covariates that vary).",
            events=result.events,
            n=result.n,
            need=EVENTS_PER_COVARIATE,
        )
        return result
    data = frame.dropna(subset=chosen)[["time", "event", *chosen]]
    fitter = CoxPHFitter()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            fitter.fit(data, duration_col="time", event_col="event")
        except ConvergenceError:
            caught.append(warnings.WarningMessage("", ConvergenceWarning, "", 0))
    if any(issubclass(w.category, ConvergenceWarning) for w in caught):
        result.problem = _("The Cox model did not converge on these data (too few or too separated events).")
        return result
    result.n, result.events = len(data), int(data["event"].sum())
    summary = fitter.summary
    for covariate in chosen:
        row = summary.loc[covariate]
        result.terms.append(
            CoxTerm(
                covariate,
                float(row["exp(coef)"]),
                float(row["exp(coef) lower 95%"]),
                float(row["exp(coef) upper 95%"]),
                float(row["p"]),
            )
        )
    result.concordance = float(fitter.concordance_index_)
    return result
