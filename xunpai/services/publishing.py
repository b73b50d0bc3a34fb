"""Publishing lots to the platforms: one-click, bulk from a spreadsheet, off-peak queue; outcomes and statistics.

Idempotency (a retry, or a rerun after the process was killed midway, never publishes a lot twice):

1. The key of a publication is derived from what identifies the listing — court, 标的编号, round, platform —
   so every run computes the same key for the same lot (``idempotency_key``).
2. The intent is committed (publication row ``sending`` with its key and package hash) *before* the remote
   call; the platform is asked to publish with that key, and the platform never creates two listings for one
   key (the local platform has a UNIQUE key; the outbox adapter names the file by the key).
3. A rerun finds rows left ``sending`` by a crash and reconciles them: it asks the platform for the key
   (``find``) or sends again with the same key, and records the earlier listing. Rows already ``published``
   are skipped. The UNIQUE (lot, platform) constraint keeps one publication per lot and platform.

Bulk publish validates every row first; a sheet with any bad row changes nothing and publishes nothing
(each bad row is reported with its row number and reason). Missing mandatory disclosures
(``auction.lot.missing_disclosures``) block publishing with the Chinese list of what is missing.
"""

from __future__ import annotations

import csv
import hashlib
import shutil
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from openpyxl import Workbook

from auction import case_number as case_numbers
from auction import media as media_rules
from auction import off_peak
from auction.documents import DocumentError, render_document_set
from auction.listing_plan import PlanRefused, plan_listing
from auction.lot import Attachment as LotAttachment
from auction.lot import CourtInfo, missing_disclosures
from auction.lot_form import FIELDS
from auction.lot_kinds import AuctionRound
from auction.lot_sheet import (
    FormCheck,
    PreparedLot,
    RowProblem,
    check_form,
    form_values,
    read_form,
    read_sheet,
)
from auction.platforms import (
    LISTING_STATUSES,
    Attachment,
    Platform,
    PlatformError,
    PlatformUnavailable,
    Publication,
)
from auction.platforms.package import normalize_documents
from tax_baseline.cells import neutralize_row
from xunpai.services import authority, lifecycle
from xunpai.services import procedure as procedure_service
from xunpai.storage import ledger
from xunpai.storage.models.lots import PUBLICATION_STAGES, BulkJob, BulkJobRow, Lot, LotDraft, LotMedia
from xunpai.storage.models.lots import Publication as PublicationRow
from xunpai.storage.repositories import lots as lots_repo
from xunpai.storage.repositories.lots import IntegrityError
from xunpai.storage.unit_of_work import UnitOfWork

ledger.register_kind("lot.imported", "导入拍卖标的")
ledger.register_kind("lot.published", "发布拍卖标的")
ledger.register_kind("lot.publish_failed", "拍卖标的发布失败")
ledger.register_kind("lot.queued", "拍卖标的错峰排队")
ledger.register_kind("lot.bulk_publish", "批量发布拍卖标的")
ledger.register_kind("lot.remote_status", "平台标的状态变化")
ledger.register_kind("lot.draft_saved", "保存标的草稿")
ledger.register_kind("lot.media_added", "上传标的照片或视频")
ledger.register_kind("lot.media_removed", "删除标的照片或视频")
ledger.register_kind("lot.upload_recorded", "登记上传包已上传平台")
ledger.register_kind("lot.withdrawn", "撤回或暂缓拍卖标的")
ledger.register_kind("lot.second_round", "流拍后建立下一轮标的")

KEY_VERSION = "xunpai-publication-v1"
DocumentsFor = Callable[[Any, Any], Any]  # (lot, plan) -> documents for the package

RESULT_NAMES = {
    "published": "已交平台",
    "ready": "准备就绪（上传包待下载上传）",
    "submitted": "已提交",
    "live": "已上线",
    "already_published": "此前已发布，未重复发布",
    "reconciled": "中断前已发布，已核对",
    "queued": "已排入错峰队列",
    "failed": "发布失败",
    "blocked": "缺少必须披露的事项，未发布",
    "not_sent": "未发送（平台不可用）",
}


class PublishingError(Exception):
    """A publishing step a user asked for cannot be taken (message in Chinese); nothing was changed."""


class DisclosuresMissing(PublishingError):
    def __init__(self, lot_code: str, missing: Sequence[str]):
        self.lot_code = lot_code
        self.missing = list(missing)
        super().__init__(f"标的 {lot_code} 缺少必须披露的事项，不能发布：{'、'.join(self.missing)}。")


class FormInvalid(PublishingError):
    def __init__(self, problems: Sequence[RowProblem]):
        self.problems = list(problems)
        super().__init__("标的信息有误，未建立标的：" + "；".join(p.reason for p in self.problems))


class SheetInvalid(PublishingError):
    def __init__(self, problems: Sequence[RowProblem]):
        self.problems = list(problems)
        lines = "\n".join(f"  第 {p.row} 行{f'（{p.lot_code}）' if p.lot_code else ''}：{p.reason}"
                          for p in self.problems)
        super().__init__(f"批量发布表有 {len(self.problems)} 行有误，未导入、未发布任何标的：\n{lines}")


def idempotency_key(court_code: str, lot_code: str, round_: str, platform: str) -> str:
    """The same listing always gets the same key, in every run and on every machine."""
    body = "\x00".join((KEY_VERSION, court_code, lot_code, round_, platform))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()[:40]


def _now() -> datetime:
    return ledger.now_local()


# --- import ---------------------------------------------------------------------------------------------

def _lot_key(p: PreparedLot) -> tuple[str, str, str]:
    return (p.court_code, p.lot_code, p.round)


def _existing_lots(uow: UnitOfWork, prepared: Sequence[PreparedLot]) -> dict[tuple[str, str, str], Lot]:
    return {(lot.court_code, lot.lot_code, lot.round): lot
            for lot in lots_repo.lots_by_codes(uow.session, (p.lot_code for p in prepared))}


def check_against_database(uow: UnitOfWork, prepared: Sequence[PreparedLot]) -> list[RowProblem]:
    """A lot already published may not be changed by a new sheet (its listing is public)."""
    with uow:
        problems = []
        existing = _existing_lots(uow, prepared)
        for p in prepared:
            lot = existing.get(_lot_key(p))
            if lot is not None and lot.status != "draft" and lot.content_sha256 != p.content_sha256:
                problems.append(RowProblem(p.row, p.lot_code, "该标的已发布或已排队，表中内容与已发布内容不同；"
                                                             "已发布的标的不能通过批量表修改。"))
            # 参考价规定 arts. 22-23, 27: the reference price is the case's fixed price, usable for this sale
            refusal = procedure_service.refusal_for_lot(
                uow, lots_repo.procedure_lot_id_for(uow.session, p.lot.case_number, p.lot.title), p.lot)
            if refusal:
                problems.append(RowProblem(p.row, p.lot_code, refusal))
        return problems


LOT_WRITERS = authority.LOT_WRITERS


def court_problems(uow: UnitOfWork, prepared: Sequence[PreparedLot], actor: str) -> list[RowProblem]:
    """Every row whose lot belongs to a court the actor may not write (its court comes from the row's case
    number): one problem per row, the refusal written once to the ledger (``authority.refused_rows``). Called
    first in the service's block (or by a view before it starts the job), so the ledger entry survives."""
    refused = authority.refused_rows(uow, actor, ((p.row, p.court_code) for p in prepared), what="导入或发布拍卖标的",
                                     roles=LOT_WRITERS)
    codes = {p.row: p.lot_code for p in prepared}
    return [RowProblem(row, codes.get(row, ""), why) for row, why in refused]


