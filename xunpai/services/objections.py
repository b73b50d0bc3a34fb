"""Objections (异议) on the database: filing (identity, grounds, evidence, idempotent), the steps of the state
machine and the decisions, each written to the ledger; decisions change the reference price as 参考价规定
arts. 13, 23 and 26 say.

Same conventions as ``xunpai.services.procedure``: the caller's session, plain values, ``now``/dates passed in,
a ``ProcedureError`` (Chinese message, nothing changed) for every refusal, ``IllegalTransition`` for a step the
state machine does not allow.
"""

from __future__ import annotations

import hashlib
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import filetype
from PIL import Image
from pypdf import PdfReader
from stdnum.cn import ric, uscc

from auction import objections as rules
from auction import reference_price as rp
from auction.objections import Event, Ground, IllegalTransition, ReportKind, Route, State  # noqa: F401
from xunpai.services import authority
from xunpai.services.procedure import (
    EVIDENCE_MAX_BYTES,
    EVIDENCE_MAX_FILES,
    EVIDENCE_TYPES,
    EvidenceUpload,
    FilingResult,
    InvalidEvidence,
    InvalidFiling,
    NotAParty,
    ProcedureError,
    SubmissionConflict,
    fix_reference_price,
    get_case,
    get_policy,
    load_calendar,
    require_row,
)
from xunpai.storage import ledger
from xunpai.storage.ledger import canonical_json
from xunpai.storage.models.procedure import (
    EvidenceFile,
    Objection,
    ObjectionDecision,
    ObjectionEvent,
    ProcedureCase,
    ProcedureLot,
    ProcedureParty,
    ProcedureReport,
)
from xunpai.storage.repositories import objections as repo
from xunpai.storage.repositories.constraints import add_unless_refused
from xunpai.storage.unit_of_work import UnitOfWork


def _compact_id(number: str) -> str:
    text = (number or "").strip().upper()
    for module in (ric, uscc):
        try:
            return module.compact(text)
        except Exception:  # noqa: BLE001 - stdnum raises several types; fall back to the text
            continue
    return text


_UNSAFE_NAME = re.compile(r"[^\w.\-\u4e00-\u9fff（）()]+")


def safe_filename(filename: str, kind: str) -> str:
    """A user's file name as it may be stored and offered again: its last part only (no ``../``, no folders),
    characters safe in a path, and the extension of its real type."""
    name = Path((filename or "").replace("\\", "/")).name
    stem = _UNSAFE_NAME.sub("_", Path(name).stem).strip("._") or "证据"
    ext = Path(name).suffix.lower()
    if ext not in EVIDENCE_TYPES[kind][1]:
        ext = EVIDENCE_TYPES[kind][1][0]
    return stem[:100] + ext


def evidence_kind(content: bytes, filename: str) -> str | None:
    """The evidence's type read from its content (``filetype``) and proven by opening it (PDF with pypdf: it has a
    page; an image with Pillow: it decodes), and matching the name's extension; None when any of that fails."""
    guessed = filetype.guess(content)
    kind = guessed.mime if guessed is not None else None
    if kind not in EVIDENCE_TYPES or not (filename or "").lower().endswith(EVIDENCE_TYPES[kind][1]):
        return None
    try:
        if kind == "application/pdf":
            if len(PdfReader(io.BytesIO(content)).pages) < 1:
                return None
        else:
            with Image.open(io.BytesIO(content)) as image:
                if Image.MIME.get(image.format) != kind:
                    return None
                image.load()  # decodes the pixels: a truncated or forged body fails here
    except Exception:  # noqa: BLE001 - pypdf and Pillow raise many kinds for a forged file
        return None
    return kind


