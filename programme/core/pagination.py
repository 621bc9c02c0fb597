"""Pagination of a select(): one count query and one page query, whatever the table size."""

from __future__ import annotations

from dataclasses import dataclass
from math import ceil

from flask import current_app, request
from sqlalchemy import Select, func, select

from programme.extensions import db


@dataclass
class Page:
    items: list
    total: int
    number: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, ceil(self.total / self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.pages


def requested_page_number() -> int:
    try:
        return max(1, int(request.args.get("page", 1)))
    except ValueError:
        return 1


def paginate(query: Select, per_page: int | None = None, number: int | None = None) -> Page:
    per_page = per_page or current_app.config["PER_PAGE"]
    number = number or requested_page_number()
    total = db.session.execute(select(func.count()).select_from(query.order_by(None).subquery())).scalar_one()
    items = db.session.execute(query.limit(per_page).offset((number - 1) * per_page)).scalars().all()
    return Page(list(items), total, number, per_page)
