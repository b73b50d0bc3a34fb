"""Our reference prices (参考价) in force, read from the price procedure's records, for joining scraped
auction results (``scrapers.auction_results``).

The newest ``ReferencePriceRecord`` of a lot is the one in force (``procedure_service.current_reference_price``).
A case with one priced lot gives an empty lot text, so it joins the platform's lot by case number alone; a
case with several gives each lot's name, to be matched to the platform's title or address.
"""

from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select

from xunpai.storage.models.procedure import ProcedureCase, ProcedureLot, ReferencePriceRecord
from xunpai.storage.unit_of_work import UnitOfWork


def reference_prices_in_force(uow: UnitOfWork, *, court_code: str | None = None) -> list[dict]:
    """Rows ``case_number``, ``lot``, ``reference_price_fen`` (one per priced lot), oldest case first."""
    with uow:
        session = uow.session
        newest = (select(ReferencePriceRecord.lot_id, func.max(ReferencePriceRecord.id).label("record_id"))
                  .group_by(ReferencePriceRecord.lot_id).subquery())
        query = (select(ProcedureCase.case_number, ProcedureLot.name, ReferencePriceRecord.value_fen)
                 .join(ProcedureLot, ProcedureLot.case_id == ProcedureCase.id)
                 .join(newest, newest.c.lot_id == ProcedureLot.id)
                 .join(ReferencePriceRecord, ReferencePriceRecord.id == newest.c.record_id)
                 .order_by(ProcedureCase.id, ProcedureLot.id))
        if court_code:
            query = query.where(ProcedureCase.court_code == court_code)
        rows = session.execute(query).all()
        lots_per_case: dict[str, int] = defaultdict(int)
        for case_number, _name, _value in rows:
            lots_per_case[case_number] += 1
        return [{"case_number": case_number, "lot": name if lots_per_case[case_number] > 1 else "",
                 "reference_price_fen": value} for case_number, name, value in rows]
