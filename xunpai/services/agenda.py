"""The court's one agenda: every open step of the reference-price procedure (``services.procedure``) and of the
lots' lifecycle (``services.lifecycle``: balance, ruling, handover, next round …), each with its due date and
article, most urgent first. ``xunpai agenda``, the judge's home page and the API read it here."""

from __future__ import annotations

from datetime import date

from auction import agenda as agenda_rules
from xunpai.services import lifecycle, procedure
from xunpai.storage.unit_of_work import UnitOfWork


def court_agenda(uow: UnitOfWork, *, today: date, court_code: str | None = None) -> list[agenda_rules.AgendaItem]:
    """Open steps of every case and lot of the court (of every court when ``court_code`` is None)."""
    with uow:
        steps = list(procedure.agenda_steps(uow, court_code=court_code))
        steps += lifecycle.open_steps(uow, court_code)
        return agenda_rules.build(steps, today)
