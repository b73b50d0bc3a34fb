"""A row the request names by its number, or the area's refusal: the lookup every service starts with.

The refusal is the area's own error with its Chinese message (``保管物 7 不存在。``), so that the user reads what
was not found; nothing has been written when it is raised.
"""

from __future__ import annotations

from typing import Any, TypeVar

from xunpai.storage.unit_of_work import UnitOfWork

Row = TypeVar("Row")


def require_row(uow: UnitOfWork, model: type[Row], key: Any, refusal: Exception) -> Row:
    """The row of ``model`` with primary key ``key``; raises ``refusal`` if there is none."""
    row = uow.session.get(model, key)
    if row is None:
        raise refusal
    return row
