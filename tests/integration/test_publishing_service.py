"""Publishing against the real local platform (HTTP on 127.0.0.1) and the real database (SQLite, PostgreSQL)."""

from __future__ import annotations

import dataclasses
import json
import threading
from datetime import date, datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select, update

from auction.demo_lots import demo_rows, real_estate_row
from auction.lot_sheet import read_sheet, write_sheet
from auction.off_peak import parse_windows
from auction.outcomes import InvalidOutcome
from auction.platforms.local_client import LocalPlatform
from auction.platforms.local_server import create_app
from tests.uow import unit_scope
from xunpai.services.outcomes import record_outcome, statistics
from xunpai.services.publishing import (
    DisclosuresMissing,
    PublishingError,
    SheetInvalid,
    bulk_publish,
    import_lots,
    publish_lot,
    send_queued,
    write_results,
)
from xunpai.storage import ledger
from xunpai.storage.models.lots import BulkJob, Lot, Publication
from xunpai.storage.unit_of_work import UnitOfWork

LATER = date(2027, 12, 31)  # the court's date at which these outcomes are recorded (none is in the future)
ANNOUNCE = date(2026, 12, 1)


@pytest.fixture
def platform(tmp_path):
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, create_app(tmp_path / "local-platform"), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    client = LocalPlatform(f"http://127.0.0.1:{server.server_port}")
    yield client
    client.close()
    server.shutdown()
    thread.join()


def _sheet(tmp_path, rows, name="lots.xlsx"):
    path = tmp_path / name
    write_sheet(path, rows)
    return path


def _count(uow, model):
    return uow.session.scalar(select(func.count()).select_from(model))


def test_bulk_publish_publishes_each_lot_once_and_a_rerun_publishes_nothing(engine, tmp_path, platform):
    sheet = _sheet(tmp_path, demo_rows(12, ANNOUNCE))
    progress = []
    first = bulk_publish(UnitOfWork(engine), sheet, platform, actor="clerk", batch_size=5, on_progress=progress.append)
    assert first.count("published") == 12 and sum(progress) == 12 and not first.resumed
    again = bulk_publish(UnitOfWork(engine), sheet, platform, actor="clerk", batch_size=5)
    assert again.resumed and again.count("already_published") == 12
    listings = platform.listings()
    assert len(listings) == 12 and len({item["idempotency_key"] for item in listings}) == 12
    with unit_scope(engine) as uow:
        assert _count(uow, Lot) == 12
        assert uow.session.scalar(select(func.count()).select_from(Publication).where(Publication.status == "published")) == 12
        assert len(list(ledger.entries(uow.session, kind="lot.published"))) == 12
        assert uow.session.scalars(select(BulkJob)).one().runs == 2
    write_results(tmp_path / "result.xlsx", again.results)
    rows = list(load_workbook(tmp_path / "result.xlsx").active.iter_rows(values_only=True))
    assert rows[0][:4] == ("行号", "标的编号", "标的名称", "结果") and len(rows) == 13
    assert rows[1][0] == 2 and rows[1][3] == "此前已发布，未重复发布"


def test_a_bad_row_publishes_nothing(engine, tmp_path, platform):
    rows = demo_rows(5, ANNOUNCE)
    rows[2]["参考价（元）"] = "1000000.00"
    rows[2]["起拍价（元）"] = "699999.99"  # below 70%
    with pytest.raises(SheetInvalid) as caught:
        bulk_publish(UnitOfWork(engine), _sheet(tmp_path, rows), platform)
    assert [(p.row, p.lot_code) for p in caught.value.problems] == [(4, rows[2]["标的编号"])]
    assert "第 4 行" in str(caught.value) and "网拍规定第十条" in str(caught.value)
    assert platform.listings() == []
    with unit_scope(engine) as uow:
        assert _count(uow, Lot) == 0 and _count(uow, BulkJob) == 0
        assert list(ledger.entries(uow.session)) == []