def _require_lot_writer(uow: UnitOfWork, lot_ids: Sequence[int], actor: str, what: str) -> None:
    """A clerk publishes, queues or records only their own court's lots (``authority.require``; called first in
    the service's block)."""
    for court in sorted(lots_repo.courts_of_lots(uow.session, lot_ids)):
        authority.require(uow, actor, court, what=what, roles=LOT_WRITERS)


def import_lots(uow: UnitOfWork, prepared: Sequence[PreparedLot], *, actor: str = "",
                counts: dict[str, int] | None = None) -> list[Lot]:
    """Insert new lots, update drafts whose content changed, keep the rest; same order as ``prepared``.
    ``counts`` (when given) receives how many were new, changed and unchanged."""
    tally = counts if counts is not None else {}
    for key in ("new", "changed", "unchanged"):
        tally.setdefault(key, 0)
    with uow:
        session = uow.session
        existing = _existing_lots(uow, prepared)
        now = _now()
        lots = []
        for p in prepared:
            lot = existing.get(_lot_key(p))
            if lot is None:
                lot = Lot(lot=p.lot, status="draft", created_at=now, updated_at=now)
                session.add(lot)
                existing[_lot_key(p)] = lot
                tally["new"] += 1
            elif lot.content_sha256 == p.content_sha256:
                lots.append(lot)
                tally["unchanged"] += 1
                continue
            else:
                lot.lot, lot.updated_at = p.lot, now  # a changed draft; the query columns follow (Lot._derive)
                tally["changed"] += 1
            # the reference-price procedure's lot of the same case and name (参考价规定), when there is one
            lot.procedure_lot_id = lots_repo.procedure_lot_id_for(session, p.lot.case_number, p.lot.title)
            session.flush()
            ledger.append(session, "lot.imported",
                          {"lot_id": lot.id, "lot_code": lot.lot_code, "round": lot.round,
                           "content_sha256": lot.content_sha256, "starting_price_fen": lot.starting_price_fen},
                          actor=actor, court_code=lot.court_code, case_number=lot.case_number, purpose="导入拍卖标的")
            lots.append(lot)
        session.flush()
        uow.commit()
        return lots


def import_sheet(uow: UnitOfWork, sheet: str | Path, *, actor: str = "", today: date | None = None,
                 counts: dict[str, int] | None = None) -> list[int]:
    """Validate every row, then import all lots in one transaction; returns the lot ids in row order
    (``counts``: how many were new, changed, unchanged)."""
    prepared, problems = read_sheet(sheet, today=today)
    with uow:
        problems += court_problems(uow, prepared, actor)
        problems += check_against_database(uow, prepared)
        if problems:
            raise SheetInvalid(sorted(problems, key=lambda p: p.row))
        ids = [lot.id for lot in import_lots(uow, prepared, actor=actor, counts=counts)]
        uow.commit()
        return ids


def render_documents(lot: Any, plan: Any, court: CourtInfo | None = None) -> list[Any] | None:
    """The lot's document set (DOCX and PDF) from ``auction.documents``, as attachments for the package; ``court``
    is the stored court profile (``xunpai.services.lifecycle.court_info``) when the caller has it."""
    workdir = Path(tempfile.mkdtemp(prefix="xunpai-docs-"))
    try:
        court = court or CourtInfo(name=lot.court_name, contacts=lot.contacts)
        paths = render_document_set(lot, lot.plan, court, workdir)
        # files are named <lot_id>-<kind>.<fmt>; the kind (announcement, bidder_notice ...) is the tab role
        return [Attachment(Path(p).name, Path(p).read_bytes(), Path(p).stem.rsplit("-", 1)[-1]) for p in paths]
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


def documents_with_court_profile(uow: UnitOfWork) -> DocumentsFor:
    """The documents of each lot made with its court's stored profile (``xunpai.services.lifecycle``: account,
    collegial panel, clerk, supervision phone, seal), read once per court. A court without a complete stored
    profile gets no documents: ``DocumentError`` names, in Chinese, the court details the documents lack (the
    lot is then reported blocked, never published with "—" in the account or the panel)."""
    profiles: dict[str, CourtInfo | None] = {}

    def make(lot: Any, plan: Any) -> list[Any] | None:
        code = case_numbers.parse(lot.case_number).court_code
        if code not in profiles:
            profiles[code] = lifecycle.court_info(uow, code)
        court = profiles[code]
        missing = (court or CourtInfo(name=lot.court_name, contacts=lot.contacts)).missing()
        if court is None or missing:
            raise DocumentError(f"法院 {code} 尚未保存完整的法院信息，拍卖公告、竞买须知和裁定书缺少："
                                + "、".join(missing) + "；请本院管理员在“法院信息”页填写后再附文书发布。")
        return render_documents(lot, plan, court)

    return make


def create_lot(uow: UnitOfWork, values: dict[str, Any], *, actor: str = "", court_code: str | None = None,
               today: date | None = None) -> int:
    """One lot from a form with the sheet's columns (the web's 新建标的): the same checks and Chinese reasons as a
    sheet row (``auction.lot_sheet.read_form``), stored as a draft like ``import_sheet`` stores a row; returns its id.
    With ``court_code`` (the acting clerk's court) a case of another court is refused."""
    prepared, problems = read_form(values, today=today)
    if prepared is not None and court_code is not None and prepared.court_code != court_code:
        problems = [RowProblem(1, prepared.lot_code, f"案号 {prepared.lot.case_number} 属于法院 {prepared.court_code}，"
                                                     f"只能为本院（{court_code}）的案件建立标的")]
    with uow:
        if prepared is not None and not problems:
            problems = court_problems(uow, [prepared], actor)
        if not problems:
            problems = check_against_database(uow, [prepared])
        if problems:
            raise FormInvalid(problems)
        (lot,) = import_lots(uow, [prepared], actor=actor)
        uow.commit()
        return lot.id


# --- sending ----------------------------------------------------------------------------------------------

@dataclass
class LotResult:
    lot_id: int
    lot_code: str
    title: str
    result: str
    remote_id: str = ""
    url: str = ""
    idempotency_key: str = ""
    message: str = ""
    row: int | None = None
    stage: str | None = None  # what is true on the platform after this run (PUBLICATION_STAGES)

    @property
    def result_name(self) -> str:
        if self.stage and self.result == "published":
            return RESULT_NAMES[self.stage]
        if self.stage and self.result == "reconciled":
            return f"{RESULT_NAMES['reconciled']}（{PUBLICATION_STAGES[self.stage]}）"
        return RESULT_NAMES.get(self.result, self.result)


@dataclass
class SendReport:
    results: list[LotResult] = field(default_factory=list)
    stopped: str = ""  # why the run stopped early (platform unavailable)

    def count(self, result: str) -> int:
        return sum(1 for r in self.results if r.result == result)


def _missing_of(domain_lot: Any) -> list[str]:
    return list(missing_disclosures(domain_lot))


def _missing(lot: Lot) -> list[str]:
    return _missing_of(lot.lot)


def _record_intents(uow: UnitOfWork, built: dict[int, tuple[Any, str]], lots: dict[int, Lot], code: str,
                    job_id: int | None, report: SendReport) -> dict[int, tuple[Any, str, bool]]:
    """Mark each publication ``sending`` with its key and package hash; returns lot_id -> (package, key,
    was it already sending (a crashed run's intent, to reconcile))."""
    packages: dict[int, tuple[Any, str, bool]] = {}
    skipped: list[LotResult] = []
    with uow:
        session = uow.session
        rows = lots_repo.publications_by_lot(session, built, code)
        now = _now()
        for lot_id, (package, key) in built.items():
            pub = rows.get(lot_id)
            if pub is not None and pub.status == "published":  # another run finished it meanwhile
                lot = lots[lot_id]
                skipped.append(LotResult(lot.id, lot.lot_code, lot.title, "already_published", pub.remote_id or "",
                                         pub.url or "", key))
                continue
            was_sending = pub is not None and pub.status == "sending"
            if pub is None:
                pub = PublicationRow(lot_id=lot_id, platform=code, idempotency_key=key, created_at=now,
                                     attempts=0, bulk_job_id=job_id)
                session.add(pub)
            pub.status = "sending"
            pub.attempts = (pub.attempts or 0) + 1
            pub.package_sha256 = package.sha256
            packages[lot_id] = (package, key, was_sending)
        uow.commit()
    report.results += skipped
    return packages


