"""The local platform's HTTP API (Flask test client): the idempotency key never makes two listings."""

from datetime import date

import pytest

from auction.demo_lots import vehicle_row
from auction.lot_sheet import COLUMNS, prepare_row, restore_lot
from auction.platforms import get_platform
from auction.platforms.local_server import create_app


@pytest.fixture
def client(tmp_path):
    return create_app(tmp_path).test_client()


@pytest.fixture
def package():
    cells = dict.fromkeys(COLUMNS, "") | vehicle_row(1, date(2026, 12, 1))
    lot = restore_lot(prepare_row(2, cells).content)
    return get_platform("local", base_url="http://127.0.0.1:1").build_package(lot, lot.plan, {"拍卖公告": b"pdf"})


def _post(client, package, key):
    return client.post("/api/publications", data=package.to_zip(), headers={"Idempotency-Key": key},
                       content_type="application/zip")


def test_same_key_returns_the_same_listing(client, package):
    first = _post(client, package, "k1")
    again = _post(client, package, "k1")
    assert first.status_code == 201 and first.json["created"] is True
    assert again.status_code == 200 and again.json["created"] is False
    assert again.json["remote_id"] == first.json["remote_id"]
    assert client.get("/api/publications").json["count"] == 1
    other = _post(client, package, "k2")
    assert other.json["remote_id"] != first.json["remote_id"]


def test_key_is_required_and_package_must_be_readable(client, package):
    assert client.post("/api/publications", data=package.to_zip()).status_code == 400
    bad = client.post("/api/publications", data=b"not a zip", headers={"Idempotency-Key": "k"})
    assert bad.status_code == 422 and "上传包无法读取" in bad.json["error"]
    assert client.get("/api/publications").json["count"] == 0


def test_status_lookup_and_page(client, package):
    remote_id = _post(client, package, "k1").json["remote_id"]
    assert client.get(f"/api/publications/{remote_id}").json["status"] == "announced"
    assert client.get("/api/publications?idempotency_key=k1").json["remote_id"] == remote_id
    assert client.get("/api/publications?idempotency_key=nope").status_code == 404
    changed = client.post(f"/api/publications/{remote_id}/status", json={"status": "withdrawn"})
    assert changed.json["status"] == "withdrawn"
    assert client.post(f"/api/publications/{remote_id}/status", json={"status": "gone"}).status_code == 400
    page = client.get(f"/lots/{remote_id}").get_data(as_text=True)
    assert "起拍价" in page and "已撤回" in page
