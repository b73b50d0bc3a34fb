"""The judge's inquiry pages: a quote through the form, its result, PDF and public verification; refusals;
address candidates; the ledger and its export; a batch upload."""

from __future__ import annotations

import io
import re

import pytest
from openpyxl import load_workbook
from sqlalchemy import select, update

from tests.uow import unit_scope
from tests.web.conftest import CASE, FOREIGN_CASE, csrf_token, login
from xunpai.storage.models.ledger import LedgerEntry


def _quote(client, seeded, **overrides):
    data = {"address": seeded.address, "floor": "3", "orientation": "南北", "area": "89.5",
            "contract_date": "2023-06-01", "case_number": CASE, "purpose": "确定财产处置参考价"}
    data.update(overrides)
    data["csrf_token"] = csrf_token(client, "/inquiry/")
    return client.post("/inquiry/", data=data)


def test_quote_through_the_form_shows_the_price_and_the_breakdown(client, seeded, engine):
    login(client, "judge1")
    response = _quote(client, seeded)
    assert response.status_code == 302
    page = client.get(response.location).get_data(as_text=True)
    assert "定向询价结果" in page and "计算明细" in page and "基准价" in page
    assert '<div class="print-only"><p>温岭市人民法院</p></div>' in page  # the court's name, not its code
    code = re.search(r'class="code">([0-9A-F-]+)<', page).group(1)
    with unit_scope(engine) as uow:
        entry = uow.session.execute(select(LedgerEntry).where(LedgerEntry.kind == "inquiry.quote")).scalar_one()
    assert entry.hash.upper().startswith(code.replace("-", ""))
    assert entry.case_number == CASE and entry.actor == "judge1"