def _outside_transactions(uow: UnitOfWork) -> None:
    """The intent must be committed before the remote call (see the module docstring): a send never runs inside
    a caller's transaction, where the intent would only be committed at its end."""
    if uow.depth:
        raise RuntimeError("publishing sends cannot run inside another `with uow:` block")


def _send(uow: UnitOfWork, lot_ids: Sequence[int], platform: Platform, *, actor: str,
          documents_for: DocumentsFor | None, job_id: int | None = None, pace: float = 0.0,
          on_progress: Callable[[int], None] | None = None, allowed_queued: bool = True) -> SendReport:
    """Publish ``lot_ids`` to ``platform`` as one batch: intents committed, remote calls, results committed."""
    _outside_transactions(uow)
    report = SendReport()
    code = platform.name
    # 1. Read (short transaction), then build the packages outside any transaction: rendering documents can
    #    take a second a lot and must not hold the database's write lock.
    with uow:
        lots = lots_repo.lots_by_ids(uow.session, lot_ids)
        pubs = {lot_id: (p.status, p.remote_id, p.url)
                for lot_id, p in lots_repo.publications_by_lot(uow.session, lot_ids, code).items()}
    built: dict[int, tuple[Any, str]] = {}  # lot_id -> (package, key)
    for lot_id in lot_ids:
        lot = lots[lot_id]
        status, remote_id, url = pubs.get(lot_id, (None, None, None))
        key = idempotency_key(lot.court_code, lot.lot_code, lot.round, code)
        if status == "published":
            report.results.append(LotResult(lot.id, lot.lot_code, lot.title, "already_published", remote_id or "",
                                            url or "", key))
            continue
        if status == "queued" and not allowed_queued:
            continue
        domain_lot = lot.lot
        missing = _missing_of(domain_lot)
        if missing:
            report.results.append(LotResult(lot.id, lot.lot_code, lot.title, "blocked", idempotency_key=key,
                                            message="缺少：" + "、".join(missing)))
            continue
        refusal = procedure_service.refusal_for_lot(uow, lot.procedure_lot_id, domain_lot)  # 参考价规定 art. 27
        if refusal:
            report.results.append(LotResult(lot.id, lot.lot_code, lot.title, "blocked", idempotency_key=key,
                                            message=refusal))
            continue
        try:
            documents = documents_for(domain_lot, domain_lot.plan) if documents_for else None
        except DocumentError as exc:  # a document that cannot be made says why; the lot is not sent
            report.results.append(LotResult(lot.id, lot.lot_code, lot.title, "blocked", idempotency_key=key,
                                            message=str(exc)))
            continue
        files = list(normalize_documents(documents)) + media_attachments(domain_lot)
        built[lot_id] = (platform.build_package(domain_lot, domain_lot.plan, files or None), key)
    # 2. Record the intents (one short write transaction) before any remote call.
    for attempt in (1, 2):
        try:
            packages = _record_intents(uow, built, lots, code, job_id, report)
            break
        except IntegrityError:
            # A concurrent run inserted the same publication rows first; read them again and go on.
            if attempt == 2:
                raise
    # The intents are committed: from here a crash leaves 'sending' rows that the next run reconciles.
    outcomes: dict[int, tuple[str, Publication | None, str]] = {}
    finder = getattr(platform, "find", None)
    for lot_id in lot_ids:
        if lot_id not in packages:
            if on_progress:
                on_progress(1)
            continue
        package, key, was_sending = packages[lot_id]
        if report.stopped:
            outcomes[lot_id] = ("not_sent", None, report.stopped)
            continue
        try:
            found = finder(key) if (was_sending and finder is not None) else None
            if found is not None:
                outcomes[lot_id] = ("reconciled", found, "")
            else:
                publication = platform.publish(package, key)
                outcomes[lot_id] = ("published" if publication.created or not was_sending else "reconciled",
                                    publication, "")
        except PlatformUnavailable as exc:
            report.stopped = str(exc)
            outcomes[lot_id] = ("not_sent", None, str(exc))
        except PlatformError as exc:
            outcomes[lot_id] = ("failed", None, str(exc))
        if on_progress:
            on_progress(1)
        if pace:
            time.sleep(pace)
    with uow:
        session = uow.session
        lots = lots_repo.lots_by_ids(session, outcomes)
        pubs = lots_repo.publications_by_lot(session, outcomes, code)
        now = _now()
        for lot_id, (result, publication, message) in outcomes.items():
            lot, pub = lots[lot_id], pubs[lot_id]
            if publication is not None:
                # Conditional update: if a concurrent run recorded this publication first, it also wrote the
                # ledger entry; the row lock plus the re-checked WHERE make this run skip it (one entry per lot).
                claimed = lots_repo.claim_publication(session, pub.id, remote_id=publication.remote_id,
                                                      url=publication.url, remote_status=publication.status,
                                                      sent_at=now)
                if not claimed:
                    report.results.append(LotResult(lot.id, lot.lot_code, lot.title, "already_published",
                                                    publication.remote_id, publication.url, pub.idempotency_key))
                    continue
                lot.status, lot.updated_at = "published", now
                pub.stage, pub.stage_at, pub.stage_by = stage_of(publication), now, actor or None
                ledger.append(session, "lot.published",
                              {"lot_id": lot.id, "lot_code": lot.lot_code, "round": lot.round, "platform": code,
                               "remote_id": publication.remote_id, "url": publication.url,
                               "idempotency_key": pub.idempotency_key, "package_sha256": pub.package_sha256,
                               "reconciled": result == "reconciled"},
                              actor=actor, court_code=lot.court_code, case_number=lot.case_number,
                              purpose="发布拍卖标的")
                report.results.append(LotResult(lot.id, lot.lot_code, lot.title, result, publication.remote_id,
                                                publication.url, pub.idempotency_key, stage=pub.stage))
            else:
                pub.last_error = message
                if result == "failed":
                    pub.status = "failed"
                    pub.stage, pub.stage_at, pub.stage_by = "failed", now, actor or None
                    ledger.append(session, "lot.publish_failed",
                                  {"lot_id": lot.id, "platform": code, "error": message,
                                   "idempotency_key": pub.idempotency_key},
                                  actor=actor, court_code=lot.court_code, case_number=lot.case_number,
                                  purpose="发布拍卖标的")
                # not_sent: left 'sending'; the next run reconciles it with the same key.
                report.results.append(LotResult(lot.id, lot.lot_code, lot.title, result,
                                                idempotency_key=pub.idempotency_key, message=message))
        uow.commit()
    return report


