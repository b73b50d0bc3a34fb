"""Bulk publish of 1,000 lots to the local platform, end to end (target ≤ 60 s; Wuxi: about 60 minutes per lot
by hand, 3 minutes with their one-click system).

End to end = read and check every row of the sheet (plan by the rules, mandatory disclosures), import the lots,
record each intent, build each upload package (zip with manifest), POST it over HTTP to the local platform
server (a separate process, ``xunpai platform serve``), record the result and the ledger entry.

Baseline, measured in the same run against a fresh database and a fresh platform: the same correct, idempotent
code path driven the naive way — one lot per transaction batch (its own intent commit and result commit) and a
new HTTP connection for every request (no keep-alive). The optimized path batches 50 lots per intent/result
transaction and reuses one keep-alive connection.

The document set (DOCX + PDF per lot) is measured separately on a few lots and reported per lot, because it
dominates when attached (``--documents`` on bulk-publish; default off for bulk).

    python bench/bench_bulk_publish.py [--lots 1000] [--database-url URL] [--document-lots 3]
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree first, installed or not
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # and its children's

from xunpai.storage.unit_of_work import UnitOfWork  # noqa: E402

TARGET_SECONDS = 60.0
CLI = [sys.executable, "-c", "from xunpai.cli import main; main()"]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_platform(data_dir: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(CLI + ["platform", "serve", "--port", str(port), "--data-dir", str(data_dir)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url + "/api/health", timeout=5).read()
            return process, url
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise SystemExit("the local platform did not start")


def listing_count(url: str) -> int:
    with urllib.request.urlopen(url + "/api/publications", timeout=60) as response:
        return json.loads(response.read())["count"]


_SCHEMAS: list[str] = []


def drop_schemas(url: str | None) -> None:
    from sqlalchemy import text

    from xunpai.storage.db import make_engine

    if url is None or not _SCHEMAS:
        return
    admin = make_engine(url)
    with admin.begin() as conn:
        for schema in _SCHEMAS:
            conn.execute(text(f'drop schema if exists "{schema}" cascade'))
    admin.dispose()


def fresh_engine(url: str | None, workdir: Path, name: str):
    from sqlalchemy import text

    from xunpai.storage.db import make_engine, migrate

    if url is None:
        engine = make_engine(f"sqlite:///{workdir / (name + '.sqlite3')}")
    else:
        schema = f"bench_{name}_{os.getpid()}"
        admin = make_engine(url)
        with admin.begin() as conn:
            conn.execute(text(f'drop schema if exists "{schema}" cascade'))
            conn.execute(text(f'create schema "{schema}"'))
        admin.dispose()
        _SCHEMAS.append(schema)
        separator = "&" if "?" in url else "?"
        engine = make_engine(f"{url}{separator}options=-csearch_path%3D{schema}")
    migrate(engine)
    return engine


def run(label: str, engine, sheet: Path, platform, batch_size: int, lots: int, url: str) -> float:
    from xunpai.services.publishing import bulk_publish

    marks: dict[str, float] = {}
    start = time.perf_counter()
    report = bulk_publish(UnitOfWork(engine), sheet, platform, actor="bench", batch_size=batch_size,
                          on_prepared=lambda n: marks.setdefault("prepared", time.perf_counter()))
    total = time.perf_counter() - start
    published = report.count("published")
    on_platform = listing_count(url)
    assert published == lots == on_platform, (published, on_platform)
    check = marks["prepared"] - start
    print(f"  {label:<44} {total:8.2f} s   {lots / total:8.1f} lots/s   "
          f"(check+import {check:.2f} s, publish {total - check:.2f} s; {on_platform} listings on the platform)")
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lots", type=int, default=1000)
    parser.add_argument("--database-url", help="PostgreSQL URL (default: a fresh SQLite file)")
    parser.add_argument("--document-lots", type=int, default=3, help="lots to time the document set on")
    args = parser.parse_args()

    from auction.demo_lots import demo_rows
    from auction.lot_sheet import write_sheet
    from auction.platforms.local_client import LocalPlatform

    workdir = Path(tempfile.mkdtemp(prefix="xunpai-bench-"))
    sheet = workdir / "lots.xlsx"
    write_sheet(sheet, demo_rows(args.lots, date.today().replace(year=date.today().year + 1)))
    backend = "PostgreSQL" if args.database_url else "SQLite"
    print(f"bulk publish of {args.lots} lots to the local platform over HTTP ({backend}; {os.cpu_count()} CPUs "
          f"shared)")

    # Warm up the code paths (imports, plan rules, workbook reader) so run order does not favour either side.
    from auction.lot_sheet import read_sheet

    warm = workdir / "warm.xlsx"
    write_sheet(warm, demo_rows(20, date.today().replace(year=date.today().year + 1)))
    read_sheet(warm)

    servers = []
    try:
        server, url = start_platform(workdir / "platform-optimized")
        servers.append(server)
        optimized = run("xunpai (50 per batch, keep-alive)", fresh_engine(args.database_url, workdir, "optimized"),
                        sheet, LocalPlatform(url), 50, args.lots, url)
        server, url = start_platform(workdir / "platform-naive")
        servers.append(server)
        naive = run("baseline (1 per batch, new connection per lot)",
                    fresh_engine(args.database_url, workdir, "naive"), sheet,
                    LocalPlatform(url, reuse_connection=False), 1, args.lots, url)
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=30)
        drop_schemas(args.database_url)
    print(f"  speed-up over the baseline: {naive / optimized:.2f}x; target ≤ {TARGET_SECONDS:.0f} s: "
          f"{'met' if optimized <= TARGET_SECONDS else 'MISSED'} ({optimized:.1f} s)")

    if args.document_lots:
        from auction.lot_sheet import COLUMNS, prepare_row, restore_lot
        from xunpai.services.publishing import render_documents

        rows = demo_rows(args.document_lots, date.today().replace(year=date.today().year + 1))
        lots = [restore_lot(prepare_row(i + 2, dict.fromkeys(COLUMNS, "") | row).content) for i, row in enumerate(rows)]
        start = time.perf_counter()
        files = sum(len(render_documents(lot, lot.plan)) for lot in lots)
        per_lot = (time.perf_counter() - start) / len(lots)
        print(f"  document set (DOCX + PDF) attached per lot: {per_lot:.2f} s/lot ({files // len(lots)} files); "
              f"with documents, {args.lots} lots would add about {per_lot * args.lots:.0f} s on one core")


if __name__ == "__main__":
    main()
