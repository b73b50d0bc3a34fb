"""Column types that store domain values: the row attribute *is* the domain object, never a dict to restore.

``DomainLot`` keeps an ``auction.lot.Lot`` in one JSON column (``auction.lot.lot_to_dict`` on the way in,
``lot_from_dict`` on the way out), so ``row.lot`` is the domain lot itself. The value is compared by its JSON, so
assigning an equal lot writes nothing; a lot changed in place is not noticed — assign a new (or copied) lot.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import JSON
from sqlalchemy.types import TypeDecorator

from auction.lot import Lot, lot_from_dict, lot_to_dict


class DomainLot(TypeDecorator):
    """An ``auction.lot.Lot`` stored as its plain-data JSON."""

    impl = JSON
    cache_ok = True

    def process_bind_param(self, value: Lot | None, dialect) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, Lot):
            raise TypeError(f"the lot column stores auction.lot.Lot, not {type(value).__name__}")
        return lot_to_dict(value)

    def process_result_value(self, value: dict[str, Any] | None, dialect) -> Lot | None:
        return None if value is None else lot_from_dict(value)

    def compare_values(self, x: Any, y: Any) -> bool:
        return _plain(x) == _plain(y)

    def copy_value(self, value: Any) -> Any:
        return value


def _plain(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(lot_to_dict(value) if isinstance(value, Lot) else value, sort_keys=True, ensure_ascii=False)