def publish_lot(uow: UnitOfWork, lot_id: int, platform: Platform, *, actor: str = "",
                documents_for: DocumentsFor | None = None) -> LotResult:
    """One-click publish. Refuses (changing nothing) when mandatory disclosures are missing."""
    _outside_transactions(uow)
    with uow:
        session = uow.session
        _require_lot_writer(uow, [lot_id], actor, "发布拍卖标的")
        lot = session.get(Lot, lot_id)
        if lot is None:
            raise PublishingError(f"标的 {lot_id} 不存在；请先用 lots import 导入。")
        missing = _missing(lot)
        if missing:
            raise DisclosuresMissing(lot.lot_code, missing)
        refusal = procedure_service.refusal_for_lot(uow, lot.procedure_lot_id, lot.lot)  # 参考价规定 art. 27
        if refusal:
            raise PublishingError(f"标的 {lot.lot_code} 不能发布：{refusal}")
    report = _send(uow, [lot_id], platform, actor=actor, documents_for=documents_for)
    result = report.results[0]
    if result.result in ("failed", "not_sent"):
        raise PublishingError(f"标的 {result.lot_code} 发布失败：{result.message}（可重试，不会重复发布）")
    return result


def refresh_statuses(uow: UnitOfWork, platforms: Callable[[str], Platform], *, actor: str = "",
                     platform_code: str | None = None) -> list[tuple[int, str, str | None, str]]:
    """Ask each platform for the status of our published listings (``Platform.status``); record changes
    (e.g. 京东 auctionStatus 5 已撤回) on the publication and in the ledger. Returns (lot id, platform, old, new)."""
    _outside_transactions(uow)
    with uow:
        targets = lots_repo.published_with_remote_id(uow.session, platform_code)
    answers = {}
    for pub_id, code, remote_id in targets:
        platform = platforms(code)
        if getattr(platform, "package_only", False):
            continue  # nothing to ask: the clerk records what the platform shows (record_upload)
        answers[pub_id] = platform.status(remote_id).status
    changes = []
    with uow:
        session = uow.session
        for pub_id, new_status in answers.items():
            pub = session.get(PublicationRow, pub_id)
            if pub.remote_status == new_status:
                continue
            old, pub.remote_status = pub.remote_status, new_status
            stage = {"announced": "live", "bidding": "live", "withdrawn": "withdrawn", "suspended": "suspended",
                     "terminated": "terminated", "ended": "ended"}.get(new_status)
            if stage and pub.stage != stage:
                pub.stage, pub.stage_at, pub.stage_by = stage, _now(), actor or None
            lot = session.get(Lot, pub.lot_id)
            ledger.append(session, "lot.remote_status",
                          {"lot_id": lot.id, "platform": pub.platform, "remote_id": pub.remote_id, "from": old,
                           "to": new_status, "to_name": LISTING_STATUSES.get(new_status, new_status)},
                          actor=actor, court_code=lot.court_code, case_number=lot.case_number, purpose="平台状态同步")
            changes.append((lot.id, pub.platform, old, new_status))
        uow.commit()
    return changes


def reconcile(uow: UnitOfWork, platforms: Callable[[str], Platform], *, actor: str = "",
              batch_size: int = 50) -> SendReport:
    """Finish every publication a crashed run left ``sending`` (whatever started it: one-click, bulk, queue):
    the platform is asked for the key, or sent the package again with the same key — never a second listing."""
    _outside_transactions(uow)
    with uow:
        stuck = lots_repo.sending_publications(uow.session)
    return _send_per_platform(uow, stuck, platforms, batch_size, actor=actor, documents_for=None)


def _send_per_platform(uow: UnitOfWork, publications: Sequence[tuple[int, str]], platforms: Callable[[str], Platform],
                       batch_size: int, **send: Any) -> SendReport:
    """Send (lot id, platform) pairs platform by platform in batches; stop at the first platform unavailable."""
    report = SendReport()
    by_platform: dict[str, list[int]] = {}
    for lot_id, code in publications:
        by_platform.setdefault(code, []).append(lot_id)
    for code, ids in by_platform.items():
        platform = platforms(code)
        for start in range(0, len(ids), batch_size):
            part = _send(uow, ids[start:start + batch_size], platform, **send)
            report.results += part.results
            if part.stopped:
                report.stopped = part.stopped
                return report
    return report


# --- off-peak queue -----------------------------------------------------------------------------------------

def queue_lots(uow: UnitOfWork, lot_ids: Sequence[int], platform_code: str, windows: Sequence[off_peak.Window],
               *, now: datetime | None = None, actor: str = "", job_id: int | None = None) -> list[LotResult]:
    """Put publications in the off-peak queue: each is sent by ``send_queued`` inside a window, not before
    ``not_before`` (the next window start). Lots already published or queued are left as they are."""
    now = now or _now()
    not_before = off_peak.next_window_start(now, windows)
    results = []
    with uow:
        session = uow.session
        _require_lot_writer(uow, lot_ids, actor, "将拍卖标的排入错峰发布")
        lots = lots_repo.lots_by_ids(session, lot_ids)
        pubs = lots_repo.publications_by_lot(session, lot_ids, platform_code)
        for lot_id in lot_ids:
            lot = lots.get(lot_id)
            if lot is None:
                raise PublishingError(f"标的 {lot_id} 不存在。")
            missing = _missing(lot)
            if missing:
                raise DisclosuresMissing(lot.lot_code, missing)
            pub = pubs.get(lot_id)
            key = idempotency_key(lot.court_code, lot.lot_code, lot.round, platform_code)
            if pub is not None and pub.status == "published":
                results.append(LotResult(lot.id, lot.lot_code, lot.title, "already_published", pub.remote_id or "",
                                         pub.url or "", key))
                continue
            if pub is None:
                pub = PublicationRow(lot_id=lot.id, platform=platform_code, idempotency_key=key, status="queued",
                                     created_at=now, attempts=0, bulk_job_id=job_id, not_before=not_before)
                session.add(pub)
            elif pub.status in ("failed",):
                pub.status, pub.not_before = "queued", not_before
            if lot.status == "draft":
                lot.status = "queued"
            session.flush()
            ledger.append(session, "lot.queued", {"lot_id": lot.id, "platform": platform_code,
                                                  "not_before": pub.not_before, "windows": off_peak.describe(windows)},
                          actor=actor, court_code=lot.court_code, case_number=lot.case_number, purpose="错峰发布")
            results.append(LotResult(lot.id, lot.lot_code, lot.title, "queued", idempotency_key=key,
                                     message=f"将于 {pub.not_before:%Y-%m-%d %H:%M} 起的错峰时段发送"))
        uow.commit()
    return results


def send_queued(uow: UnitOfWork, platforms: Callable[[str], Platform], windows: Sequence[off_peak.Window], *,
                now: datetime | None = None, actor: str = "", documents_for: DocumentsFor | None = None,
                batch_size: int = 50, on_progress: Callable[[int], None] | None = None) -> SendReport:
    """Send the queued publications that are due — only inside an off-peak window."""
    _outside_transactions(uow)
    now = now or _now()
    if not off_peak.in_window(now, windows):
        start = off_peak.next_window_start(now, windows)
        raise PublishingError(f"当前时间 {now:%Y-%m-%d %H:%M} 不在错峰时段（{off_peak.describe(windows)}）内，"
                              f"未发送任何标的；下一个时段自 {start:%Y-%m-%d %H:%M} 开始。")
    with uow:
        due = lots_repo.due_publications(uow.session, now)
    return _send_per_platform(uow, due, platforms, batch_size, actor=actor, documents_for=documents_for,
                              on_progress=on_progress)


# --- bulk ---------------------------------------------------------------------------------------------------

@dataclass
class BulkReport(SendReport):
    job_id: int | None = None
    total: int = 0
    resumed: bool = False


def _sheet_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def prepare_bulk(uow: UnitOfWork, sheet: str | Path, platform_code: str, *, actor: str = "", court_code: str = "",
                 today: date | None = None) -> tuple[int, list[tuple[int, int]], bool]:
    """Validate ALL rows (nothing is written if any is bad), import the lots and open (or resume) the job.

    Returns (job id, [(row number, lot id)] in row order, resumed?)."""
    path = Path(sheet)
    prepared, problems = read_sheet(path, today=today)
    digest = _sheet_sha256(path)
    for attempt in (1, 2):
        try:
            return _open_job(uow, path, digest, prepared, problems, platform_code, actor, court_code)
        except IntegrityError:
            # A concurrent run of the same sheet inserted the same lots or job first; its rows are committed
            # now, so the second attempt resumes them instead.
            if attempt == 2:
                raise
    raise AssertionError("unreachable")