def test_missing_disclosures_block_one_click_publish(engine, tmp_path, platform):
    prepared, _ = read_sheet(_sheet(tmp_path, [real_estate_row(2, ANNOUNCE)]))
    lot = dataclasses.replace(prepared[0].lot, photos=[], known_defects=None)
    with unit_scope(engine) as uow:
        (lot,) = import_lots(uow, [dataclasses.replace(prepared[0], lot=lot)])
        lot_id = lot.id
    with pytest.raises(DisclosuresMissing) as caught:
        publish_lot(UnitOfWork(engine), lot_id, platform)
    assert caught.value.missing == ["已知瑕疵", "照片或视频"]
    assert "缺少必须披露的事项，不能发布：已知瑕疵、照片或视频" in str(caught.value)
    assert platform.listings() == []
    with unit_scope(engine) as uow:
        assert _count(uow, Publication) == 0


def test_one_click_publish_and_retry(engine, tmp_path, platform):
    prepared, _ = read_sheet(_sheet(tmp_path, demo_rows(1, ANNOUNCE)))
    with unit_scope(engine) as uow:
        lot_id = import_lots(uow, prepared)[0].id
    first = publish_lot(UnitOfWork(engine), lot_id, platform, actor="clerk")
    again = publish_lot(UnitOfWork(engine), lot_id, platform, actor="clerk")
    assert first.result == "published" and again.result == "already_published"
    assert first.remote_id == again.remote_id and len(platform.listings()) == 1
    assert platform.status(first.remote_id).status == "announced"


def test_crash_between_remote_call_and_record_is_reconciled(engine, tmp_path, platform):
    sheet = _sheet(tmp_path, demo_rows(4, ANNOUNCE))
    bulk_publish(UnitOfWork(engine), sheet, platform)
    with unit_scope(engine) as uow:  # as if the process died after the platform answered
        uow.session.execute(update(Publication).values(status="sending", remote_id=None, url=None))
        uow.session.execute(update(Lot).values(status="draft"))
    rerun = bulk_publish(UnitOfWork(engine), sheet, platform)
    assert rerun.count("reconciled") == 4
    assert len(platform.listings()) == 4
    with unit_scope(engine) as uow:
        assert all(p.remote_id for p in uow.session.scalars(select(Publication)))


def test_platform_down_stops_and_the_rerun_finishes(engine, tmp_path, platform):
    sheet = _sheet(tmp_path, demo_rows(6, ANNOUNCE))
    down = LocalPlatform("http://127.0.0.1:9")  # discard port: nothing listens
    report = bulk_publish(UnitOfWork(engine), sheet, down, batch_size=3)
    assert report.stopped and report.count("not_sent") == 6
    finished = bulk_publish(UnitOfWork(engine), sheet, platform, batch_size=3)
    assert finished.count("published") == 6 and len(platform.listings()) == 6


def test_off_peak_queue_is_sent_only_inside_a_window(engine, tmp_path, platform):
    windows = parse_windows("22:00-06:00")
    sheet = _sheet(tmp_path, demo_rows(3, ANNOUNCE))
    queued = bulk_publish(UnitOfWork(engine), sheet, platform, queue_windows=windows, now=datetime(2026, 11, 27, 10, 0))
    assert queued.count("queued") == 3 and platform.listings() == []
    with pytest.raises(PublishingError, match="不在错峰时段（22:00-06:00）内.*2026-11-27 22:00"):
        send_queued(UnitOfWork(engine), lambda code: platform, windows, now=datetime(2026, 11, 27, 21, 59))
    assert platform.listings() == []
    sent = send_queued(UnitOfWork(engine), lambda code: platform, windows, now=datetime(2026, 11, 27, 22, 0))
    assert sent.count("published") == 3 and len(platform.listings()) == 3
    assert send_queued(UnitOfWork(engine), lambda code: platform, windows, now=datetime(2026, 11, 27, 23, 0)).results == []


def _priced_rows():
    rows = []
    for i, (reference, start, deposit) in enumerate((("1400000.00", "1000000.00", "100000.00"),
                                                     ("700000.00", "500000.00", "50000.00"),
                                                     ("400000.00", "300000.00", "30000.00"),
                                                     ("300000.00", "210000.00", "21000.00")), start=1):
        row = real_estate_row(i, ANNOUNCE)
        row.update({"参考价（元）": reference, "起拍价（元）": start, "保证金（元）": deposit})
        rows.append(row)
    return rows