def _check_evidence(files: Sequence[EvidenceUpload]) -> list[tuple[EvidenceUpload, str, str]]:
    """Size, count and type limits; the type is read from the content, not trusted from the browser."""
    if len(files) > EVIDENCE_MAX_FILES:
        raise InvalidEvidence(f"证据材料最多 {EVIDENCE_MAX_FILES} 个文件，收到 {len(files)} 个。")
    checked, seen = [], set()
    for f in files:
        if not f.content:
            raise InvalidEvidence(f"证据文件“{f.filename}”为空。")
        if len(f.content) > EVIDENCE_MAX_BYTES:
            raise InvalidEvidence(f"证据文件“{f.filename}”大小 {len(f.content) / 1048576:.1f} MB，"
                                  f"超过每个文件 {EVIDENCE_MAX_BYTES // 1048576} MB 的上限。")
        kind = evidence_kind(f.content, f.filename)
        if kind is None:
            raise InvalidEvidence(f"证据文件“{f.filename}”的类型不受支持、已损坏或与扩展名不符；应为能打开的 PDF、"
                                  "JPEG 或 PNG 文件。")
        f = EvidenceUpload(safe_filename(f.filename, kind), f.content)
        digest = hashlib.sha256(f.content).hexdigest()
        if digest in seen:
            continue  # the same file attached twice is stored once
        seen.add(digest)
        checked.append((f, kind, digest))
    return checked