def _open_job(uow: UnitOfWork, path: Path, digest: str, prepared: Sequence[PreparedLot], problems: list[RowProblem],
              platform_code: str, actor: str, court_code: str) -> tuple[int, list[tuple[int, int]], bool]:
    problems = list(problems)
    with uow:
        session = uow.session
        problems += court_problems(uow, prepared, actor)
        problems += check_against_database(uow, prepared)
        if problems:
            raise SheetInvalid(sorted(problems, key=lambda p: p.row))
        job = lots_repo.bulk_job_for_sheet(session, digest, platform_code)
        resumed = job is not None
        lots = import_lots(uow, prepared, actor=actor)
        now = _now()
        if job is None:
            job = BulkJob(sheet_name=path.name, sheet_sha256=digest, platform=platform_code, court_code=court_code,
                          actor=actor, status="running", total=len(prepared), runs=1, created_at=now)
            session.add(job)
            session.flush()
            session.add_all(BulkJobRow(job_id=job.id, row_number=p.row, lot_id=lot.id)
                            for p, lot in zip(prepared, lots, strict=True))
        else:
            job.runs += 1
            job.status = "running"
        ledger.append(session, "lot.bulk_publish",
                      {"job_id": job.id, "sheet": path.name, "sheet_sha256": digest, "platform": platform_code,
                       "lots": len(prepared), "run": job.runs},
                      actor=actor, court_code=court_code, purpose="批量发布拍卖标的")
        rows = [(p.row, lot.id) for p, lot in zip(prepared, lots, strict=True)]
        uow.commit()
        return job.id, rows, resumed


def bulk_publish(uow: UnitOfWork, sheet: str | Path, platform: Platform, *, actor: str = "", court_code: str = "",
                 documents_for: DocumentsFor | None = None, batch_size: int = 50, pace: float = 0.0,
                 on_progress: Callable[[int], None] | None = None, on_prepared: Callable[[int], None] | None = None,
                 queue_windows: Sequence[off_peak.Window] | None = None, now: datetime | None = None,
                 today: date | None = None) -> BulkReport:
    """Bulk publish: validate all, import, then publish in batches (or queue them into off-peak windows)."""
    _outside_transactions(uow)
    job_id, rows, resumed = prepare_bulk(uow, sheet, platform.name, actor=actor, court_code=court_code,
                                         today=today)
    if on_prepared:
        on_prepared(len(rows))
    report = BulkReport(job_id=job_id, total=len(rows), resumed=resumed)
    row_of = {lot_id: row for row, lot_id in rows}
    lot_ids = [lot_id for _row, lot_id in rows]
    if queue_windows is not None:
        report.results = queue_lots(uow, lot_ids, platform.name, queue_windows, now=now, actor=actor,
                                    job_id=job_id)
        if on_progress:
            on_progress(len(lot_ids))
    else:
        for start in range(0, len(lot_ids), batch_size):
            part = _send(uow, lot_ids[start:start + batch_size], platform, actor=actor,
                         documents_for=documents_for, job_id=job_id, pace=pace, on_progress=on_progress)
            report.results += part.results
            if part.stopped:
                report.stopped = part.stopped
                done = {r.lot_id for r in report.results}
                report.results += [LotResult(i, "", "", "not_sent", message=part.stopped)
                                   for i in lot_ids if i not in done]
                break
    for result in report.results:
        result.row = row_of.get(result.lot_id)
    if not report.stopped:
        with uow:
            session = uow.session
            job = session.get(BulkJob, job_id)
            job.status, job.finished_at = "done", _now()
            uow.commit()
    fill_codes(uow, report.results)
    report.results.sort(key=lambda r: r.row or 0)
    return report


def fill_codes(uow: UnitOfWork, results: list[LotResult]) -> None:
    missing = [r for r in results if not r.lot_code]
    if not missing:
        return
    with uow:
        lots = lots_repo.lots_by_ids(uow.session, [r.lot_id for r in missing])
        for r in missing:
            r.lot_code, r.title = lots[r.lot_id].lot_code, lots[r.lot_id].title


def all_of_court(uow: UnitOfWork, lot_ids: Sequence[int], court_code: str) -> bool:
    """Whether every one of ``lot_ids`` is a lot of that court (a clerk acts only on their own court's lots)."""
    with uow:
        return lots_repo.lots_of_court(uow.session, lot_ids, court_code) == set(lot_ids)


def get_lot(uow: UnitOfWork, lot_id: int) -> Lot | None:
    with uow:
        return uow.session.get(Lot, lot_id)


def court_lots(uow: UnitOfWork, court_code: str, *, status: str = "", text: str = "", newest_first: bool = True,
               limit: int = 500) -> list[Lot]:
    """A court's lots, optionally of one status or matching a text (title, 标的编号, case number)."""
    with uow:
        return lots_repo.court_lots(uow.session, court_code, status=status, text=text, newest_first=newest_first,
                                    limit=limit)


def judge_may_see(uow: UnitOfWork, lot_id: int, username: str) -> bool:
    """A judge sees the lots of their own cases: the case's judge in charge, or any judge of the court while the
    case names none."""
    with uow:
        judge = lots_repo.case_judge_of_lot(uow.session, lot_id)
    return not judge or judge == username


def lot_counts(uow: UnitOfWork, court_code: str) -> dict[str, int]:
    """How many of a court's lots are in each status."""
    with uow:
        return lots_repo.lot_counts_by_status(uow.session, court_code)


def lots_with_code(uow: UnitOfWork, lot_code: str) -> list[Any]:
    """The lots stored under a 标的编号 (one per court and round): rows of id, court_code, round, case_number."""
    with uow:
        return lots_repo.lots_with_code(uow.session, lot_code)


def stored_lot(uow: UnitOfWork, lot_id: int) -> Any | None:
    """The domain lot (``auction.lot.Lot``) as it was imported, or None."""
    with uow:
        row = uow.session.get(Lot, lot_id)
        return row.lot if row is not None else None


RESULT_HEADERS = ("行号", "标的编号", "标的名称", "结果", "平台标的号", "链接", "幂等键", "说明")


def write_results(path: str | Path, results: Sequence[LotResult] = (), problems: Sequence[RowProblem] = ()) -> None:
    """The per-lot result file (.xlsx or .csv); for a refused sheet, one line per bad row."""
    path = Path(path)
    lines = [[r.row or "", r.lot_code, r.title, r.result_name, r.remote_id, r.url, r.idempotency_key, r.message]
             for r in results]
    lines += [[p.row, p.lot_code or "", "", "数据有误，未发布", "", "", "", p.reason] for p in problems]
    lines = [neutralize_row(line) for line in lines]  # titles and codes as the sheet had them: never a formula
    if path.suffix.lower() == ".csv":
        with path.open("w", newline="", encoding="utf-8-sig") as handle:
            writer = csv.writer(handle)
            writer.writerow(RESULT_HEADERS)
            writer.writerows(lines)
        return
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("发布结果")
    sheet.append(list(RESULT_HEADERS))
    for line in lines:
        sheet.append(line)
    workbook.save(path)


# --- what is true on the platform --------------------------------------------------------------------------

