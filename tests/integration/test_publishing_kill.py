"""A bulk publish killed midway (SIGKILL, in a subprocess) and run again publishes each lot exactly once.

Real processes: the local platform server (``xunpai platform serve``) on 127.0.0.1 and the ``xunpai lots
bulk-publish`` command against the test database (SQLite and PostgreSQL)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections import Counter
from datetime import date

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from auction.demo_lots import demo_rows
from auction.lot_sheet import write_sheet
from tests.uow import unit_scope
from xunpai.storage import ledger
from xunpai.storage.models.lots import Publication

CLI = [sys.executable, "-c", "from xunpai.cli import main; main()"]
LOTS = 30


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=10) as response:
        return json.loads(response.read())


@pytest.fixture
def server(tmp_path):
    port = _free_port()
    process = subprocess.Popen(CLI + ["platform", "serve", "--port", str(port), "--data-dir", str(tmp_path / "lp")],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            _get(url + "/api/health")
            break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"local platform did not start: {process.stderr.read().decode()}")
            time.sleep(0.2)
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_rerun_after_kill_publishes_each_lot_exactly_once(engine, database_url, server, tmp_path):
    sheet = tmp_path / "lots.xlsx"
    write_sheet(sheet, demo_rows(LOTS, date(2026, 12, 1)))
    env = dict(os.environ, XUNPAI_DATABASE_URL=database_url, XUNPAI_DATA_DIR=str(tmp_path / "data"),
               XUNPAI_LOCAL_PLATFORM_URL=server)
    command = CLI + ["lots", "bulk-publish", str(sheet), "--platform", "local", "-o", str(tmp_path / "r1.xlsx"),
                     "--batch-size", "5"]
    first = subprocess.Popen(command + ["--pace", "0.2"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 180
    while len(_get(server + "/api/publications")["listings"]) < 8:
        assert first.poll() is None, f"the first run ended before it could be killed: {first.stderr.read().decode()}"
        assert time.monotonic() < deadline, "the first run published too slowly"
        time.sleep(0.05)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=30)
    published_before = len(_get(server + "/api/publications")["listings"])
    assert 8 <= published_before < LOTS

    rerun = subprocess.run(command + ["-o", str(tmp_path / "r2.xlsx")], env=env, capture_output=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr.decode()
    assert "（续跑）" in rerun.stdout.decode()

    listings = _get(server + "/api/publications")["listings"]
    per_lot = Counter(item["lot_code"] for item in listings)
    assert len(listings) == LOTS and set(per_lot.values()) == {1}
    with unit_scope(engine) as uow:
        publications = list(uow.session.scalars(select(Publication)))
        assert len(publications) == LOTS and {p.status for p in publications} == {"published"}
        assert {p.remote_id for p in publications} == {item["remote_id"] for item in listings}
        recorded = Counter(json.loads(e.payload)["lot_code"] for e in ledger.entries(uow.session, kind="lot.published"))
        assert len(recorded) == LOTS and set(recorded.values()) == {1}
    results = [row[3] for row in load_workbook(tmp_path / "r2.xlsx").active.iter_rows(min_row=2, values_only=True)]
    assert len(results) == LOTS
    # what is true on the local platform: each lot newly sent is 已上线 (issue 14)
    assert set(results) <= {"已上线", "此前已发布，未重复发布", "中断前已发布，已核对（已上线）"}
    assert results.count("已上线") == LOTS - published_before
