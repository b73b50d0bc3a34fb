"""``xunpai demo``: a ready demo database built from the seeded synthetic city.

Two courts with their zones, a judge, a clerk and an administrator for each, the city's ground-truth
tables as the active version, and the cases and lots of ``xunpai.demo.cases`` and ``xunpai.demo.lots``.
The demo passwords are random and shown once, when the database is built.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from pathlib import Path

from tax_baseline.demo_city import City, generate_city
from tax_baseline.workbook import write_xlsx
from xunpai import config
from xunpai.demo import cases, lots, vehicles
from xunpai.services import accounts
from xunpai.services import baseline as baseline_store
from xunpai.storage.models.accounts import User
from xunpai.storage.unit_of_work import UnitOfWork

DEMO_SEED = 20261127
DEMO_VERSION = "示范市-2023"
COURTS = (("浙1099", "示范市人民法院", ["Z01", "Z02", "Z03"]), ("浙1098", "示范县人民法院", ["Z04"]))
USERS = (  # username, name, role, court
    ("judge", "王法官", "judge", "浙1099"), ("clerk", "李书记员", "clerk", "浙1099"),
    ("judge2", "赵法官", "judge", "浙1098"), ("admin", "系统管理员", "admin", None),
)


@dataclass
class DemoInfo:
    built: bool
    credentials: dict[str, str] = field(default_factory=dict)
    city: City | None = None
    files: dict[str, Path] = field(default_factory=dict)

    def lines(self) -> list[str]:
        if not self.built:
            return ["演示数据库已存在，未重建。"]
        out = ["演示数据库已建立。演示账户（密码只显示这一次）："]
        out += [f"  {name:<8} {password}" for name, password in self.credentials.items()]
        out += [f"  {label}：{path}" for label, path in self.files.items()]
        return out


def is_built(uow: UnitOfWork) -> bool:
    return not baseline_store.is_empty(uow)


def build_demo(uow: UnitOfWork, *, seed: int = DEMO_SEED, out_dir: Path | None = None) -> DemoInfo:
    """Fill an empty, migrated database with the demo in one transaction (the services it calls share it);
    does nothing if tables were already imported."""
    if is_built(uow):
        return DemoInfo(built=False)
    city = generate_city(seed=seed)
    city.tables.name = DEMO_VERSION
    credentials: dict[str, str] = {}
    with uow:
        for code, name, zones in COURTS:
            accounts.save_court(uow, code=code, name=name, zones=zones, policy={"objection_policy": "statutory"},
                                actor="demo")
        users: dict[str, User] = {}
        for username, display, role, court in USERS:
            password = secrets.token_urlsafe(9)
            users[username] = accounts.create_user(uow, username=username, display_name=display, role=role,
                                                   court_code=court, password=password, actor="demo")
            credentials[username] = password
        # The demo judge may ask at any hour (a court sets its own hours; judge2 keeps the default 8-18 h).
        accounts.set_inquiry_limits(uow, users["judge"], daily_count=500, hour_from=0, hour_to=24, actor="demo")
        baseline_store.save_version(uow, city.tables, DEMO_VERSION, source="示范市合成数据（演示）",
                                    created_by="admin")
        baseline_store.activate(uow, DEMO_VERSION, actor="admin")
        context = {"seed": seed, "city": city, "users": users, "credentials": credentials,
                   "courts": [c[0] for c in COURTS]}
        for builder in (lots, cases, vehicles):  # the lots register their cases; cases adds the party journey's if none
            builder.build(uow, context)
        uow.commit()
    out_dir = out_dir or (config.data_dir() / "demo")
    out_dir.mkdir(parents=True, exist_ok=True)
    files = {"演示基准表": out_dir / "demo-tables.xlsx", "演示成交记录": out_dir / "demo-sales.csv"}
    write_xlsx(city.tables, files["演示基准表"])
    city.sales.to_csv(files["演示成交记录"], index=False, encoding="utf-8-sig")
    return DemoInfo(built=True, credentials=credentials, city=city, files=files)