def test_outcome_statistics_hand_worked_and_exported(engine, tmp_path, platform):
    bulk_publish(UnitOfWork(engine), _sheet(tmp_path, _priced_rows()), platform)
    with unit_scope(engine) as uow:
        ids = {lot.lot_code: lot.id for lot in uow.session.scalars(select(Lot))}
        record_outcome(uow, ids["H00001"], "sold", sale_price_fen=110_000_000, on=date(2027, 1, 5), today=LATER)
        record_outcome(uow, ids["H00002"], "sold", sale_price_fen=50_000_000, on=date(2027, 1, 6), today=LATER)
        record_outcome(uow, ids["H00003"], "unsold", on=date(2027, 1, 6), today=LATER)
        record_outcome(uow, ids["H00004"], "withdrawn", on=date(2027, 2, 1), today=LATER)
    with unit_scope(engine) as uow:
        per_court, total, lots = statistics(uow, "浙1081", date(2027, 1, 1), date(2027, 1, 31))
        assert len(lots) == 3  # the withdrawal on 1 February is outside the period
        s = per_court["浙1081"]
        assert (s.reached_end, s.sold) == (3, 2)
        assert str(s.success_rate) == "0.6667"            # 2 / 3
        assert str(s.premium_rate) == "0.0667"            # (1,600,000 - 1,500,000) / 1,500,000
        assert str(s.discount_to_reference) == "0.2381"   # 1 - 1,600,000 / 2,100,000
        assert s.commission_saved_fen == 8_000_000        # 5% of 1,100,000 + 5% of 500,000
        from xunpai.services.outcome_report import export_statistics_xlsx

        export_statistics_xlsx(tmp_path / "stats.xlsx", per_court, total, lots)
    workbook = load_workbook(tmp_path / "stats.xlsx")
    sheet = workbook["统计"]
    assert [c.value for c in sheet[3]][:4] == ["浙1081", 3, 3, 2]
    assert sheet.cell(3, 15).value == 80000
    assert len(sheet._charts) == 2
    assert workbook["标的明细"].max_row == 4
    assert workbook["标的明细"].cell(2, 5).value == "第一次拍卖"  # the round in words, not first_auction
    monthly = list(workbook["按月统计"].iter_rows(min_row=2, values_only=True))
    assert [(r[0], r[1], r[4]) for r in monthly] == [("浙1081", "2027-01", 2)]


def test_outcome_of_an_unpublished_lot_is_refused(engine, tmp_path):
    prepared, _ = read_sheet(_sheet(tmp_path, demo_rows(1, ANNOUNCE)))
    with unit_scope(engine) as uow:
        lot_id = import_lots(uow, prepared)[0].id
    with unit_scope(engine) as uow, pytest.raises(PublishingError, match="尚未发布"):
        record_outcome(uow, lot_id, "unsold", on=date(2027, 1, 1), today=LATER)


def test_migration_matches_the_models(engine):
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from xunpai.storage.db import Base

    mine = ("lot", "custody", "viewing", "provider", "service_providers")
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert [d for d in diff if any(m in str(d) for m in mine)] == []


def test_two_concurrent_runs_of_one_sheet_publish_and_record_each_lot_once(engine, tmp_path, platform):
    sheet = _sheet(tmp_path, demo_rows(20, ANNOUNCE))
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run() -> None:
        client = LocalPlatform(platform.base_url)  # one HTTP connection per thread
        try:
            barrier.wait()
            bulk_publish(UnitOfWork(engine), sheet, client, batch_size=5)
        except BaseException as exc:  # reported below
            errors.append(exc)
        finally:
            client.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(platform.listings()) == 20
    with unit_scope(engine) as uow:
        published = [json.loads(e.payload)["lot_code"] for e in ledger.entries(uow.session, kind="lot.published")]
        assert sorted(published) == sorted(set(published)) and len(published) == 20


