"""The agenda (待办期限): every open step of a court with its due date, overdue and provisional flags."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from auction.periods import Deadline


@dataclass(frozen=True)
class OpenStep:
    """A step waiting to be done: in which case, about what, and its deadline (None: no fixed period)."""

    court_code: str
    case_number: str
    subject: str  # e.g. "异议 #12（网络询价报告）"
    step: str  # e.g. "作出异议裁定"
    deadline: Deadline | None
    reference: str = ""  # an id the caller can follow (objection id, lot id)


@dataclass(frozen=True)
class AgendaItem:
    step: OpenStep
    overdue: bool
    provisional: bool
    days_left: int | None
    note: str

    def as_dict(self) -> dict:
        d = self.step.deadline
        return {"court_code": self.step.court_code, "case_number": self.step.case_number,
                "subject": self.step.subject, "step": self.step.step, "reference": self.step.reference,
                "due": d.due.isoformat() if d else None, "due_label": d.label() if d else "无法定期限",
                "article": d.article if d else "", "overdue": self.overdue, "provisional": self.provisional,
                "days_left": self.days_left, "note": self.note}


def build(steps: Iterable[OpenStep], today: date) -> list[AgendaItem]:
    """Flag each step (overdue: ``today`` is after the last day, the period having ended at 24:00) and sort:
    overdue first, then by due date; steps without a period last."""
    items = []
    for step in steps:
        d = step.deadline
        if d is None:
            items.append(AgendaItem(step, False, False, None, "无法定期限，由法院指定。"))
            continue
        overdue = d.is_overdue(today)
        note = f"已逾期 {(today - d.due).days} 日。" if overdue else ""
        if d.provisional:
            note = (note + " " + d.reason).strip()
        items.append(AgendaItem(step, overdue, d.provisional, d.days_left(today), note))
    return sorted(items, key=lambda i: (i.step.deadline is None, not i.overdue,
                                        i.step.deadline.due if i.step.deadline else date.max,
                                        i.step.case_number, i.step.subject))
