"""``xunpai serve --workers N``: N server processes on one port, on SQLite and PostgreSQL.

Four real server processes take concurrent quotes over HTTP: the ledger stays one chain (it verifies) and every
answered quote has exactly one entry; exactly one of the four consumes the job queue, and when it is killed the
supervisor starts a new process and the queue gets one consumer again. Plus the serving limits: 200 idle
connections (each sent one header line and stopped) do not keep a judge from signing in, and the server closes
them after its idle timeout."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from sqlalchemy import func, select

from tax_baseline.demo_city import generate_city
from tests.uow import unit_scope
from xunpai.services import accounts as accounts_service
from xunpai.services import baseline as baseline_store
from xunpai.storage import ledger
from xunpai.storage.db import make_engine, migrate
from xunpai.storage.models.accounts import InquiryLimit
from xunpai.storage.models.ledger import LedgerEntry

ROOT = Path(__file__).resolve().parents[2]
CLI = [sys.executable, "-m", "xunpai"]
COURT = "浙1081"
PASSWORD = "correct-horse-42"
accounts_service.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # set-up speed; sign-in is not what is measured


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _seed(engine, judges: int = 4) -> tuple[list[str], list[tuple[str, int]]]:
    city = generate_city(seed=5, n_zones=1, communities_per_zone=2, buildings_per_community=3, months=12,
                         sales_per_building=1.0, with_units=False)
    tokens = []
    with unit_scope(engine) as uow:
        baseline_store.save_version(uow, city.tables, "2026-01", source="test", created_by="test")
        baseline_store.activate(uow, "2026-01", "test")
        accounts_service.save_court(uow, code=COURT, name="温岭市人民法院",
                                    zones=list(city.tables["zones"]["zone_code"]))
        for i in range(judges):
            user = accounts_service.create_user(uow, username=f"judge{i}", display_name=f"法官{i}", role="judge",
                                                court_code=COURT, password=PASSWORD)
            limit = uow.session.get(InquiryLimit, user.id)
            limit.hour_from, limit.hour_to, limit.daily_count = 0, 24, 10_000
            tokens.append(accounts_service.issue_api_token(uow, user, label="test"))
    buildings = [(row.building_id, int(row.total_floors)) for row in city.tables["buildings"].itertuples()]
    return tokens, buildings


class Served:
    """``xunpai serve`` in its own process group, its log in a file."""

    def __init__(self, tmp_path: Path, database_url: str, *args: str):
        self.port = _free_port()
        self.log = tmp_path / f"serve-{self.port}.log"
        env = dict(os.environ, XUNPAI_DATA_DIR=str(tmp_path / "data"), XUNPAI_SECRET_KEY="serve-workers",
                   XUNPAI_LOG_LEVEL="INFO")
        self.process = subprocess.Popen(
            CLI + ["serve", "--port", str(self.port), "--database-url", database_url, "--no-demo",
                   "--platform-port", "0", *args],
            env=env, stdout=self.log.open("w"), stderr=subprocess.STDOUT, cwd=ROOT, start_new_session=True)
        self.wait_for("the server to answer", self.answers)

    def text(self) -> str:
        return self.log.read_text(errors="replace")

    def answers(self) -> bool:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=5)
            connection.request("GET", "/login")
            return connection.getresponse().status == 200
        except OSError:
            return False

    def wait_for(self, what: str, condition, seconds: float = 90):
        deadline = time.monotonic() + seconds
        while True:
            value = condition()
            if value:
                return value
            assert self.process.poll() is None, f"the server stopped while waiting for {what}: {self.text()[-3000:]}"
            assert time.monotonic() < deadline, f"timed out waiting for {what}: {self.text()[-3000:]}"
            time.sleep(0.2)

    def server_pids(self) -> set[int]:
        return {int(pid) for pid in re.findall(r"server process (\d+):", self.text())}

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _quote(port: int, token: str, body: dict) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)  # a new connection each time: any process
    connection.request("POST", "/api/v1/quote", body=json.dumps(body, ensure_ascii=False).encode(),
                       headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
    response = connection.getresponse()
    return response.status, json.loads(response.read())


def _holders(text: str) -> list[int]:
    return [int(pid) for pid in re.findall(r"\[(\d+) job-worker\] xunpai\.jobs: job worker: holding the lock", text)]


@pytest.mark.slow
def test_four_server_processes_keep_one_chain_and_one_job_worker(engine, database_url, tmp_path):
    tokens, buildings = _seed(engine)
    served = Served(tmp_path, database_url, "--workers", "4", "--threads", "4")
    try:
        served.wait_for("four server processes", lambda: len(served.server_pids()) == 4)
        served.wait_for("every process to know whether it consumes the queue",
                        lambda: len(_holders(served.text()))
                        + served.text().count("another process holds the job-worker lock") >= 4)
        assert len(_holders(served.text())) == 1, "exactly one of the four processes consumes the job queue"

        n = 120
        bodies = [{"building_id": buildings[i % len(buildings)][0], "floor": str(1 + i % buildings[i % len(buildings)][1]),
                   "area": f"{60 + i % 50}.50", "contract_date": "2024-03-15",
                   "case_number": f"（2026）浙1081执{1000 + i}号", "purpose": "确定财产处置参考价"} for i in range(n)]
        with ThreadPoolExecutor(max_workers=16) as pool:
            answers = list(pool.map(lambda i: _quote(served.port, tokens[i % len(tokens)], bodies[i]), range(n)))
        assert all(status == 200 for status, _ in answers), [a for a in answers if a[0] != 200][:3]
        seqs = [body["ledger_seq"] for _, body in answers]
        assert len(set(seqs)) == n

        with unit_scope(engine) as uow:
            check = ledger.verify(uow.session)
            assert check.ok, check.message()
            quotes = list(uow.session.execute(select(LedgerEntry).where(LedgerEntry.kind == "inquiry.quote")).scalars())
            assert sorted(entry.seq for entry in quotes) == sorted(seqs)  # one entry each, no more, no fewer
            by_seq = {entry.seq: entry for entry in quotes}
            for (_status, body), sent in zip(answers, bodies, strict=True):
                entry = by_seq[body["ledger_seq"]]
                assert ledger.verification_code(entry.hash) == body["verification_code"]
                assert entry.case_number == sent["case_number"]
            assert uow.session.execute(select(func.count(LedgerEntry.id))).scalar_one() == check.checked

        # the queue's consumer dies: the supervisor starts a fifth process, and one process consumes again
        holder, = _holders(served.text())
        os.kill(holder, signal.SIGKILL)
        served.wait_for("a new server process", lambda: len(served.server_pids()) == 5)
        served.wait_for("a new consumer", lambda: len(_holders(served.text())) == 2, seconds=60)
        new_holder = _holders(served.text())[1]
        assert new_holder != holder and _alive(new_holder)
        assert sum(_alive(pid) for pid in served.server_pids()) == 4
        assert "已退出" in served.text()
    finally:
        served.stop()
    assert not any(_alive(pid) for pid in served.server_pids()), "every server process stops with the supervisor"


@pytest.mark.slow
def test_the_server_processes_end_with_a_killed_supervisor(tmp_path):
    url = f"sqlite:///{tmp_path / 'kill.sqlite3'}"
    engine = make_engine(url)
    migrate(engine)
    engine.dispose()
    served = Served(tmp_path, url, "--workers", "2")
    try:
        served.wait_for("two server processes", lambda: len(served.server_pids()) == 2)
        served.process.send_signal(signal.SIGKILL)  # the supervisor crashes
        served.process.wait(timeout=10)
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in served.server_pids()):
            assert time.monotonic() < deadline, "a server process outlived its supervisor"
            time.sleep(0.1)
        assert not served.answers()  # nobody keeps the port
    finally:
        served.stop()


def _csrf(connection: http.client.HTTPConnection) -> tuple[str, str]:
    connection.request("GET", "/login")
    response = connection.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1), cookie


@pytest.mark.slow
def test_two_hundred_idle_connections_do_not_stop_a_login(tmp_path):
    url = f"sqlite:///{tmp_path / 'idle.sqlite3'}"
    engine = make_engine(url)
    migrate(engine)
    with unit_scope(engine) as uow:
        accounts_service.save_court(uow, code=COURT, name="温岭市人民法院", zones=[])
        accounts_service.create_user(uow, username="judge1", display_name="法官", role="judge", court_code=COURT,
                                     password=PASSWORD)
    engine.dispose()
    served = Served(tmp_path, url, "--workers", "2", "--idle-timeout", "4")
    idle = []
    try:
        for _ in range(200):  # each sends one header line and stops (beyond waitress's default of 100 connections)
            sock = socket.create_connection(("127.0.0.1", served.port), timeout=10)
            sock.sendall(b"GET /login HTTP/1.1\r\nHost: 127.0.0.1\r\n")
            idle.append(sock)
        started = time.monotonic()
        connection = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
        token, cookie = _csrf(connection)
        connection.request("POST", "/login", body=urllib.parse.urlencode(
            {"username": "judge1", "password": PASSWORD, "csrf_token": token}),
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
        response = connection.getresponse()
        response.read()
        assert response.status == 302 and response.getheader("Location").endswith("/cases"), response.status
        assert time.monotonic() - started < 5, "the login waited behind the idle connections"

        # the server closes the idle connections after its idle timeout (4 s here, checked every 2 s)
        for sock in idle:
            sock.settimeout(15)
        closed = sum(1 for sock in idle if _closed_by_server(sock))
        assert closed == len(idle)
    finally:
        for sock in idle:
            sock.close()
        served.stop()


def _closed_by_server(sock: socket.socket) -> bool:
    try:
        return sock.recv(1024) == b""
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
