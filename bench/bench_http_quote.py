"""HTTP quote under load: the JSON API (``POST /api/v1/quote``) served by ``xunpai serve`` (waitress) in its own
process, driven from this process over loopback, the ledger write included, on SQLite and on PostgreSQL.

(a) Open-loop steady load: 200 requests/s for 30 s. Requests are sent on schedule whatever the responses do
    (a scheduler thread hands each request to a pool of keep-alive connections at its planned time); latency
    is measured from the planned send time, so queueing in the client counts (no coordinated omission).
    Prints p50/p99; target p99 <= 50 ms on PostgreSQL.
(b) The highest rate sustained for 30 s with p99 <= 100 ms: rates rise by x1.5 from 200/s until one fails
    (bounded number of steps); prints the highest that passed.
Baseline in the same run: the same quote through the Flask test client in process (no HTTP, no server
threads), sequentially.

Each request picks a random building, floor, area and one of 20 judges (a court with many users at once).

Run: python bench/bench_http_quote.py [--duration 30] [--rate 200] [--steps 4] [--backends sqlite,postgresql]
     [--postgres postgresql+psycopg://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import queue
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from pathlib import Path

import numpy as np
from sqlalchemy import text

JUDGES = 20
CASE = "（2026）浙1081执{n}号"
COURT = "浙1081"


# ---------------------------------------------------------------- the database


def prepare_database(url: str) -> tuple[list[str], list[tuple[str, int]]]:
    """Migrate, load a synthetic city as the active tables, a court and JUDGES judges with API tokens."""
    from tax_baseline.demo_city import generate_city
    from xunpai.services import accounts as accounts_service
    from xunpai.services import baseline as baseline_store
    from xunpai.storage.db import make_engine, migrate
    from xunpai.storage.models.accounts import InquiryLimit
    from xunpai.storage.unit_of_work import UnitOfWork

    accounts_service.PASSWORD_HASH_METHOD = "pbkdf2:sha256:1000"  # setup speed only; no sign-ins are measured
    engine = make_engine(url)
    migrate(engine)
    city = generate_city(seed=11, n_zones=4, communities_per_zone=10, buildings_per_community=10, months=24,
                         sales_per_building=0.5, with_units=False)
    tokens = []
    uow = UnitOfWork(engine)
    with uow:  # the setup in one transaction (the services called inside share it)
        baseline_store.save_version(uow, city.tables, "bench", source="bench", created_by="bench")
        baseline_store.activate(uow, "bench", "bench")
        accounts_service.save_court(uow, code=COURT, name="温岭市人民法院",
                                    zones=list(city.tables["zones"]["zone_code"]))
        for i in range(JUDGES):
            user = accounts_service.create_user(uow, username=f"judge{i}", display_name=f"法官{i}", role="judge",
                                                court_code=COURT, password="bench-password")
            limit = uow.session.get(InquiryLimit, user.id)
            limit.hour_from, limit.hour_to, limit.daily_count = 0, 24, 10**9
            tokens.append(accounts_service.issue_api_token(uow, user, label="bench"))
        uow.commit()
    uow.close()
    buildings = [(row.building_id, int(row.total_floors)) for row in city.tables["buildings"].itertuples()]
    engine.dispose()
    return tokens, buildings


def request_body(rng: random.Random, buildings: list[tuple[str, int]]) -> bytes:
    building, total = rng.choice(buildings)
    return json.dumps({"building_id": building, "floor": str(rng.randint(1, total)),
                       "orientation": rng.choice(["南", "南北", "东南", "西"]),
                       "area": f"{rng.uniform(45, 160):.2f}", "contract_date": "2024-03-15",
                       "case_number": CASE.format(n=rng.randint(1, 5000)), "purpose": "压力测试询价"},
                      ensure_ascii=False).encode()


# ---------------------------------------------------------------- the server in its own process


class Server:
    def __init__(self, url: str, data_dir: Path, threads: int):
        with __import__("socket").socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
        env = {**os.environ, "XUNPAI_DATA_DIR": str(data_dir), "XUNPAI_SECRET_KEY": "bench"}
        data_dir.mkdir(parents=True, exist_ok=True)
        # The server's log goes to a file: a pipe nobody reads would fill up and stall the server.
        self.log_path = data_dir / "server.log"
        self.log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "xunpai", "serve", "--port", str(self.port), "--database-url", url, "--no-demo",
             "--platform-port", "0", "--threads", str(threads)], env=env, stdout=self.log, stderr=self.log)
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login", timeout=2)
                return
            except OSError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("the server did not start: " + self.log_path.read_text(errors="replace")[-2000:])

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()


# ---------------------------------------------------------------- open-loop load


def open_loop(port: int, tokens: list[str], buildings, rate: float, duration: float, connections: int = 64,
              seed: int = 1) -> dict:
    """Send ``rate`` requests/s for ``duration`` s on schedule; latency from the planned send time."""
    rng = random.Random(seed)
    plan = [(i / rate, tokens[i % len(tokens)], request_body(rng, buildings)) for i in range(int(rate * duration))]
    work: queue.Queue = queue.Queue()
    latencies: list[float] = []
    errors: dict[str, int] = {}
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        while True:
            item = work.get()
            if item is None:
                return
            planned, token, body = item
            try:
                conn.request("POST", "/api/v1/quote", body=body,
                             headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
                status = type(exc).__name__
            done = time.perf_counter()
            with lock:
                latencies.append(done - planned)
                if status != 200:
                    errors[str(status)] = errors.get(str(status), 0) + 1

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(connections)]
    for thread in threads:
        thread.start()
    start = time.perf_counter() + 0.2
    late = 0
    for offset, token, body in plan:
        planned = start + offset
        delay = planned - time.perf_counter()
        if delay > 0:
            time.sleep(delay)
        elif delay < -0.005:
            late += 1
        work.put((planned, token, body))
    for _ in threads:
        work.put(None)
    for thread in threads:
        thread.join(timeout=120)
    elapsed = time.perf_counter() - start
    ms = np.array(latencies) * 1000
    return {"rate": rate, "sent": len(plan), "completed": len(latencies), "errors": errors,
            "p50": float(np.percentile(ms, 50)), "p99": float(np.percentile(ms, 99)), "max": float(ms.max()),
            "achieved": len(latencies) / elapsed, "late_sends": late}


def describe(result: dict) -> str:
    errors = f", errors {result['errors']}" if result["errors"] else ""
    return (f"{result['rate']:.0f} req/s offered, {result['achieved']:.0f} req/s completed: "
            f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, max {result['max']:.0f} ms "
            f"(n={result['completed']}{errors})")


# ---------------------------------------------------------------- the in-process baseline


def in_process_baseline(url: str, tokens, buildings, n: int = 500) -> dict:
    from web import create_app
    from xunpai.storage.db import make_engine

    engine = make_engine(url)
    app = create_app({"ENGINE": engine, "SECRET_KEY": "bench", "MIGRATE": False})
    client = app.test_client()
    rng = random.Random(2)
    samples = []
    for i in range(n):
        body = request_body(rng, buildings)
        t0 = time.perf_counter()
        response = client.post("/api/v1/quote", data=body, content_type="application/json",
                               headers={"Authorization": f"Bearer {tokens[i % len(tokens)]}"})
        samples.append(time.perf_counter() - t0)
        assert response.status_code == 200, response.get_json()
    engine.dispose()
    ms = np.array(samples) * 1000
    return {"p50": float(np.percentile(ms, 50)), "p99": float(np.percentile(ms, 99)),
            "throughput": n / sum(samples)}


# ---------------------------------------------------------------- main


def commit_latency(url: str, n: int = 200) -> tuple[float, float]:
    """The floor under every quote: one durable single-row UPDATE + COMMIT (each ledger append is one, and
    the hash chain serializes them)."""
    from xunpai.storage.db import make_engine

    engine = make_engine(url)
    samples = []
    with engine.connect() as conn:
        conn.execute(text("create table if not exists bench_commit_probe (id integer primary key, v integer)"))
        conn.execute(text("delete from bench_commit_probe"))
        conn.execute(text("insert into bench_commit_probe values (1, 0)"))
        conn.commit()
        for _ in range(n):
            t0 = time.perf_counter()
            conn.execute(text("update bench_commit_probe set v = v + 1 where id = 1"))
            conn.commit()
            samples.append(time.perf_counter() - t0)
        conn.execute(text("drop table bench_commit_probe"))
        conn.commit()
    engine.dispose()
    ms = np.array(samples) * 1000
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def run_backend(name: str, url: str, args, data_dir: Path) -> None:
    print(f"\n== {name} ==", flush=True)
    t0 = time.perf_counter()
    tokens, buildings = prepare_database(url)
    print(f"setup: {len(buildings)} buildings, {JUDGES} judges ({time.perf_counter() - t0:.1f} s)", flush=True)
    c50, c99 = commit_latency(url)
    print(f"durable commit of one row (the floor of each ledger append): p50 {c50:.2f} ms, p99 {c99:.2f} ms",
          flush=True)
    base = in_process_baseline(url, tokens, buildings, n=args.baseline_n)
    print(f"baseline, Flask test client in process, sequential: p50 {base['p50']:.1f} ms, p99 {base['p99']:.1f} ms "
          f"({base['throughput']:.0f} quotes/s on one thread)", flush=True)
    server = Server(url, data_dir / name, args.threads)
    print(f"server: xunpai serve (waitress, {args.threads} threads) in its own process; load from this process over "
          f"loopback with 64 keep-alive connections", flush=True)
    try:
        open_loop(server.port, tokens, buildings, rate=50, duration=2, seed=99)  # warm-up (engine compile)
        steady = open_loop(server.port, tokens, buildings, rate=args.rate, duration=args.duration)
        target = " (target p99 <= 50 ms: " + ("met" if steady["p99"] <= 50 else "NOT met") + ")" \
            if name == "postgresql" else ""
        print(f"(a) open loop {args.rate}/s for {args.duration:.0f} s: {describe(steady)}{target}", flush=True)
        def sustained(result: dict) -> bool:
            return result["p99"] <= 100 and not result["errors"] and result["achieved"] >= 0.97 * result["rate"]

        best = steady if sustained(steady) else None
        rate, factor = args.rate, (1.5 if best else 0.75)
        for _ in range(args.steps):
            rate = rate * factor
            result = open_loop(server.port, tokens, buildings, rate=rate, duration=args.duration, seed=int(rate))
            ok = sustained(result)
            print(f"    step {rate:.0f}/s: {describe(result)} -> {'sustained' if ok else 'not sustained'}",
                  flush=True)
            if factor > 1 and not ok:
                break
            if ok:
                best = result if best is None or result["rate"] > best["rate"] else best
                if factor < 1:
                    break
        if best is None:
            print(f"(b) highest rate with p99 <= 100 ms for {args.duration:.0f} s: below {rate:.0f}/s", flush=True)
        else:
            print(f"(b) highest rate sustained for {args.duration:.0f} s with p99 <= 100 ms: {best['rate']:.0f} "
                  f"req/s (p99 {best['p99']:.1f} ms); the in-process baseline does {base['throughput']:.0f} "
                  f"quotes/s on one thread ({best['rate'] / base['throughput']:.1f}x)", flush=True)
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=float, default=30.0)
    parser.add_argument("--rate", type=float, default=200.0)
    parser.add_argument("--steps", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2,
                        help="waitress worker threads (on 2 cores, 2 did best: the ledger appends are serialized, "
                             "and more threads only fight over the GIL while one holds the ledger's lock)")
    parser.add_argument("--baseline-n", type=int, default=500)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--postgres", default=os.environ.get("XUNPAI_TEST_POSTGRES_URL",
                                                              "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    from xunpai.storage.db import make_engine

    print(f"load average before the run: {' '.join(f'{x:.2f}' for x in os.getloadavg())} "
          f"({os.cpu_count()} CPUs; other work on this machine disturbs the tail latencies)", flush=True)

    with tempfile.TemporaryDirectory(prefix="xunpai-bench-http-") as tmp:
        data_dir = Path(tmp)
        for backend in args.backends.split(","):
            if backend == "sqlite":
                run_backend("sqlite", f"sqlite:///{data_dir / 'bench.sqlite3'}", args, data_dir)
            elif backend == "postgresql":
                schema = f"xunpai_bench_{os.getpid()}_{uuid.uuid4().hex[:6]}"
                admin = make_engine(args.postgres)
                with admin.begin() as conn:
                    conn.execute(text(f'create schema "{schema}"'))
                separator = "&" if "?" in args.postgres else "?"
                try:
                    run_backend("postgresql", f"{args.postgres}{separator}options=-csearch_path%3D{schema}", args,
                                data_dir)
                finally:
                    with admin.begin() as conn:
                        conn.execute(text(f'drop schema if exists "{schema}" cascade'))
                    admin.dispose()


if __name__ == "__main__":
    main()