def stage_of(publication: Publication) -> str:
    """准备就绪 for a package left for the clerk, 已上线 for a listing the platform shows, 已提交 for one the
    platform acknowledged but does not show yet."""
    if publication.status == "packaged":
        return "ready"
    if publication.status in ("announced", "bidding"):
        return "live"
    if publication.status in ("withdrawn", "suspended", "ended"):
        return publication.status
    return "submitted"


def summary_of(results: Sequence[LotResult], imported: int | None = None) -> str:
    """What really happened, counted: e.g. "导入 3 个标的；已上线 1 个，准备就绪（上传包待下载上传）2 个，失败 0 个"."""
    counts: dict[str, int] = {}
    for r in results:
        counts[r.result_name] = counts.get(r.result_name, 0) + 1
    parts = [f"{name} {n} 个" for name, n in counts.items()]
    head = f"导入 {imported} 个标的" if imported is not None else ""
    if not parts:
        return (head or "没有标的") + "。"
    return (head + "；" if head else "") + "，".join(parts) + "。"


# --- drafts and the guided form ------------------------------------------------------------------------------

FORM_COLUMNS = tuple(f.column for f in FIELDS)


def _draft_values(values: dict[str, Any]) -> dict[str, str]:
    """The form's fields as typed (the known ones, each cut at 10,000 characters: a draft keeps text, not files)."""
    return {c: str(values.get(c) or "")[:10_000] for c in FORM_COLUMNS if values.get(c) not in (None, "")}


def _court_draft(uow: UnitOfWork, draft_id: int, court_code: str) -> LotDraft:
    draft = uow.session.get(LotDraft, draft_id)
    if draft is None or draft.court_code != court_code:
        raise PublishingError(f"草稿 {draft_id} 不存在或不属于本院。")
    return draft


def _writable_draft(uow: UnitOfWork, draft_id: int, court_code: str, actor: str, what: str) -> LotDraft:
    """The draft a write changes: ``authority.require`` on the draft's own court (a clerk of another court is
    refused, logged once as ``web.denied``), then the caller's court (the command line's operator names it)."""
    draft = uow.session.get(LotDraft, draft_id)
    if draft is None:
        raise PublishingError(f"草稿 {draft_id} 不存在或不属于本院。")
    authority.require(uow, actor, draft.court_code, what=what, roles=LOT_WRITERS)
    return _court_draft(uow, draft_id, court_code)


def _writable_lot(uow: UnitOfWork, lot_id: int, court_code: str, actor: str, what: str) -> Lot:
    """The lot a write changes, checked as ``_writable_draft`` checks a draft."""
    lot = uow.session.get(Lot, lot_id)
    if lot is None:
        raise PublishingError(f"标的 {lot_id} 不存在或不属于本院。")
    authority.require(uow, actor, lot.court_code, what=what, roles=LOT_WRITERS)
    if lot.court_code != court_code:
        raise PublishingError(f"标的 {lot_id} 不存在或不属于本院。")
    return lot


def save_draft(uow: UnitOfWork, values: dict[str, Any], *, court_code: str, actor: str = "",
               draft_id: int | None = None) -> int:
    """Keep the form as typed, whatever is blank or wrong (nothing is checked but who writes: ``authority.require``
    on the draft's court, a new draft's being the clerk's own); returns its id."""
    with uow:
        session = uow.session
        now = _now()
        if draft_id is None:
            authority.require(uow, actor, court_code, what="保存标的草稿", roles=LOT_WRITERS)
            draft = LotDraft(court_code=court_code, created_at=now, actor=actor)
            session.add(draft)
        else:
            draft = _writable_draft(uow, draft_id, court_code, actor, "保存标的草稿")
        draft.values = _draft_values(values)
        draft.case_number = draft.values.get("案号", "")[:60]
        draft.title = draft.values.get("标的名称", "")[:300]
        draft.updated_at, draft.actor = now, actor
        session.flush()
        ledger.append(session, "lot.draft_saved", {"draft_id": draft.id, "lot_id": draft.lot_id,
                                                  "fields": len(draft.values)},
                      actor=actor, court_code=court_code, purpose="保存标的草稿")
        uow.commit()
        return draft.id


def get_draft(uow: UnitOfWork, draft_id: int, court_code: str) -> LotDraft:
    with uow:
        draft = _court_draft(uow, draft_id, court_code)
        list(draft.media)  # loaded for the page
        return draft


def lot_draft(uow: UnitOfWork, lot_id: int) -> LotDraft | None:
    """The draft the lot was made or last edited from (its photos and videos), if any."""
    with uow:
        draft = lots_repo.draft_of_lot(uow.session, lot_id)
        if draft is not None:
            list(draft.media)
        return draft


def court_drafts(uow: UnitOfWork, court_code: str) -> list[LotDraft]:
    with uow:
        return lots_repo.court_drafts(uow.session, court_code)


def draft_for_lot(uow: UnitOfWork, lot_id: int, court_code: str, *, actor: str = "") -> int:
    """The draft to edit a lot with: the one it was made from, or a new one read back from the stored lot (a lot
    that came from a sheet)."""
    with uow:
        session = uow.session
        lot = _writable_lot(uow, lot_id, court_code, actor, "修改拍卖标的")
        draft = lots_repo.draft_of_lot(session, lot_id)
        if draft is None:
            now = _now()
            values = form_values(lot.lot)
            draft = LotDraft(court_code=court_code, case_number=lot.case_number, title=lot.title,
                             values={k: v for k, v in values.items() if v and k in FORM_COLUMNS}, lot_id=lot.id,
                             actor=actor, created_at=now, updated_at=now)
            session.add(draft)
            session.flush()
        uow.commit()
        return draft.id


def _media_path(media_dir: Path, sha256: str, extension: str, thumb: bool = False) -> Path:
    return media_dir / sha256[:2] / (f"{sha256}.thumb.jpg" if thumb else f"{sha256}.{extension}")


def media_file(media_dir: Path, item: LotMedia, thumb: bool = False) -> Path:
    """Where an uploaded photo or video (or a photo's thumbnail) is kept: named by its hash, never by its name."""
    extension = item.mime.rsplit("/", 1)[-1].replace("jpeg", "jpg").replace("quicktime", "mov")
    return _media_path(Path(media_dir), item.sha256, extension, thumb)


def add_media(uow: UnitOfWork, draft_id: int, name: str, content: bytes, media_dir: Path, *, court_code: str,
              actor: str = "") -> LotMedia:
    """A photo or video for the draft's lot: its type read from the content (``auction.media.examine``; refused
    with ``MediaRefused``), kept under its SHA-256 with a thumbnail; the same file twice is kept once. Who may
    add it is checked first (``authority.require`` on the draft's court), before the file is kept."""
    with uow:
        _writable_draft(uow, draft_id, court_code, actor, "上传标的照片或视频")
    found = media_rules.examine(name, content)
    target = _media_path(Path(media_dir), found.sha256, found.extension)
    target.parent.mkdir(parents=True, exist_ok=True)
    if not target.exists():
        partial = target.with_suffix(".part")
        partial.write_bytes(content)
        partial.replace(target)
    if found.kind == "photo":
        thumb = _media_path(Path(media_dir), found.sha256, found.extension, thumb=True)
        if not thumb.exists():
            thumb.write_bytes(media_rules.thumbnail(content))
    shown = Path(name.replace("\\", "/")).name[:200] or f"{found.kind}.{found.extension}"
    with uow:
        session = uow.session
        draft = _writable_draft(uow, draft_id, court_code, actor, "上传标的照片或视频")
        existing = next((m for m in draft.media if m.sha256 == found.sha256), None)
        if existing is not None:
            return existing
        item = LotMedia(draft_id=draft.id, kind=found.kind, name=shown, mime=found.mime, size=found.size,
                        sha256=found.sha256, width=found.width, height=found.height, created_at=_now())
        session.add(item)
        session.flush()
        ledger.append(session, "lot.media_added", {"draft_id": draft.id, "lot_id": draft.lot_id, "kind": found.kind,
                                                  "sha256": found.sha256, "size": found.size, "mime": found.mime},
                      actor=actor, court_code=court_code, purpose="上传标的照片或视频")
        uow.commit()
        return item


