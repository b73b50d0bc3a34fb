"""The stored court profile is the default of every document path, on SQLite and PostgreSQL: the bulk and one-click
publishing packages, ``xunpai lots documents`` (a ``--court`` file only as an override); a court without a profile
gets no document that would print "—" for its account, panel or clerk, and is told which details are missing."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from click.testing import CliRunner
from docx import Document

from auction.lot import court_to_dict, lot_to_dict
from auction.lot_examples import example_court
from auction.platforms import get_platform
from tests.integration.test_lifecycle_service import _setup
from tests.uow import unit_scope
from xunpai.cli import main
from xunpai.cli import support as cli_support
from xunpai.services import publishing
from xunpai.storage.unit_of_work import UnitOfWork


def _docx_text(data: bytes) -> str:
    doc = Document(io.BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs] + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def _package_texts(outbox) -> dict[str, str]:
    (path,) = list(outbox.rglob("*.zip"))
    with zipfile.ZipFile(path) as z:
        return {n: _docx_text(z.read(n)) for n in z.namelist() if n.endswith(".docx")}


def test_one_click_publish_attaches_documents_made_with_the_stored_profile(engine, tmp_path):
    with unit_scope(engine) as uow:
        lot_id = _setup(uow)
    outbox = tmp_path / "outbox"
    uow = UnitOfWork(engine)
    result = publishing.publish_lot(uow, lot_id, get_platform("ali", outbox=outbox), actor="clerk1",
                                    documents_for=publishing.documents_with_court_profile(uow))
    assert result.result == "published", result.message
    texts = _package_texts(outbox)
    announcement = next(t for n, t in texts.items() if "announcement" in n)
    ruling = next(t for n, t in texts.items() if "auction_ruling" in n)
    # before: the account and the supervision phone came out as "—" (court details only from a JSON file)
    assert "1207 0211 0900 0123 456" in announcement and "0576-86009999" in announcement
    assert "审判长　张审判长" in ruling and "书记员　李书记员" in ruling
    assert all("—" not in t.replace("——", "") for n, t in texts.items() if "lot_description" not in n), texts


def test_without_a_stored_profile_the_lot_is_blocked_and_told_what_is_missing(engine, tmp_path):
    with unit_scope(engine) as uow:
        lot_id = _setup(uow, profile=False)
    outbox = tmp_path / "outbox"
    uow = UnitOfWork(engine)
    result = publishing.publish_lot(uow, lot_id, get_platform("ali", outbox=outbox), actor="clerk1",
                                    documents_for=publishing.documents_with_court_profile(uow))
    assert result.result == "blocked"
    assert "本院账户（开户行、户名、账号）" in result.message and "合议庭成员" in result.message
    assert "书记员" in result.message and "监督电话" in result.message and "法院信息" in result.message
    assert not list(outbox.rglob("*.zip"))  # nothing went out with a blank account
    # without documents the lot still publishes (the package carries the fields only)
    plain = publishing.publish_lot(UnitOfWork(engine), lot_id, get_platform("ali", outbox=outbox), actor="clerk1")
    assert plain.result == "published"


@pytest.fixture
def run(engine, monkeypatch, tmp_path):
    monkeypatch.setattr(cli_support, "_engine", engine)
    monkeypatch.setenv("XUNPAI_DATA_DIR", str(tmp_path / "data"))
    runner = CliRunner()
    return lambda *args: runner.invoke(main, [str(a) for a in args])


def _exported(engine, tmp_path, *, profile=True):
    with unit_scope(engine) as uow:
        lot_id = _setup(uow, profile=profile)
        lot = publishing.stored_lot(uow, lot_id)
    path = tmp_path / "lot.json"  # what `xunpai lots export` writes: the lot, no court
    path.write_text(json.dumps({"lot": lot_to_dict(lot)}, ensure_ascii=False), encoding="utf-8")
    return path


def test_lots_documents_uses_the_stored_profile_by_default(run, engine, tmp_path):
    lot_file = _exported(engine, tmp_path)
    result = run("lots", "documents", lot_file, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "本院（浙1081）保存的法院信息" in result.output and "未制作" not in result.output
    announcement = _docx_text(next((tmp_path / "out").glob("*-announcement.docx")).read_bytes())
    ruling = _docx_text(next((tmp_path / "out").glob("*-auction_ruling.docx")).read_bytes())
    assert "1207 0211 0900 0123 456" in announcement and "监督电话：0576-86009999" in announcement
    assert "审判长　张审判长" in ruling and "书记员　李书记员" in ruling and "—" not in ruling
    # a --court file still overrides the stored profile
    court = tmp_path / "court.json"
    court.write_text(json.dumps(court_to_dict(example_court()), ensure_ascii=False), encoding="utf-8")
    result = run("lots", "documents", lot_file, "-o", tmp_path / "other", "--court", court)
    assert result.exit_code == 0 and f"文件 {court}" in result.output
    other = _docx_text(next((tmp_path / "other").glob("*-announcement.docx")).read_bytes())
    assert example_court().account.account_number in other and "1207 0211 0900 0123 456" not in other


def test_lots_documents_without_a_profile_names_each_document_and_its_missing_details(run, engine, tmp_path):
    lot_file = _exported(engine, tmp_path, profile=False)
    result = run("lots", "documents", lot_file, "-o", tmp_path / "out")
    assert result.exit_code == 0, result.output
    assert "未制作拍卖公告：法院信息缺少本院账户（开户行、户名、账号）、监督电话。" in result.output
    assert "未制作拍卖裁定书：法院信息缺少合议庭成员（至少三人，审判长在前）、书记员。" in result.output
    assert "法院信息" in result.output
    made = {p.name.split("-")[-1] for p in (tmp_path / "out").iterdir()}
    assert "lot_description.docx" in made and "announcement.docx" not in made and "auction_ruling.pdf" not in made
    for path in (tmp_path / "out").glob("*.docx"):  # what was made prints no blank court detail
        assert "本院账户：—" not in _docx_text(path.read_bytes())