def file_objection(uow: UnitOfWork, *, case_number: str, report_id: int, id_number: str,
                   grounds: Sequence[str], facts: str, reasons: str, address_for_service: str,
                   evidence: Sequence[EvidenceUpload] = (), submission_key: str | None = None,
                   received_report_on: date | None = None, mailed_on: date | None = None, now: datetime,
                   actor: str = "") -> FilingResult:
    """File a written objection (异议复议规定 art. 1; 参考价规定 arts. 22-25).

    The objector is identified by ID number against the case's parties and interested parties. A double
    submission (the same ``submission_key``, the client's token stored with the record; or the same content
    from the same party against the same report while the first still stands) returns the first objection with
    ``created=False``: one record, the same receipt. Admissibility and route are *assessed* (shown to the judge,
    stored as ``assessment``) but never decided here: every filing waits in state 已提交 for the judge's
    decision (``decide_admission``: 立案, or a 不予受理 ruling). ``received_report_on``: the day the party
    received the report (the service receipt), never the day the court sent it; ``mailed_on``: the postmark of
    a posted objection (民诉法 art. 85(4)).
    """
    with uow:
        session = uow.session
        case = get_case(uow, case_number)
        report = require_row(uow, ProcedureReport, report_id, "报告")
        lot = session.get(ProcedureLot, report.lot_id)
        if lot.case_id != case.id:
            raise InvalidFiling(f"报告 {report_id} 不属于案件{case.case_number}。")
        wanted = _compact_id(id_number)
        party = next((p for p in case.parties if p.id_number == wanted), None)
        if party is None:
            raise NotAParty(f"证件号码“{id_number}”不是案件{case.case_number}的当事人或已登记的利害关系人，不能提出异议"
                            "（参考价规定第二十二条）。利害关系人应先向法院登记。")
        try:
            written = rules.check_written_objection(grounds, facts, reasons, address_for_service,
                                                    party_address=party.address_for_service or "")
        except rules.InvalidObjection as exc:
            raise InvalidFiling(str(exc)) from None
        files = _check_evidence(evidence)

        ground_values, address = list(written.grounds), written.address_for_service
        body = {"case": case.id, "report": report.id, "party": party.id, "grounds": [g.value for g in ground_values],
                "facts": written.facts, "reasons": written.reasons, "address": address,
                "evidence": sorted(d for _f, _k, d in files)}
        content_key = hashlib.sha256(("content:" + canonical_json(body)).encode()).hexdigest()
        key = hashlib.sha256(("client:" + submission_key).encode()).hexdigest() if submission_key else content_key
        existing = repo.objection_by_submission_key(session, key) or repo.same_content_objection(
            session, report.id, party.id, content_key,
            [s.value for s in (State.NOT_ACCEPTED, State.WITHDRAWN, State.CLOSED, State.REVIEW_DECIDED)])
        if existing is not None:
            result = _same_submission(existing, party, report)
            uow.commit()
            return result

        filed_on = now.date()
        calendar = load_calendar(uow)
        policy = get_policy(uow, case.court_code)
        try:
            received = rules.report_received_on(stated=received_report_on, published_on=report.published_on,
                                                forwarded_on=report.forwarded_on, filed_on=filed_on, calendar=calendar)
            rules.check_postmark(mailed_on, filed_on)
        except rules.InvalidObjection as exc:
            raise InvalidFiling(str(exc)) from None
        raised_again = repo.party_objected_before(session, report.id, party.id,
                                                  [s.value for s in rules.CLOSED_AGAINST_REPEAT])
        verdict = rules.assess(ReportKind(report.kind), ground_values, received_report_on=received, filed_on=filed_on,
                               calendar=calendar, policy=policy,
                               first_auction_announced=lot.first_auction_announced_on is not None
                               and lot.first_auction_announced_on <= filed_on,
                               mailed_on=mailed_on, raised_again=raised_again)
        state = State.FILED  # the judge decides admissibility (异议复议规定 art. 2), never the machine
        assessment = verdict.reason if verdict.accepted else f"经初步审查，可能不符合受理条件：{verdict.reason}"
        if received_report_on is None and report.published_on is None:
            assessment += "（异议人未填写收到报告日期，按提交日计算，请核对送达回证。）"
        objection = Objection(case_id=case.id, report_id=report.id, party_id=party.id, submission_key=key,
                              content_key=content_key, mailed_on=mailed_on,
                              grounds=[g.value for g in ground_values], facts=written.facts, reasons=written.reasons,
                              address_for_service=address, filed_at=now, filed_on=filed_on,
                              report_received_on=received, policy=policy.value, admissible=verdict.accepted,
                              route=verdict.route.value if verdict.route else None, assessment=assessment,
                              article=verdict.article, state=state.value, state_entered_on=filed_on,
                              material_requests=0)
        objection.evidence = [EvidenceFile(filename=f.filename, content_type=kind, size=len(f.content), sha256=digest,
                                           content=f.content) for f, kind, digest in files]
        if not add_unless_refused(session, objection):
            # The same submission arrived concurrently and won the unique key; this one is the duplicate.
            result = _same_submission(repo.objection_by_submission_key(session, key), party, report)
            uow.commit()
            return result
        ledger.append(session, "objection.filed",
                      {"objection_id": objection.id, "report_id": report.id, "party": party.name, "role": party.role,
                       "grounds": objection.grounds, "assessed_admissible": verdict.accepted,
                       "route": objection.route, "received_report_on": received, "mailed_on": mailed_on,
                       "reason": verdict.reason, "article": verdict.article, "policy": policy.value,
                       "evidence_sha256": [e.sha256 for e in objection.evidence]},
                      actor=actor or party.name, court_code=case.court_code, case_number=case.case_number,
                      recorded_at=now)
        result = FilingResult(objection, True)
        uow.commit()
        return result


def _same_submission(existing: Objection, party: ProcedureParty, report: ProcedureReport) -> FilingResult:
    if existing.party_id != party.id or existing.report_id != report.id:
        raise SubmissionConflict("该提交编号已用于另一份异议；重新提交时应使用新的提交编号。")
    return FilingResult(existing, False)


DECIDERS = ("judge",)  # the court rules on objections (参考价规定 art. 22): its judges


def _may_decide(uow: UnitOfWork, objection_id: int, actor: str, what: str) -> None:
    """The write check (``authority.require``) for an objection: a judge of the objection's court (called first
    in the service's block)."""
    objection = uow.session.get(Objection, objection_id)
    case = uow.session.get(ProcedureCase, objection.case_id) if objection is not None else None
    court = case.court_code if case is not None else None
    if court is not None:
        authority.require(uow, actor, court, what=what, roles=DECIDERS)


