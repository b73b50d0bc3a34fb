"""Queries of the vehicle tables (车辆表): versions, their five frames written and read back typed, and the
ledger entries of vehicle quotes. Plain functions taking the session first; the service owns the transaction."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from xunpai.storage.models.accounts import Court, User
from xunpai.storage.models.custody import CustodyItem
from xunpai.storage.models.ledger import LedgerEntry
from xunpai.storage.models.lots import Lot
from xunpai.storage.models.vehicles import FRAME_COLUMNS, VEHICLE_TABLES, VehicleTableVersion

CHUNK = 5_000


def version_by_name(session: Session, name: str) -> VehicleTableVersion | None:
    return session.execute(select(VehicleTableVersion).where(VehicleTableVersion.name == name)).scalar_one_or_none()


def active_version(session: Session) -> VehicleTableVersion | None:
    return session.execute(select(VehicleTableVersion)
                           .where(VehicleTableVersion.status == "active")).scalar_one_or_none()


def all_versions(session: Session) -> list[VehicleTableVersion]:
    return list(session.execute(select(VehicleTableVersion).order_by(VehicleTableVersion.id)).scalars())


def add_version(session: Session, version: VehicleTableVersion) -> VehicleTableVersion:
    session.add(version)
    session.flush()
    return version


def _cell(value, kind: str):
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return None
    if kind == "text":
        return str(value)
    if kind == "float":
        return float(value)
    if kind == "bool":
        return bool(value)
    if isinstance(value, pd.Timestamp | datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def insert_frame(session: Session, version_id: int, frame_name: str, frame: pd.DataFrame) -> None:
    """Every row of ``frame`` under the version, typed per ``FRAME_COLUMNS``, in its order."""
    table = VEHICLE_TABLES[frame_name]
    spec = FRAME_COLUMNS[frame_name]
    names = [c for c, _ in spec]
    rows = [{"version_id": version_id, "position": i,
             **{c: _cell(v, kind) for (c, kind), v in zip(spec, values, strict=True)}}
            for i, values in enumerate(frame[names].itertuples(index=False, name=None))]
    for start in range(0, len(rows), CHUNK):
        session.execute(insert(table), rows[start:start + CHUNK])


def read_frame(session: Session, version_id: int, frame_name: str) -> pd.DataFrame:
    """The rows of one frame in their order, as stored (the service restores the pandas dtypes)."""
    table = VEHICLE_TABLES[frame_name]
    names = [c for c, _ in FRAME_COLUMNS[frame_name]]
    rows = session.execute(select(*[table.c[c] for c in names]).where(table.c.version_id == version_id)
                           .order_by(table.c.position)).all()
    frame = pd.DataFrame(rows, columns=names)
    for column, kind in FRAME_COLUMNS[frame_name]:
        if kind == "float":
            frame[column] = pd.to_numeric(frame[column].astype(object).where(frame[column].notna(), np.nan),
                                          errors="coerce").astype(float)
    return frame


def user_by_name(session: Session, username: str) -> User | None:
    return session.execute(select(User).where(User.username == username)).scalar_one_or_none()


def user_by_id(session: Session, user_id: int) -> User | None:
    return session.get(User, user_id)


def entry_by_seq(session: Session, seq: int) -> LedgerEntry | None:
    return session.execute(select(LedgerEntry).where(LedgerEntry.seq == seq)).scalar_one_or_none()


def display_name(session: Session, username: str) -> str | None:
    return session.execute(select(User.display_name).where(User.username == username)).scalar()


def count_entries(session: Session, kind: str) -> int:
    return session.execute(select(func.count(LedgerEntry.id)).where(LedgerEntry.kind == kind)).scalar_one()


def court_name(session: Session, code: str) -> str | None:
    return session.execute(select(Court.name).where(Court.code == code)).scalar()


def lot_by_id(session: Session, lot_id: int) -> Lot | None:
    return session.get(Lot, lot_id)


def custody_item(session: Session, item_id: int) -> CustodyItem | None:
    return session.get(CustodyItem, item_id)


def custody_of_lot(session: Session, lot_id: int) -> CustodyItem | None:
    """The first vehicle in custody linked to the lot (its intake checklist has the odometer reading)."""
    return session.execute(select(CustodyItem).where(CustodyItem.lot_id == lot_id, CustodyItem.kind == "vehicle")
                           .order_by(CustodyItem.id).limit(1)).scalar_one_or_none()


def vehicle_lots_of_court(session: Session, court_code: str, limit: int = 200) -> list[Lot]:
    return list(session.execute(select(Lot).where(Lot.court_code == court_code, Lot.kind == "vehicle")
                                .order_by(Lot.id.desc()).limit(limit)).scalars())


def custody_vehicles_of_court(session: Session, court_code: str, limit: int = 200) -> list[CustodyItem]:
    """A court's vehicles in custody that belong to no lot (a lot's vehicle is listed with its lot)."""
    return list(session.execute(select(CustodyItem).where(
        CustodyItem.court_code == court_code, CustodyItem.kind == "vehicle", CustodyItem.lot_id.is_(None),
        CustodyItem.status == "in_custody").order_by(CustodyItem.id.desc()).limit(limit)).scalars())
