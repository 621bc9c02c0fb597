"""The evaluation domain: analysis datasets, statistics, tables, charts, exports, report."""

from flask_babel import lazy_gettext as _l

from programme.core.permissions import ADMIN, EVALUATOR
from programme.core.registry import add_nav, add_seeder


def register(app) -> None:
    from programme.evaluation import demo, views

    app.register_blueprint(views.bp)
    add_nav(
        app,
        _l("Evaluation"),
        "evaluation.show_comparison",
        [ADMIN, EVALUATOR],
        order=600,
        active_prefix="/evaluation",
    )
    # After the questionnaires seeder (which imports the survey instrument and scored responses).
    add_seeder(app, "evaluation survey answers", demo.seed_survey_answers, demo.has_survey_answers, order=95)
