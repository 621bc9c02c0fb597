"""The questionnaires domain's rules, by topic; the functions other domains call are listed here."""

from programme.questionnaires.services.scores import recompute_scores, score_response

__all__ = ["recompute_scores", "score_response"]
