"""Uploads have limits that say what they are, large work goes to the background, bad files get a Chinese message
with the user's own file name (issue 18, points 4 and 8), and a batch of a million rows finishes while other users
sign in and quote (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import statistics
import time
import zipfile
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select, update

from auction.demo_lots import demo_rows
from auction.lot_sheet import COLUMNS, write_sheet
from tests.uow import unit_scope
from tests.web.conftest import CASE, COURT, PASSWORD, csrf_token, login
from web import create_app, jobs
from xunpai.storage.ledger import now_local
from xunpai.storage.models.accounts import InquiryLimit, User
from xunpai.storage.models.lots import Lot
from xunpai.storage.models.web import WebJob

ENGLISH = ("File is not a zip file", "No columns to parse", "Traceback", "Error", "xunpai-")


def _app(engine, tmp_path, **config):
    app = create_app({"ENGINE": engine, "SECRET_KEY": "test-secret", "TESTING": True, "JOBS_INLINE": True,
                      "OFF_PEAK_SENDER": False, "UPLOAD_DIR": str(tmp_path / "uploads"),
                      "OUTBOX_DIR": str(tmp_path / "outbox"), **config})
    return app


def _batch(client, data: bytes, name: str):
    token = csrf_token(client, "/inquiry/batch")
    return client.post("/inquiry/batch", data={"csrf_token": token, "case_number": CASE, "purpose": "批量",
                                               "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _bulk(client, data: bytes, name: str, mode="import"):
    token = csrf_token(client, "/lots/bulk")
    return client.post("/lots/bulk", data={"csrf_token": token, "platform": "ali", "mode": mode,
                                           "confirm_publish": "1" if mode != "import" else "",
                                           "file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


def _text(response) -> str:
    text = response.get_data(as_text=True)
    for word in ENGLISH:
        assert word not in text, f"{word!r} in {text[:500]}"
    return text


def _one_cell_rows(n: int) -> bytes:
    book = Workbook(write_only=True)
    sheet = book.create_sheet()
    for i in range(n):
        sheet.append([i])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _bomb(mb: int) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", b"<x/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (mb * 1024 * 1024))
    return out.getvalue()


def test_a_lot_sheet_of_many_one_cell_rows_is_refused_naming_the_limit(engine, seeded, tmp_path):
    client = _app(engine, tmp_path, LOT_SHEET_MAX_ROWS=500).test_client()
    login(client, "clerk1")
    response = _bulk(client, _one_cell_rows(800), "挂拍表.xlsx")
    assert response.status_code == 422
    assert "“挂拍表.xlsx”超过 500 行的上限" in _text(response)
    assert not list((tmp_path / "uploads" / "lots-in").iterdir())  # nothing kept


def test_a_zip_bomb_is_refused_by_its_decompressed_size(engine, seeded, tmp_path):
    client = _app(engine, tmp_path, UPLOAD_MAX_UNZIPPED_MB=5).test_client()
    login(client, "judge1")
    data = _bomb(20)
    assert len(data) < 100_000
    response = _batch(client, data, "单位.xlsx")
    assert response.status_code == 422 and "解压后约 20 MB，超过 5 MB 的上限" in _text(response)


def test_rows_and_cells_limits_of_a_batch(engine, seeded, tmp_path):
    client = _app(engine, tmp_path, UPLOAD_MAX_ROWS=100, UPLOAD_MAX_CELLS=300).test_client()
    login(client, "judge1")
    rows = "".join(f"{seeded.building_id},3,89.5,2023-06-01\n" for _ in range(150))
    response = _batch(client, ("楼幢编号,所在层,建筑面积,立契时间\n" + rows).encode(), "很多.csv")
    assert response.status_code == 422 and "超过 100 行的上限" in _text(response)
    rows = "".join(f"{seeded.building_id},3,89.5,2023-06-01\n" for _ in range(90))
    response = _batch(client, ("楼幢编号,所在层,建筑面积,立契时间\n" + rows).encode(), "很宽.csv")
    assert response.status_code == 422 and "超过 300 个单元格的上限" in _text(response)


@pytest.mark.parametrize("data, name, expected", [
    (b"PK not really a zip", "坏.xlsx", "“坏.xlsx”不是有效的 Excel"),
    (b"plain text", "文本.xlsx", "“文本.xlsx”不是有效的 Excel"),
    (b"", "空.csv", "“空.csv”是空文件"),
    (b"\n\n", "空行.csv", "“空行.csv”是空文件"),
])
def test_bad_files_get_a_chinese_message_with_their_own_name(engine, seeded, tmp_path, data, name, expected):
    client = _app(engine, tmp_path).test_client()
    login(client, "judge1")
    response = _batch(client, data, name)
    assert response.status_code == 422 and expected in _text(response)


def test_a_hostile_file_name_is_kept_inside_the_upload_folder(engine, seeded, tmp_path):
    app = _app(engine, tmp_path, JOBS_INLINE=False)
    app.extensions["xunpai_jobs"].flush()
    client = app.test_client()
    login(client, "judge1")
    csv = f"楼幢编号,所在层,建筑面积,立契时间\n{seeded.building_id},3,89.5,2023-06-01\n".encode()
    assert _batch(client, csv, "../../../../etc/cron.d/x.csv").status_code == 302
    (stored,) = (tmp_path / "uploads" / "batch-in").iterdir()
    assert stored.name.endswith("-x.csv") and stored.parent == tmp_path / "uploads" / "batch-in"
    app.extensions["xunpai_jobs"].flush()


def test_lots_bulk_accepts_the_csv_it_offers(engine, seeded, tmp_path):
    client = _app(engine, tmp_path).test_client()
    login(client, "clerk1")
    sheet = tmp_path / "lots.xlsx"
    write_sheet(sheet, demo_rows(3, now_local().date() + timedelta(days=1), court_code=COURT))
    from openpyxl import load_workbook
    rows = list(load_workbook(sheet).active.iter_rows(values_only=True))
    import csv as csv_module
    out = io.StringIO()
    csv_module.writer(out).writerows([["" if v is None else v for v in row] for row in rows])
    response = _bulk(client, out.getvalue().encode("utf-8-sig"), "批量挂拍表.csv")
    assert response.status_code == 302, _text(response)
    with unit_scope(engine) as uow:
        assert uow.session.scalar(select(func.count()).select_from(Lot)) == 3
    assert set(rows[0]) <= set(COLUMNS)


def test_a_large_sheet_is_not_read_in_the_request(engine, seeded, tmp_path, monkeypatch):
    app = _app(engine, tmp_path, BACKGROUND_ROWS=5, JOBS_INLINE=False)
    app.extensions["xunpai_jobs"].flush()
    client = app.test_client()
    login(client, "judge1")
    from web import inquiry

    def no_parsing(*_args, **_kwargs):
        raise AssertionError("the request parsed the whole file")

    monkeypatch.setattr(inquiry, "read_units", no_parsing)
    rows = "".join(f"{seeded.building_id},3,89.5,2023-06-01\n" for _ in range(20))
    response = _batch(client, ("楼幢编号,所在层,建筑面积,立契时间\n" + rows).encode(), "二十行.csv")
    assert response.status_code == 302
    with unit_scope(engine) as uow:
        job = uow.session.scalars(select(WebJob)).one()
        assert job.status == "queued" and job.total == 20
    # a file without the columns is still refused at once (only its header was read)
    response = _batch(client, ("甲,乙\n" + "1,2\n" * 20).encode(), "错列.csv")
    assert response.status_code == 422 and "文件缺少列" in _text(response)
    app.extensions["xunpai_jobs"].flush()


# ------------------------------------------------------------------ a million rows

MILLION = 1_000_000


@pytest.mark.slow
def test_a_batch_of_a_million_rows_finishes_without_holding_up_other_users(engine, seeded, tmp_path):
    app = _app(engine, tmp_path, JOBS_INLINE=False, MAX_CONTENT_LENGTH=200 * 1024 * 1024)
    app.extensions["xunpai_jobs"].flush()
    with unit_scope(engine) as uow:
        judge = uow.session.scalars(select(User).where(User.username == "judge1")).one()
        uow.session.execute(update(InquiryLimit).where(InquiryLimit.user_id == judge.id)
                            .values(daily_count=2 * MILLION))
    line = f"{seeded.building_id},3,89.5,2023-06-01\n".encode()
    data = "楼幢编号,所在层,建筑面积,立契时间\n".encode() + line * MILLION
    client = app.test_client()
    login(client, "judge1")
    started = time.monotonic()
    response = _batch(client, data, "全市.csv")
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    assert time.monotonic() - started < 10  # measured and queued, not read in the request
    job_id = response.location.rsplit("/", 1)[1]

    worker = jobs.worker(app, threads=1, retry_seconds=0.2)
    thread = worker.start_in_thread()
    other = app.test_client()
    waits: list[float] = []
    try:
        deadline = time.monotonic() + 900
        status = "queued"
        while status not in ("done", "failed"):
            assert time.monotonic() < deadline, "the million rows did not finish in 15 minutes"
            token = csrf_token(other, "/login")
            t0 = time.monotonic()  # another user signs in: a page that writes (throttle, ledger)
            assert other.post("/login", data={"username": "judge2", "password": PASSWORD,
                                              "csrf_token": token}).status_code == 302
            waits.append(time.monotonic() - t0)
            other.post("/logout", data={"csrf_token": csrf_token(other, "/inquiry/")})
            with unit_scope(engine) as uow:
                status = uow.session.get(WebJob, job_id).status
            time.sleep(0.5)
    finally:
        worker.stop()
        thread.join(timeout=120)
    with unit_scope(engine) as uow:
        job = uow.session.get(WebJob, job_id)
    assert job.status == "done" and job.total == MILLION, job.message
    print(f"\n{engine.dialect.name}: {MILLION:,} rows in {time.monotonic() - started:.0f} s; "
          f"another user's sign-in meanwhile: {len(waits)} times, median {statistics.median(waits):.2f} s, "
          f"slowest {sorted(waits)[-5:]}")
    # the job holds no lock while it prices; what is left is the CPU the pricing thread shares (the GIL, and on
    # the shared test machine other processes): nineteen in twenty sign-ins within a second, none past two
    ordered = sorted(waits)
    assert len(waits) >= 5 and ordered[int(len(ordered) * 0.95) - 1] < 1.0 and ordered[-1] < 2.0


def test_a_table_workbook_bomb_is_refused_before_it_is_opened(engine, seeded, tmp_path):
    client = _app(engine, tmp_path, UPLOAD_MAX_UNZIPPED_MB=5).test_client()
    login(client, "admin")
    token = csrf_token(client, "/admin/tables")
    response = client.post("/admin/tables", data={"csrf_token": token, "action": "import", "name": "2026-02",
                                                  "file": (io.BytesIO(_bomb(20)), "基准表.xlsx")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "超过 5 MB 的上限" in _text(response)