def remove_media(uow: UnitOfWork, draft_id: int, media_id: int, *, court_code: str, actor: str = "") -> None:
    """Take a photo or video off the draft (the file stays, kept by hash: another draft may hold it)."""
    with uow:
        draft = _writable_draft(uow, draft_id, court_code, actor, "删除标的照片或视频")
        for item in list(draft.media):
            if item.id == media_id:
                draft.media.remove(item)
                uow.session.flush()
                ledger.append(uow.session, "lot.media_removed",
                              {"draft_id": draft.id, "lot_id": draft.lot_id, "media_id": media_id,
                               "sha256": item.sha256}, actor=actor, court_code=draft.court_code,
                              purpose="删除标的照片或视频")
        uow.commit()


def media_item(uow: UnitOfWork, media_id: int) -> tuple[LotMedia, str] | None:
    """An uploaded file and the court whose draft holds it (the page checks the court before sending it)."""
    with uow:
        item = uow.session.get(LotMedia, media_id)
        return (item, item.draft.court_code) if item is not None else None


def _photos_of(draft: LotDraft, media_dir: Path) -> list[LotAttachment]:
    return [LotAttachment(title=m.name, path=str(media_file(media_dir, m)), kind=m.kind, sha256=m.sha256)
            for m in draft.media]


def media_attachments(domain_lot: Any) -> list[Attachment]:
    """The lot's uploaded photos and videos for a platform package: only files kept in the media folder whose
    content still has the recorded SHA-256 (a path typed into a sheet never brings a file of the server along)."""
    out = []
    for n, item in enumerate(domain_lot.photos, start=1):
        if not item.sha256:
            continue
        path = Path(item.path)
        if path.name.split(".")[0] != item.sha256 or not path.is_file():
            continue
        content = path.read_bytes()
        if hashlib.sha256(content).hexdigest() != item.sha256:
            continue
        out.append(Attachment(f"{'照片' if item.kind == 'photo' else '视频'}{n:02d}{path.suffix}", content,
                              "video" if item.kind == "video" else "photo"))
    return out


@dataclass
class BuildResult:
    check: FormCheck
    lot_id: int | None = None


def build_from_draft(uow: UnitOfWork, draft_id: int, media_dir: Path, *, court_code: str, actor: str = "",
                     today: date | None = None) -> BuildResult:
    """Make (or update) the draft's lot when its fields can be planned: every field's problem at once otherwise
    (the draft keeps what was typed). Missing disclosures do not stop it; publishing needs them."""
    with uow:
        session = uow.session
        draft = _writable_draft(uow, draft_id, court_code, actor, "建立拍卖标的")
        photos = _photos_of(draft, media_dir)
        check = check_form(dict(draft.values), today=today, photos=photos)
        if check.lot is None:
            return BuildResult(check)
        prepared = check.lot
        refused = authority.refused_rows(uow, actor, [(1, prepared.court_code)], what="建立拍卖标的",
                                         roles=LOT_WRITERS)  # another court's case: logged once, with the row
        if refused or prepared.court_code != court_code:
            check.field_problems["案号"] = (f"案号 {prepared.lot.case_number} 属于法院 {prepared.court_code}，"
                                          f"只能为本院（{court_code}）的案件建立标的。")
            check.lot = None
            return BuildResult(check)
        refused = check_against_database(uow, [prepared])  # the same checks as an imported row
        if refused:
            for problem in refused:
                if "已发布" in problem.reason:
                    check.general.append(problem.reason)
                else:  # the reference price against the case's fixed price (参考价规定)
                    check.field_problems["参考价（元）"] = problem.reason
            check.lot = None
            return BuildResult(check)
        lot = session.get(Lot, draft.lot_id) if draft.lot_id else None
        if lot is not None and not photos and lot.lot.photos:
            prepared.lot.photos = list(lot.lot.photos)  # a lot from a sheet keeps its photos until others come
        same_key = lots_repo.lot_by_key(session, court_code, prepared.lot_code, prepared.round)
        if same_key is not None and (lot is None or same_key.id != lot.id):
            check.field_problems["标的编号"] = (f"本院已有标的编号 {prepared.lot_code}（{AuctionRound(prepared.round).label}）"
                                            "的标的，请换一个编号或打开那个标的修改。")
            check.lot = None
            return BuildResult(check)
        now = _now()
        if lot is None:
            lot = Lot(lot=prepared.lot, status="draft", created_at=now, updated_at=now)
            session.add(lot)
        elif lot.status != "draft":
            check.general.append(f"标的 {lot.lot_code} 已交平台，不能再修改；如需更正请先撤回。")
            check.lot = None
            return BuildResult(check)
        elif lot.content_sha256 != prepared.content_sha256:
            lot.lot, lot.updated_at = prepared.lot, now
        lot.procedure_lot_id = lots_repo.procedure_lot_id_for(session, prepared.lot.case_number, prepared.lot.title)
        session.flush()
        draft.lot_id, draft.updated_at = lot.id, now
        ledger.append(session, "lot.imported",
                      {"lot_id": lot.id, "lot_code": lot.lot_code, "round": lot.round, "draft_id": draft.id,
                       "content_sha256": lot.content_sha256, "starting_price_fen": lot.starting_price_fen,
                       "missing": [name for name, _c in check.missing]},
                      actor=actor, court_code=lot.court_code, case_number=lot.case_number, purpose="建立拍卖标的")
        uow.commit()
        return BuildResult(check, lot.id)


# --- packages, manual uploads, withdrawal, the next round ----------------------------------------------------

def _publication(uow: UnitOfWork, lot_id: int, code: str, court_code: str, *, actor: str | None = None,
                 what: str = "") -> tuple[Lot, PublicationRow]:
    """The lot's publication on platform ``code``; with ``actor``, for a write ``what`` (``_writable_lot``)."""
    if actor is not None:
        lot = _writable_lot(uow, lot_id, court_code, actor, what)
    else:
        lot = uow.session.get(Lot, lot_id)
    if lot is None or lot.court_code != court_code:
        raise PublishingError(f"标的 {lot_id} 不存在或不属于本院。")
    pub = next((p for p in lot.publications if p.platform == code), None)
    if pub is None:
        raise PublishingError(f"标的 {lot.lot_code} 尚未交该平台。")
    return lot, pub


def package_file(uow: UnitOfWork, lot_id: int, platform: Platform, *, court_code: str,
                 action: str = "") -> tuple[Path, str]:
    """The upload package (or the 撤回 / 暂缓 notice) left for the clerk, and its download name."""
    with uow:
        lot, pub = _publication(uow, lot_id, platform.name, court_code)
        key, lot_code = pub.idempotency_key, lot.lot_code
    path_of = getattr(platform, "package_path", None)
    if path_of is None:
        raise PublishingError("该平台通过接口发布，没有上传包。")
    path = path_of(key, action)
    if not path.is_file():
        raise PublishingError(f"标的 {lot_code} 的上传包尚未生成。")
    suffix = {"withdraw": "-撤回通知", "suspend": "-暂缓通知"}.get(action, "-上传包")
    return path, f"{lot_code}-{platform.name}{suffix}.zip"