def advance(uow: UnitOfWork, objection_id: int, event: str, *, on: date, actor: str, now: datetime,
            note: str = "") -> Objection:
    """Apply one step of the state machine (``auction.objections.TRANSITIONS``); an illegal step raises
    ``IllegalTransition`` and changes nothing. Every step is recorded and written to the ledger."""
    with uow:
        session = uow.session
        _may_decide(uow, objection_id, actor, "办理异议")
        objection = require_row(uow, Objection, objection_id, "异议")
        event = Event(event)
        route = Route(objection.route) if objection.route else None
        before = State(objection.state)
        after = rules.transition(before, event, route, material_requests=objection.material_requests)
        if on < objection.state_entered_on:
            raise ProcedureError(f"操作日期 {on.isoformat()} 早于上一步骤的日期 {objection.state_entered_on.isoformat()}。")
        if event is Event.REQUEST_MATERIAL:
            objection.material_requests += 1
        objection.state, objection.state_entered_on = after.value, on
        session.add(ObjectionEvent(objection_id=objection.id, event=event.value, from_state=before.value,
                                   to_state=after.value, happened_on=on, actor=actor, note=note, recorded_at=now))
        _ledger_objection(uow, objection, "objection.transition",
                          {"event": event.value, "from": before.value, "to": after.value, "on": on, "note": note},
                          actor, now)
        session.flush()
        uow.commit()
        return objection


def decide(uow: UnitOfWork, objection_id: int, *, upheld: bool, decided_on: date, actor: str, now: datetime,
           summary: str = "", served_on: date | None = None, corrected_value_fen: int | None = None
           ) -> ObjectionDecision:
    """The court's ruling on an objection reviewed as an enforcement act (参考价规定 art. 22(2), 民诉法 art. 236),
    or on the qualification/procedure grounds first (art. 23(2)); its effect on the reference price is
    ``auction.objections.decision_effect``, stored here with the decision and the step."""
    with uow:
        session = uow.session
        _may_decide(uow, objection_id, actor, "裁定异议")
        objection = require_row(uow, Objection, objection_id, "异议")
        route = Route(objection.route) if objection.route else None
        report = session.get(ProcedureReport, objection.report_id)
        lot = session.get(ProcedureLot, report.lot_id)
        try:
            outcome = rules.decision_effect(State(objection.state), route, ReportKind(report.kind), objection.grounds,
                                            upheld=upheld, corrected_value_fen=corrected_value_fen,
                                            appraisal_firms=lot.appraisal_firms or [report.source],
                                            current_firm=lot.current_firm or report.source,
                                            material_requests=objection.material_requests)
        except (rules.InvalidObjection, rp.ReferencePriceError) as exc:
            raise ProcedureError(str(exc)) from exc
        event, effect = outcome.event, outcome.effect
        if outcome.corrected_value_fen is not None:
            report.corrected_value_fen = outcome.corrected_value_fen
        if outcome.reappraisal_by is not None:
            lot.current_firm = outcome.reappraisal_by
        decision = _record_decision(uow, objection, event, effect, decided_on=decided_on, summary=summary,
                                    served_on=served_on, actor=actor, now=now,
                                    details={"upheld": upheld, "decided_on": decided_on, "served_on": served_on,
                                             "summary": summary})
        uow.commit()
        return decision


def _ledger_objection(uow: UnitOfWork, objection: Objection, kind: str, payload: dict, actor: str,
                      now: datetime) -> None:
    case = uow.session.get(ProcedureCase, objection.case_id)
    ledger.append(uow.session, kind, {"objection_id": objection.id, **payload}, actor=actor,
                  court_code=case.court_code, case_number=case.case_number, recorded_at=now)


