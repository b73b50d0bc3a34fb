"""Single-quote latency, in process: p50 and p99.

1. ``QuoteEngine.quote`` alone (the ledger write excluded); target p99 ≤ 1 ms.
2. The same quote through ``quote_for_user`` (limits + ledger write + commit) on SQLite and PostgreSQL.
Baseline in the same run: a naive quote that filters the pandas tables for every request instead of
using the compiled lookups.

Run: python bench/bench_quote.py [--n 5000] [--postgres URL]
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import uuid
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import numpy as np
from sqlalchemy import text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this tree first, installed or not
os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))  # and its children's

from tax_baseline.demo_city import generate_city  # noqa: E402
from tax_baseline.quote import QuoteEngine, QuoteRequest  # noqa: E402


def percentiles(samples: list[float]) -> str:
    ms = np.array(samples) * 1000
    return f"p50 {np.percentile(ms, 50):.3f} ms, p99 {np.percentile(ms, 99):.3f} ms (n={len(ms)})"


def naive_quote(tables, request: QuoteRequest) -> Decimal:
    """The baseline: look every factor up by filtering the DataFrames, as a first script would."""
    f = tables.frames
    b = f["buildings"][f["buildings"]["building_id"] == request.building_id].iloc[0]
    bp = f["base_prices"][(f["base_prices"]["key"] == b.building_id)
                          & (f["base_prices"]["effective_date"] <= request.contract_date)]
    base = Decimal(str(bp.sort_values("effective_date").iloc[-1]["price"]))
    klass = "8层以上" if b.total_floors > 8 else ("8层以内有电梯" if b.elevator == "有" else "8层以内无电梯")
    fc = f["floor_coefficients"]
    floor = fc[(fc.elevator_class == klass) & (fc.total_floors == b.total_floors) & (fc.floor == int(request.floor))]
    of = f["other_factors"]
    orient = of[(of.factor == "朝向") & (of.level == request.orientation)]
    value = base * Decimal(str(floor.iloc[0]["percent"])) / 100 * Decimal(str(orient.iloc[0]["percent"])) / 100
    return (value * Decimal(str(request.area))).quantize(Decimal("0.01"))


def requests(city, n: int, seed: int = 3) -> list[QuoteRequest]:
    rng = np.random.default_rng(seed)
    b = city.tables["buildings"]
    out = []
    for i in rng.integers(0, len(b), size=n):
        total = int(b["total_floors"].iat[i])
        out.append(QuoteRequest(building_id=b["building_id"].iat[i], floor=int(rng.integers(1, total + 1)),
                                orientation=str(rng.choice(["南北", "南", "东", "北"])),
                                area=f"{rng.uniform(40, 160):.2f}", contract_date=date(2025, 6, 1)))
    return out


def with_ledger(url: str, city, reqs: list[QuoteRequest], label: str) -> None:
    from xunpai.services import baseline as baseline_store
    from xunpai.services.accounts import create_user
    from xunpai.services.inquiry import quote_for_user
    from xunpai.storage.db import make_engine, migrate
    from xunpai.storage.models.accounts import Court, InquiryLimit
    from xunpai.storage.unit_of_work import UnitOfWork

    engine = make_engine(url)
    migrate(engine)
    uow = UnitOfWork(engine)
    with uow:  # the setup in one transaction (the services called inside share it)
        uow.session.add(Court(code="浙1099", name="示范市人民法院", zones=[], policy={}))
        uow.session.flush()
        user = create_user(uow, username="bench", display_name="压测", role="judge", court_code="浙1099",
                           password="bench-pass-1")
        limit = uow.session.get(InquiryLimit, user.id)
        limit.daily_count, limit.hour_from, limit.hour_to = 10_000_000, 0, 24
        baseline_store.save_version(uow, city.tables, "bench", source="bench")
        baseline_store.activate(uow, "bench", actor="bench")
        uow.commit()
    now = datetime(2026, 3, 2, 10)
    quote_for_user(uow, user, reqs[0], case_number="（2026）浙1099执1号", purpose="压测", now=now)
    samples = []
    for r in reqs:
        start = time.perf_counter()
        quote_for_user(uow, user, r, case_number="（2026）浙1099执1号", purpose="压测", now=now)
        samples.append(time.perf_counter() - start)
    print(f"quote + limits + ledger write + commit, {label}: {percentiles(samples)}")
    uow.close()
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=5000)
    parser.add_argument("--ledger-n", type=int, default=1000)
    parser.add_argument("--postgres", default=os.environ.get("XUNPAI_TEST_POSTGRES_URL",
                                                             "postgresql+psycopg://postgres@127.0.0.1:5432/test"))
    args = parser.parse_args()
    city = generate_city(seed=11, n_zones=10, communities_per_zone=20, buildings_per_community=25,
                         sales_per_building=0.1, with_units=False)
    engine = QuoteEngine(city.tables)
    reqs = requests(city, args.n)
    for r in reqs[:50]:
        engine.quote(r)
    samples = []
    for r in reqs:
        start = time.perf_counter()
        engine.quote(r)
        samples.append(time.perf_counter() - start)
    print(f"tables: {len(city.tables['buildings']):,} buildings")
    print(f"quote(), ledger excluded: {percentiles(samples)}")
    naive = []
    for r in reqs[: max(args.n // 10, 100)]:
        start = time.perf_counter()
        naive_quote(city.tables, r)
        naive.append(time.perf_counter() - start)
    print(f"baseline, pandas filtering per quote: {percentiles(naive)}; "
          f"median speed-up {statistics.median(naive) / statistics.median(samples):,.0f}x")

    with tempfile.TemporaryDirectory() as tmp:
        with_ledger(f"sqlite:///{tmp}/bench.sqlite3", city, reqs[: args.ledger_n], "SQLite")
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    from xunpai.storage.db import make_engine

    admin = make_engine(args.postgres)
    try:
        with admin.begin() as conn:
            conn.execute(text(f'create schema "{schema}"'))
    except Exception as exc:
        print(f"PostgreSQL not reachable at {args.postgres}: {exc}")
        return
    try:
        sep = "&" if "?" in args.postgres else "?"
        with_ledger(f"{args.postgres}{sep}options=-csearch_path%3D{schema}", city, reqs[: args.ledger_n], "PostgreSQL")
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'drop schema "{schema}" cascade'))
        admin.dispose()


if __name__ == "__main__":
    main()
