"""What the objection pages show, for the judges' pages (``web.objections``) and the parties' (``web.objections_party``):
an objection as its pages and its receipt (回执) present it, a deadline, the case, and which objection the
signed-in user may see (a judge: those of the court's cases; a party: only their own, in their own case).
"""

from __future__ import annotations

import io
from datetime import datetime

from flask import abort, send_file
from flask_login import current_user

from auction import objections as rules
from web.database import uow
from web.pdf import objection_receipt_pdf
from web.security import authorize_case, deny
from xunpai.services import accounts as accounts_service
from xunpai.services import objections as objection_service
from xunpai.services import procedure
from xunpai.storage import ledger


def now() -> datetime:
    return ledger.now_local()


def case_or_none(case_number: str):
    try:
        return procedure.get_case(uow(), case_number)
    except procedure.NotFound:
        return None


def report_name(report) -> str:
    return rules.REPORT_KIND_NAMES[rules.ReportKind(report.kind)]


def deadline_view(deadline) -> dict | None:
    if deadline is None:
        return None
    return {"due": deadline.due, "label": deadline.label(), "provisional": deadline.provisional,
            "reason": deadline.reason, "article": deadline.article, "overdue": deadline.is_overdue(now())}


def objection_view(objection) -> dict:
    """What the pages show of an objection: names, route, the open step and its deadline, the decisions."""
    record = objection_service.objection_record(uow(), objection)
    report, party, case = record.report, record.party, record.case
    route = rules.Route(objection.route) if objection.route else None
    state = rules.State(objection.state)
    step = rules.open_step(state, route, filed_on=objection.filed_on, calendar=procedure.load_calendar(uow()),
                           entered_on=objection.state_entered_on, decision_served_on=objection.decision_served_on,
                           review_extension_days=objection.review_extension_days or 0) \
        if state not in rules.FINAL_STATES else None
    return {
        "o": objection, "case": case, "report": report, "party": party,
        "reference": f"YY{objection.filed_at:%Y%m%d}-{objection.id:05d}",
        "report_name": report_name(report),
        "state_name": rules.STATE_NAMES[state], "final": state in rules.FINAL_STATES,
        "route_name": rules.ROUTE_NAMES[route] if route else "—",
        "grounds": [rules.GROUND_NAMES[rules.Ground(g)] for g in objection.grounds],
        "party_role": procedure.PARTY_ROLES.get(party.role, party.role),
        "step": {"name": step.name, "deadline": deadline_view(step.deadline)} if step else None,
        "decisions": record.decisions,
        "events": [{"on": e.happened_on, "actor": e.actor, "note": e.note,
                    "event": rules.EVENT_NAMES.get(e.event) or {"decision_served": "登记裁定送达"}.get(e.event, e.event),
                    "from": rules.STATE_NAMES.get(e.from_state, e.from_state),
                    "to": rules.STATE_NAMES.get(e.to_state, e.to_state)}
                   for e in sorted(objection.events, key=lambda e: e.id)],
        "allowed": [(e.value, rules.EVENT_NAMES[e]) for e in rules.allowed_events(state, route)],
    }


def my_party_id(case_number: str) -> int | None:
    """The signed-in party's registered party id in that case (None: their code is not linked to a party)."""
    return current_user.party_ids.get(case_number)


def visible_objection(objection_id: int, case_number: str | None = None):
    """The objection if the signed-in user may see it. Staff: one of their court's cases (``authorize_case``:
    403 otherwise). A party: only their own objection, in ``case_number`` (the case of the URL, already
    authorized) or, without one, in the objection's case; anything else is a 404, logged."""
    found = objection_service.get_objection(uow(), objection_id)
    if found is None and (current_user.role != "party" or case_number is None):
        abort(404)
    if current_user.role != "party":
        authorize_case(found[1].case_number)
        return found[0]
    if case_number is None:
        case_number = authorize_case(found[1].case_number)
    objection, case = found or (None, None)
    if objection is None or case.case_number != case_number or objection.party_id != my_party_id(case_number):
        deny("objection", status=404, case_number=case_number, detail=f"异议 {objection_id} 不属于该当事人")
    return objection


def receipt_pdf(view: dict):
    """The receipt (回执) of an objection as PDF: what was filed, when, its state and the next deadline."""
    o = view["o"]
    court = accounts_service.get_court(uow(), view["case"].court_code)
    deadlines = []
    if view["step"] and view["step"]["deadline"]:
        d = view["step"]["deadline"]
        deadlines.append({"label": view["step"]["name"], "due": d["label"],
                          "note": (d["article"] + ("；" + d["reason"] if d["provisional"] else ""))})
    detail = {"reference": view["reference"], "case_number": view["case"].case_number,
              "party_name": view["party"].name, "party_role": view["party_role"],
              "report": f"{view['report'].source}{view['report_name']}",
              "filed_at": o.filed_at.strftime("%Y-%m-%d %H:%M"), "status": view["state_name"],
              "grounds": view["grounds"], "text": f"事实：{o.facts}\n理由：{o.reasons}",
              "evidence": [{"name": e.filename, "size": e.size, "sha256": e.sha256} for e in o.evidence],
              "deadlines": deadlines}
    data = objection_receipt_pdf(detail, court_name=court.name if court else "")
    return send_file(io.BytesIO(data), mimetype="application/pdf", download_name=f"异议回执-{view['reference']}.pdf")
