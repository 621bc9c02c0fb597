"""Translated prose of the evaluation: the filters in words, the methods and the limitations."""

from __future__ import annotations

from flask_babel import gettext as _

from programme.evaluation.scope import AGE_BANDS, ATTENDANCE_BANDS, CONVICTIONS, LANGUAGE_NAMES, Filters
from programme.evaluation.stats import MIN_PAIRS
from programme.extensions import db
from programme.facilities.models import Facility
from programme.facilities.regions import REGIONS
from programme.scheduling.models import Cohort


def filter_summary(filters: Filters, locale: str) -> str:
    parts = []
    if filters.region:
        parts.append(_("region: %(value)s", value=REGIONS.get(filters.region, filters.region)))
    if filters.facility_id:
        facility = db.session.get(Facility, filters.facility_id)
        parts.append(_("facility: %(value)s", value=facility.code if facility else "?"))
    if filters.cohort_id:
        cohort = db.session.get(Cohort, filters.cohort_id)
        parts.append(_("cohort: %(value)s", value=cohort.name if cohort else "?"))
    if filters.curriculum_id:
        parts.append(_("curriculum: %(value)s", value=filters.curriculum_id))
    if filters.period_from or filters.period_to:
        parts.append(
            _(
                "cohorts starting %(start)s – %(end)s",
                start=filters.period_from.isoformat() if filters.period_from else "…",
                end=filters.period_to.isoformat() if filters.period_to else "…",
            )
        )
    if filters.attendance_band in ATTENDANCE_BANDS:
        parts.append(_("attendance: %(value)s", value=ATTENDANCE_BANDS[filters.attendance_band][2]))
    if filters.age_band in AGE_BANDS:
        parts.append(_("age: %(value)s", value=AGE_BANDS[filters.age_band][2]))
    if filters.conviction in CONVICTIONS:
        parts.append(str(CONVICTIONS[filters.conviction]))
    if filters.language in LANGUAGE_NAMES:
        parts.append(_("language: %(value)s", value=LANGUAGE_NAMES[filters.language]))
    if not parts:
        return _("Filters: none (everyone with answers).")
    return _("Filters: %(list)s.", list="; ".join(str(part) for part in parts))


def methods(minimum: int) -> list[str]:
    return [
        _(
            "Scores are the stored scale scores of each complete questionnaire (mean of the answered "
            "items when enough items are answered, reverse-scored items flipped). Only people with a "
            "score at both timepoints (complete pairs) enter the comparison; change is the later score "
            "minus the earlier one."
        ),
        _(
            "For each scale: the mean change with its confidence interval (95 %) from the t distribution; "
            "the paired t-test; the Wilcoxon signed-rank test as a check that does not assume normal "
            "differences; Cohen's d_z (mean change / SD of the changes) with an exact confidence interval "
            "from the noncentral t distribution; d_av (mean change / average of the two SDs) with a "
            "normal-approximation interval, SE = √(2(1 − r)/n + d_av²/(2n)); Hedges' correction "
            "J = 1 − 3/(4(n − 1) − 1) gives g. Lakens (2013) is the reference."
        ),
        _(
            "P-values of the scales shown together are adjusted with Holm's step-down method. "
            "Cronbach's alpha is computed on complete cases at each timepoint. The reliable change index "
            "(Jacobson and Truax, 1991) uses the SD at the first timepoint and alpha at the first timepoint: "
            "|RCI| > 1.96 counts as reliable change. The dose of the programme is the share of held "
            "sessions attended; its relation to change is Spearman's rank correlation."
        ),
        _(
            "With fewer than %(pairs)d complete pairs, or when the changes do not vary, no test is "
            "reported. To protect people in small groups, any figure computed from fewer than "
            "%(minimum)d people is hidden for evaluators.",
            pairs=MIN_PAIRS,
            minimum=minimum,
        ),
    ]


def limitations(minimum: int) -> list[str]:
    return [
        _(
            "There is no comparison group here: a change from before to after the course may also come "
            "from time, other programmes or regression to the mean, and cannot be attributed to the "
            "course alone."
        ),
        _(
            "Answers were given in a custodial setting, often with staff nearby; they may lean towards "
            "socially desirable answers, as the authors of the seed survey warn."
        ),
        _(
            "People who left the course (release, transfer) before the second questionnaire are missing "
            "from the comparison; if they differ from those who stayed, the results are biased. The "
            "attrition table shows how many."
        ),
        _(
            "The project's own questionnaire is not yet validated; its reliability here is the alpha "
            "shown above. Many tests on small groups raise the chance of a false positive even after "
            "Holm's adjustment. Figures from fewer than %(minimum)d people are hidden.",
            minimum=minimum,
        ),
    ]