def _record_decision(uow: UnitOfWork, objection: Objection, event: Event, effect: dict, *, decided_on: date,
                     summary: str, actor: str, now: datetime, details: dict,
                     served_on: date | None = None) -> ObjectionDecision:
    """Store a decision (ruling or technical conclusion), take the step it makes, and write it to the ledger."""
    session = uow.session
    decision = ObjectionDecision(objection_id=objection.id, kind=event.value, decided_on=decided_on,
                                 summary=summary, effect=effect, actor=actor, created_at=now)
    session.add(decision)
    advance(uow, objection.id, event, on=decided_on, actor=actor, now=now, note=summary)
    if served_on is not None:
        objection.decision_served_on = served_on
    session.flush()
    _ledger_objection(uow, objection, "objection.decision",
                      {"decision_id": decision.id, "kind": event.value, "effect": effect, **details}, actor, now)
    return decision


def record_service_of_decision(uow: UnitOfWork, objection_id: int, *, served_on: date, actor: str,
                               now: datetime) -> Objection:
    """The ruling was served: the 10-day review period runs from here (民诉法 art. 236)."""
    with uow:
        _may_decide(uow, objection_id, actor, "登记异议裁定送达")
        objection = require_row(uow, Objection, objection_id, "异议")
        if objection.state not in (State.UPHELD.value, State.REJECTED.value, State.NOT_ACCEPTED.value):
            raise ProcedureError("只有已作出异议裁定或不予受理裁定的异议才能登记裁定送达。")
        objection.decision_served_on = served_on
        _ledger_objection(uow, objection, "objection.transition", {"event": "decision_served", "on": served_on},
                          actor, now)
        uow.commit()
        return objection


def record_technical_conclusion(uow: UnitOfWork, objection_id: int, *, confirms: bool, decided_on: date,
                                actor: str, now: datetime, summary: str = "") -> ObjectionDecision:
    """The association's technical-review conclusion (参考价规定 arts. 23(1), 26; the effect is
    ``auction.objections.technical_conclusion_effect``); confirming it fixes the reference price."""
    with uow:
        session = uow.session
        _may_decide(uow, objection_id, actor, "登记技术评审结论")
        objection = require_row(uow, Objection, objection_id, "异议")
        conclusion = rules.technical_conclusion_effect(confirms)
        event, effect = conclusion.event, conclusion.effect
        rules.transition(State(objection.state), event, Route(objection.route) if objection.route else None)
        report = session.get(ProcedureReport, objection.report_id)
        decision = _record_decision(uow, objection, event, effect, decided_on=decided_on, summary=summary,
                                    actor=actor, now=now, details={"report_id": report.id})
        if confirms:
            fix_reference_price(uow, report.id, today=decided_on, actor=actor, now=now)
        uow.commit()
        return decision


def decide_admission(uow: UnitOfWork, objection_id: int, *, accept: bool, decided_on: date, actor: str,
                     now: datetime, route: str | None = None, reason: str = "",
                     served_on: date | None = None) -> Objection:
    """The judge's decision on admissibility (异议复议规定 art. 2(1)): 立案 on a route (the assessed one unless the
    judge names another), or a 不予受理 ruling with its reason; once served, the ruling starts the 10-day period
    for 复议 (art. 2(3)). Both are recorded as steps and decisions and written to the ledger."""
    with uow:
        objection = require_row(uow, Objection, objection_id, "异议")
        if accept:
            chosen = route or objection.route
            if not chosen:
                raise ProcedureError("初步审查未确定审查程序，立案时应选择审查程序。")
            try:
                chosen_route = Route(chosen)
            except ValueError:
                raise ProcedureError(f"审查程序“{chosen}”不正确。") from None
            rules.transition(State(objection.state), Event.REGISTER, chosen_route)
            objection.route, objection.admissible = chosen_route.value, True
            advance(uow, objection.id, Event.REGISTER, on=decided_on, actor=actor, now=now,
                    note=reason or rules.ROUTE_NAMES[chosen_route])
        else:
            if not reason.strip():
                raise ProcedureError("裁定不予受理应写明理由。")
            rules.transition(State(objection.state), Event.REFUSE, None)
            objection.admissible = False
            _record_decision(uow, objection, Event.REFUSE, {"review": "可自裁定送达之日起十日内向上一级人民法院申请复议"
                                                                     "（异议复议规定第二条第三款）"},
                             decided_on=decided_on, summary=reason.strip(), served_on=served_on, actor=actor, now=now,
                             details={"accept": False, "reason": reason.strip(), "served_on": served_on})
        uow.commit()
        return objection


