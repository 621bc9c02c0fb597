"""The evaluation domain: analysis datasets, statistics, tables, charts, exports, report."""


def register(app) -> None:
    return None