def test_platform_status_changes_are_recorded_once(engine, tmp_path, platform):
    from xunpai.services.publishing import refresh_statuses

    report = bulk_publish(UnitOfWork(engine), _sheet(tmp_path, demo_rows(2, ANNOUNCE)), platform)
    assert refresh_statuses(UnitOfWork(engine), lambda code: platform) == []  # 'announced' already known
    withdrawn = report.results[0]
    platform.set_status(withdrawn.remote_id, "withdrawn")
    changes = refresh_statuses(UnitOfWork(engine), lambda code: platform)
    assert [(c[0], c[2], c[3]) for c in changes] == [(withdrawn.lot_id, "announced", "withdrawn")]
    assert refresh_statuses(UnitOfWork(engine), lambda code: platform) == []
    with unit_scope(engine) as uow:
        (entry,) = ledger.entries(uow.session, kind="lot.remote_status")
        assert json.loads(entry.payload)["to_name"] == "已撤回"
        stages = {p.lot_id: p.stage for p in uow.session.scalars(select(Publication))}
        assert stages[withdrawn.lot_id] == "withdrawn" and set(stages.values()) == {"live", "withdrawn"}


def test_a_refused_publication_is_failed_and_a_retry_publishes_it_once(engine, tmp_path):
    from auction.platforms import TablePlatform

    sheet = _sheet(tmp_path, demo_rows(2, ANNOUNCE))
    refused = bulk_publish(UnitOfWork(engine), sheet, TablePlatform("ali"))  # no outbox: the adapter refuses
    assert refused.count("failed") == 2 and "没有可调用的上传接口" in refused.results[0].message
    outbox = tmp_path / "outbox"
    retried = bulk_publish(UnitOfWork(engine), sheet, TablePlatform("ali", outbox=outbox))
    assert retried.count("published") == 2 and len(list(outbox.glob("ali-*.zip"))) == 2
    with unit_scope(engine) as uow:
        assert {p.attempts for p in uow.session.scalars(select(Publication))} == {2}
        assert len(list(ledger.entries(uow.session, kind="lot.publish_failed"))) == 2
        assert len(list(ledger.entries(uow.session, kind="lot.published"))) == 2


def test_reconcile_finishes_stuck_publications_without_a_second_listing(engine, tmp_path, platform):
    from xunpai.services.publishing import reconcile

    prepared, _ = read_sheet(_sheet(tmp_path, demo_rows(3, ANNOUNCE)))
    with unit_scope(engine) as uow:
        ids = [lot.id for lot in import_lots(uow, prepared)]
    for lot_id in ids:
        publish_lot(UnitOfWork(engine), lot_id, platform)
    with unit_scope(engine) as uow:  # two of them as a crash after the platform's answer leaves them
        uow.session.execute(update(Publication).where(Publication.lot_id.in_(ids[:2])).values(status="sending"))
    report = reconcile(UnitOfWork(engine), lambda code: platform)
    assert sorted(r.lot_id for r in report.results) == ids[:2] and report.count("reconciled") == 2
    assert len(platform.listings()) == 3
    assert reconcile(UnitOfWork(engine), lambda code: platform).results == []


def test_an_outcome_of_the_bidding_cannot_predate_it(engine, tmp_path, platform):
    bulk_publish(UnitOfWork(engine), _sheet(tmp_path, _priced_rows()[:1]), platform)
    with unit_scope(engine) as uow:
        lot = uow.session.scalars(select(Lot)).one()
        start = datetime.fromisoformat(lot.plan["bidding_start"])
        lot_id = lot.id
    for outcome, price in (("sold", 110_000_000), ("unsold", None), ("reneged", None)):
        with pytest.raises(InvalidOutcome, match="不能登记在此之前"), unit_scope(engine) as uow:
            record_outcome(uow, lot_id, outcome, sale_price_fen=price, on=start.date() - timedelta(days=1), today=LATER)
    with unit_scope(engine) as uow:  # a withdrawal may come at any time, even before the bidding
        record_outcome(uow, lot_id, "withdrawn", on=start.date() - timedelta(days=1), today=LATER)
    with unit_scope(engine) as uow:  # the day the bidding starts is the first day a result can carry
        record_outcome(uow, lot_id, "sold", sale_price_fen=110_000_000, on=start.date(), today=LATER,
                       correction_reason="撤回登记有误，竞价如期进行并成交")
        assert uow.session.get(Lot, lot_id).outcome == "sold"