def test_quote_pdf_carries_the_verification_code(client, seeded):
    from pypdf import PdfReader

    login(client, "judge1")
    location = _quote(client, seeded).location
    code = location.rsplit("/", 1)[1]
    pdf = client.get(f"/inquiry/result/{code}.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages)
    text = text.replace(" ", "").replace("\x00", "")
    assert code in text and "定向询价结果单" in text


def test_public_verification_shows_what_was_quoted_and_nothing_else(client, seeded, app):
    login(client, "judge1")
    code = _quote(client, seeded).location.rsplit("/", 1)[1]
    anonymous = app.test_client()
    page = anonymous.get(f"/verify/{code.lower()}")
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "核验通过" in text and seeded.address in text
    assert CASE not in text and "judge1" not in text


def test_verification_fails_when_the_ledger_entry_was_edited(client, seeded, app, engine):
    login(client, "judge1")
    code = _quote(client, seeded).location.rsplit("/", 1)[1]
    with unit_scope(engine) as uow:
        uow.session.execute(update(LedgerEntry).where(LedgerEntry.kind == "inquiry.quote")
                        .values(payload=LedgerEntry.payload + " "))
    text = app.test_client().get(f"/verify/{code}").get_data(as_text=True)
    assert "核验未通过" in text


def test_unknown_verification_code_is_not_found(client):
    assert client.get("/verify/0000-0000-0000").status_code == 404


def test_judge_of_another_court_cannot_open_the_result(client, seeded, app):
    login(client, "judge1")
    code = _quote(client, seeded).location.rsplit("/", 1)[1]
    other = app.test_client()
    login(other, "judge2")
    assert other.get(f"/inquiry/result/{code}").status_code == 403
    assert other.get(f"/inquiry/result/{code}.pdf").status_code == 403


def test_an_ambiguous_address_offers_candidates_and_prices_nothing(client, seeded, engine):
    login(client, "judge1")
    community = seeded.address.rsplit("幢", 1)[0].rstrip("0123456789")
    response = _quote(client, seeded, address=community)
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and 'name="building_id"' in text
    with unit_scope(engine) as uow:
        kinds = list(uow.session.execute(select(LedgerEntry.kind).where(LedgerEntry.kind.like("inquiry.%"))).scalars())
    assert kinds == ["inquiry.refused"]


def test_choosing_a_candidate_prices_that_building(client, seeded):
    login(client, "judge1")
    response = _quote(client, seeded, address="", building_id=seeded.building_id)
    assert response.status_code == 302


def test_form_errors_say_what_is_expected_and_change_nothing(client, seeded, engine):
    login(client, "judge1")
    response = _quote(client, seeded, case_number="2026-1", contract_date="15/03/2024")
    text = response.get_data(as_text=True)
    assert response.status_code == 422 and "案号" in text and "年-月-日" in text
    with unit_scope(engine) as uow:
        assert not uow.session.execute(select(LedgerEntry).where(LedgerEntry.kind.like("inquiry.%"))).first()


def test_a_case_of_another_court_is_refused_by_the_service(client, seeded):
    login(client, "judge1")
    response = _quote(client, seeded, case_number=FOREIGN_CASE)
    # whether the service refuses a foreign case or not, the page never shows a price for it silently
    assert response.status_code in (302, 422)


def test_ledger_page_lists_the_courts_entries_and_exports_xlsx(client, seeded):
    login(client, "judge1")
    _quote(client, seeded)
    page = client.get("/inquiry/ledger").get_data(as_text=True)
    assert "询价" in page and CASE in page
    export = client.get("/inquiry/ledger.xlsx?kind=inquiry.quote")
    assert export.status_code == 200
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "序号" and len(rows) == 2 and rows[1][5] == CASE


def test_ledger_of_another_court_is_not_shown(client, seeded, app):
    login(client, "judge1")
    _quote(client, seeded)
    other = app.test_client()
    login(other, "judge2")
    assert CASE not in other.get("/inquiry/ledger").get_data(as_text=True)


@pytest.mark.parametrize("suffix", [".csv"])
def test_batch_upload_runs_with_progress_and_gives_a_result_file(client, seeded, suffix):
    login(client, "judge1")
    csv = ("坐落,所在层,朝向,建筑面积,立契时间\n"
           f"{seeded.address},3,南北,89.5,2023-06-01\n"
           f"不存在的小区9幢,3,南,70,2023-06-01\n").encode()
    token = csrf_token(client, "/inquiry/batch")
    response = client.post("/inquiry/batch", data={"csrf_token": token, "case_number": CASE, "purpose": "批量",
                                                   "file": (io.BytesIO(csv), f"units{suffix}")},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    job_page = client.get(response.location).get_data(as_text=True)
    assert "已完成" in job_page, job_page
    status = client.get(response.location + "/status").get_json()
    assert status["status"] == "done" and status["total"] == 2
    download = client.get(response.location + "/download")
    rows = list(load_workbook(io.BytesIO(download.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3


def test_another_users_batch_job_is_not_found(client, seeded, app, engine):
    login(client, "judge1")
    csv = f"坐落,所在层,朝向,建筑面积,立契时间\n{seeded.address},3,南北,89.5,2023-06-01\n".encode()
    token = csrf_token(client, "/inquiry/batch")
    job = client.post("/inquiry/batch", data={"csrf_token": token, "case_number": CASE, "purpose": "批量",
                                              "file": (io.BytesIO(csv), "units.csv")},
                      content_type="multipart/form-data").location
    other = app.test_client()
    login(other, "judge2")
    for suffix in ("", "/status", "/download"):
        assert other.get(job + suffix).status_code == 404, suffix
    assert client.get(job + "/download").status_code == 200


def test_batch_file_without_the_needed_columns_is_refused_at_once(client, seeded):
    login(client, "judge1")
    token = csrf_token(client, "/inquiry/batch")
    response = client.post("/inquiry/batch", data={"csrf_token": token, "case_number": CASE, "purpose": "批量",
                                                   "file": (io.BytesIO("坐落,面积\nx,1\n".encode()), "u.csv")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and "所在层" in response.get_data(as_text=True)


def test_batch_rejects_a_foreign_file_type(client, seeded):
    login(client, "judge1")
    token = csrf_token(client, "/inquiry/batch")
    response = client.post("/inquiry/batch", data={"csrf_token": token, "case_number": CASE, "purpose": "批量",
                                                   "file": (io.BytesIO(b"x"), "units.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422 and ".xlsx" in response.get_data(as_text=True)


def test_the_form_reads_a_date_as_courts_type_it_like_the_command_line(client, seeded, engine):
    # the one parser (tax_baseline.typed_dates) behind the view and the commands: the same day however typed
    import json

    from tax_baseline.typed_dates import parse_date
    from xunpai.cli.support import required_date

    login(client, "judge1")
    typed = ("2023-06-01", "2023年6月1日", "2023.6.1", "２０２３／６／１")
    for text in typed:
        assert _quote(client, seeded, contract_date=text).status_code == 302
    with unit_scope(engine) as uow:
        payloads = [json.loads(p) for p in uow.session.execute(
            select(LedgerEntry.payload).where(LedgerEntry.kind == "inquiry.quote").order_by(LedgerEntry.seq)).scalars()]
    assert len(payloads) == len(typed)
    assert {p["result"]["contract_date"] for p in payloads} == {"2023-06-01"}
    assert len({p["result"]["total_price"] for p in payloads}) == 1
    assert {required_date(text, "立契时间").isoformat() for text in typed} == {"2023-06-01"} \
        == {parse_date(text).isoformat() for text in typed}