def record_upload(uow: UnitOfWork, lot_id: int, code: str, *, reference: str, url: str = "", live: bool = False,
                  court_code: str, actor: str = "") -> PublicationRow:
    """The clerk uploaded the package to a package-only platform: the platform's reference (its lot number) and,
    once the platform shows it, the public address: 准备就绪 → 已提交 → 已上线."""
    reference = (reference or "").strip()
    url = (url or "").strip()
    if not reference or len(reference) > 100:
        raise PublishingError("请填写平台受理后给出的标的号或受理编号（1 至 100 个字）。")
    if url and (len(url) > 500 or not url.startswith(("https://", "http://")) or any(c.isspace() for c in url)):
        raise PublishingError("标的链接应为以 https:// 或 http:// 开头的网址（最多 500 个字符）。")
    if live and not url:
        raise PublishingError("标的已上线时请填写平台上的标的链接。")
    with uow:
        session = uow.session
        lot, pub = _publication(uow, lot_id, code, court_code, actor=actor, what="登记上传")
        if pub.stage not in ("ready", "submitted", "live"):
            raise PublishingError(f"该平台上的标的为“{PUBLICATION_STAGES.get(pub.stage or '', pub.status)}”，"
                                  "不能登记上传。")
        pub.remote_id, pub.url = reference, url or None
        pub.stage, pub.stage_at, pub.stage_by = ("live" if live else "submitted"), _now(), actor or None
        pub.remote_status = "announced" if live else "submitted"
        ledger.append(session, "lot.upload_recorded",
                      {"lot_id": lot.id, "platform": code, "reference": reference, "url": url, "stage": pub.stage},
                      actor=actor, court_code=lot.court_code, case_number=lot.case_number, purpose="登记上传")
        uow.commit()
        return pub


def withdraw(uow: UnitOfWork, lot_id: int, platforms: Callable[[str], Platform], *, action: str, reason: str,
             court_code: str, actor: str = "") -> list[str]:
    """撤回 (``withdraw``) or 暂缓 (``suspend``) the lot everywhere it was handed: a platform with an interface is
    told (the local platform), a package-only platform gets a notice package for the clerk to upload. Returns
    the names of the platforms told. 网拍规定 art. 28 (暂缓) and art. 29 (撤回)."""
    _outside_transactions(uow)
    if action not in ("withdraw", "suspend"):
        raise PublishingError("操作应为撤回或暂缓。")
    reason = (reason or "").strip()
    if not reason or len(reason) > 500:
        raise PublishingError("请写明撤回或暂缓的理由（1 至 500 个字）。")
    with uow:
        lot = _writable_lot(uow, lot_id, court_code, actor, "撤回或暂缓拍卖标的")
        targets = [(p.platform, p.remote_id, p.idempotency_key) for p in lot.publications
                   if p.stage in ("ready", "submitted", "live")]
        lot_code = lot.lot_code
        if not targets:
            raise PublishingError(f"标的 {lot_code} 没有已交平台的发布，无需撤回或暂缓。")
    told = {}
    for code, remote_id, key in targets:
        platform = platforms(code)
        if getattr(platform, "package_only", False):
            told[code] = platform.notice(key, action, lot_code, reason)
        else:
            told[code] = platform.notice(remote_id, action, lot_code, reason)
    stage = "withdrawn" if action == "withdraw" else "suspended"
    with uow:
        session = uow.session
        lot = session.get(Lot, lot_id)
        now = _now()
        for pub in lot.publications:
            if pub.platform in told:
                pub.stage, pub.stage_at, pub.stage_by = stage, now, actor or None
                pub.remote_status = told[pub.platform].status
        ledger.append(session, "lot.withdrawn", {"lot_id": lot.id, "action": action, "reason": reason,
                                                "platforms": sorted(told)},
                      actor=actor, court_code=lot.court_code, case_number=lot.case_number,
                      purpose="撤回拍卖标的" if action == "withdraw" else "暂缓拍卖标的")
        uow.commit()
    return sorted(told)


def _carry_draft(session: Any, lot: Lot, row: Lot, actor: str, now: datetime) -> None:
    """The next round's draft (its form, to edit before publishing) with the photos and videos of the round before."""
    old_draft = lots_repo.draft_of_lot(session, lot.id)
    values = form_values(row.lot)
    draft = LotDraft(court_code=row.court_code, case_number=row.case_number, title=row.title, lot_id=row.id,
                     values={k: v for k, v in values.items() if v and k in FORM_COLUMNS}, actor=actor,
                     created_at=now, updated_at=now)
    session.add(draft)
    session.flush()
    for m in (old_draft.media if old_draft else []):
        session.add(LotMedia(draft_id=draft.id, kind=m.kind, name=m.name, mime=m.mime, size=m.size,
                             sha256=m.sha256, width=m.width, height=m.height, created_at=now))


def carry_over(uow: UnitOfWork, from_lot_id: int, lot_id: int, *, court_code: str, actor: str = "") -> None:
    """A next round made elsewhere (the lifecycle's ``start_next_round``) gets its draft and the photos."""
    with uow:
        session = uow.session
        lot = _writable_lot(uow, from_lot_id, court_code, actor, "建立下一轮拍卖标的")
        row = _writable_lot(uow, lot_id, court_code, actor, "建立下一轮拍卖标的")
        if lots_repo.draft_of_lot(session, row.id) is None:
            _carry_draft(session, lot, row, actor, _now())
        uow.commit()


def next_round(uow: UnitOfWork, lot_id: int, *, court_code: str, actor: str = "", today: date | None = None) -> int:
    """From a lot that did not sell (流拍), the next round in one step: 一拍 → 二拍, 二拍 → 变卖, as a draft lot with
    the same disclosures and photos, planned by ``auction.listing_plan.plan_listing`` from the previous starting
    price and the day it failed (网拍规定 art. 26: the cut at most 20%, bidding within 30 days). Returns its id."""
    today = today or _now().date()
    with uow:
        session = uow.session
        lot = _writable_lot(uow, lot_id, court_code, actor, "建立下一轮拍卖标的")
        if lot.outcome != "unsold":
            raise PublishingError(f"标的 {lot.lot_code} 未登记流拍，不能进入下一轮（网拍规定第二十六条）。")
        current = AuctionRound(lot.round)
        following = {AuctionRound.FIRST_AUCTION: AuctionRound.SECOND_AUCTION,
                     AuctionRound.SECOND_AUCTION: AuctionRound.FIXED_PRICE_SALE}.get(current)
        if following is None:
            raise PublishingError(f"标的 {lot.lot_code} 已是变卖，没有下一轮。")
        existing = lots_repo.lot_by_key(session, court_code, lot.lot_code, following.value)
        if existing is not None:
            return existing.id
        domain = lot.lot
        failed_on = lot.outcome_on or today
        try:
            plan = plan_listing(Decimal(domain.plan.reference_price_fen) / 100, domain.kind, following,
                                max(today, failed_on),
                                previous_starting_price=Decimal(domain.plan.starting_price_fen) / 100,
                                failed_on=failed_on,
                                is_working_day=procedure_service.load_calendar(uow).is_working_day)
        except (PlanRefused, ValueError) as exc:
            raise PublishingError(f"标的 {lot.lot_code} 的{following.label}方案不符合规定：{exc}") from None
        new_lot = replace(domain, plan=plan, sale=None, platform="")
        now = _now()
        row = Lot(lot=new_lot, status="draft", created_at=now, updated_at=now, procedure_lot_id=lot.procedure_lot_id)
        session.add(row)
        session.flush()
        _carry_draft(session, lot, row, actor, now)
        ledger.append(session, "lot.second_round",
                      {"from_lot_id": lot.id, "lot_id": row.id, "round": following.value,
                       "starting_price_fen": plan.starting_price_fen, "failed_on": failed_on},
                      actor=actor, court_code=court_code, case_number=row.case_number, purpose=following.label)
        uow.commit()
        return row.id