def apply_for_review(uow: UnitOfWork, objection_id: int, *, applied_on: date, actor: str, now: datetime,
                     mailed_on: date | None = None) -> Objection:
    """An application for 复议 of a ruling (不予受理: 异议复议规定 art. 2(3); on the objection: 民诉法 art. 236):
    within 10 days of the ruling's service (a posted one by its postmark, 民诉法 art. 85(4)); a late one is
    refused with its reason and changes nothing."""
    with uow:
        objection = require_row(uow, Objection, objection_id, "异议")
        state = State(objection.state)
        rules.transition(state, Event.APPLY_FOR_REVIEW, Route(objection.route) if objection.route else None)
        try:
            check = rules.review_application(state, served_on=objection.decision_served_on, applied_on=applied_on,
                                             calendar=load_calendar(uow), mailed_on=mailed_on)
        except rules.InvalidObjection as exc:
            raise ProcedureError(str(exc)) from None
        if not check.timely:
            raise ProcedureError(f"{check.reason}（{check.article}）")
        if objection.route is None:
            # a 不予受理 ruling reviewed: the step exists for every route; keep the route unset
            pass
        advance(uow, objection.id, Event.APPLY_FOR_REVIEW, on=applied_on, actor=actor, now=now,
                note=check.reason + (f" 交邮日期 {mailed_on.isoformat()}。" if mailed_on else ""))
        uow.commit()
        return objection


def extend_review(uow: UnitOfWork, objection_id: int, *, days: int, approved_on: date, approved_by: str,
                  actor: str, now: datetime) -> Objection:
    """Record the president's approval to extend the review by at most 30 days (执行程序解释 art. 8)."""
    with uow:
        objection = require_row(uow, Objection, objection_id, "异议")
        if objection.state != State.REVIEW_APPLIED.value:
            raise ProcedureError("只有已申请复议、尚未作出复议裁定的异议可以延长复议审查期限。")
        if objection.review_extension_days:
            raise ProcedureError("复议审查期限已延长过一次（执行程序解释第八条：延长的期限不得超过三十日）。")
        if not approved_by.strip():
            raise ProcedureError("应填写批准延长的院长姓名（执行程序解释第八条：经本院院长批准）。")
        try:
            deadline = rules.review_decision_deadline(objection.state_entered_on, load_calendar(uow), days)
        except rules.InvalidObjection as exc:
            raise ProcedureError(str(exc)) from None
        if days <= 0:
            raise ProcedureError("延长天数应为 1 至 30 日。")
        objection.review_extension_days = days
        _ledger_objection(uow, objection, "objection.transition",
                          {"event": "review_extended", "days": days, "approved_on": approved_on,
                           "approved_by": approved_by.strip(), "due": deadline.due}, actor, now)
        uow.session.add(ObjectionEvent(objection_id=objection.id, event="review_extended", from_state=objection.state,
                                       to_state=objection.state, happened_on=approved_on, actor=actor,
                                       note=f"经院长{approved_by.strip()}批准延长 {days} 日，至 {deadline.label()}（执行程序解释第八条）",
                                       recorded_at=now))
        uow.commit()
        return objection


def list_objections(uow: UnitOfWork, case_number: str) -> list[Objection]:
    """The objections of a case, oldest first (for the parties' and the judge's pages)."""
    with uow:
        session = uow.session
        case = get_case(uow, case_number)
        return repo.objections_of_case(session, case.id)


def evidence_content(uow: UnitOfWork, evidence_id: int) -> EvidenceFile:
    """An evidence file for download, its content checked against the stored SHA-256 first."""
    with uow:
        item = require_row(uow, EvidenceFile, evidence_id, "证据文件")
        if hashlib.sha256(item.content).hexdigest() != item.sha256 or len(item.content) != item.size:
            raise ProcedureError(f"证据文件“{item.filename}”的内容与登记时的校验值不符，可能已被改动。")
        return item


# ---------------------------------------------------------------- what the pages and the API read


@dataclass(frozen=True)
class ObjectionRecord:
    """An objection with what its page shows beside it: the case, the report, the party, the decisions."""

    objection: Objection
    case: ProcedureCase
    report: ProcedureReport
    party: ProcedureParty
    decisions: list[ObjectionDecision]


def get_objection(uow: UnitOfWork, objection_id: int) -> tuple[Objection, ProcedureCase] | None:
    """An objection and its case (for the access check), or None."""
    with uow:
        objection = uow.session.get(Objection, objection_id)
        return (objection, uow.session.get(ProcedureCase, objection.case_id)) if objection is not None else None


def objection_record(uow: UnitOfWork, objection: Objection | int) -> ObjectionRecord:
    with uow:
        session = uow.session
        if not isinstance(objection, Objection):
            objection = require_row(uow, Objection, objection, "异议")
        decisions = repo.decisions_of(session, objection.id)
        return ObjectionRecord(objection, session.get(ProcedureCase, objection.case_id),
                               session.get(ProcedureReport, objection.report_id),
                               session.get(ProcedureParty, objection.party_id), decisions)


def court_objections(uow: UnitOfWork, court_code: str, *, open_only: bool = False, newest_first: bool = True,
                     case_number: str | None = None, limit: int = 200) -> list[Objection]:
    """The objections filed in a court's cases (the judges' inbox and the API list)."""
    with uow:
        return repo.objections_of_court(uow.session, court_code, case_number=case_number, newest_first=newest_first,
                                        limit=limit,
                                        excluding_states=[s.value for s in rules.FINAL_STATES] if open_only else ())


def party_objections(uow: UnitOfWork, party_ids: Sequence[int], *, case_id: int | None = None,
                     case_number: str | None = None, newest_first: bool = False, limit: int = 500) -> list[Objection]:
    """The objections filed by these registered parties (a party sees only their own)."""
    with uow:
        return repo.objections_of_parties(uow.session, party_ids, case_id=case_id, case_number=case_number,
                                          newest_first=newest_first, limit=limit)


def closed_filings(uow: UnitOfWork, party_id: int, report_id: int) -> int:
    """How many of a party's objections to a report were not accepted or withdrawn (a new filing may follow)."""
    with uow:
        return repo.count_party_objections(uow.session, party_id, report_id,
                                           (State.NOT_ACCEPTED.value, State.WITHDRAWN.value))


def get_party(uow: UnitOfWork, party_id: int) -> ProcedureParty | None:
    with uow:
        return uow.session.get(ProcedureParty, party_id)


def report_of_case(uow: UnitOfWork, case_number: str, report_id: int) -> tuple[ProcedureLot, ProcedureReport] | None:
    """A report and its lot, if the report belongs to that case; else None."""
    with uow:
        session = uow.session
        report = session.get(ProcedureReport, report_id)
        lot = session.get(ProcedureLot, report.lot_id) if report else None
        case = session.get(ProcedureCase, lot.case_id) if lot else None
        return (lot, report) if case is not None and case.case_number == case_number else None


def evidence_of(uow: UnitOfWork, objection_id: int, evidence_id: int) -> EvidenceFile | None:
    """An evidence file of that objection (or None)."""
    with uow:
        item = uow.session.get(EvidenceFile, evidence_id)
        return item if item is not None and item.objection_id == objection_id else None
