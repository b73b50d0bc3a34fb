"""What the baseline service reads and writes: table versions and the rows of their tables
(``xunpai.services.baseline``)."""

from __future__ import annotations

from sqlalchemy import Row, func, insert, select
from sqlalchemy.orm import Session

from xunpai.storage.models.baseline import BASELINE_TABLES, TableVersion

INSERT_CHUNK = 20_000  # rows per INSERT ... VALUES statement


def version_named(session: Session, name: str) -> TableVersion | None:
    return session.execute(select(TableVersion).where(TableVersion.name == name)).scalar_one_or_none()


def version_exists(session: Session, name: str) -> bool:
    return session.execute(select(TableVersion.id).where(TableVersion.name == name)).first() is not None


def any_version(session: Session) -> bool:
    return session.execute(select(TableVersion.id)).first() is not None


def active_version(session: Session) -> TableVersion | None:
    return session.execute(select(TableVersion).where(TableVersion.status == "active")).scalar_one_or_none()


def active_version_key(session: Session) -> Row | None:
    """The active version's id, name and creation time (the key of a compiled quote engine), or None. Asked by
    every quote: a Core statement built once, on the session's connection."""
    return session.connection().execute(_ACTIVE_VERSION_KEY).first()


_versions = TableVersion.__table__
_ACTIVE_VERSION_KEY = select(_versions.c.id, _versions.c.name, _versions.c.created_at).where(
    _versions.c.status == "active")


def version_names(session: Session) -> list[str]:
    return list(session.execute(select(TableVersion.name).order_by(TableVersion.id)).scalars())


def all_versions(session: Session) -> list[TableVersion]:
    return list(session.execute(select(TableVersion).order_by(TableVersion.id)).scalars())


def version_count(session: Session) -> int:
    return session.execute(select(func.count(TableVersion.id))).scalar_one()


def insert_table_rows(session: Session, table_name: str, records: list[dict]) -> None:
    """Insert rows (dicts with ``version_id``) into one baseline table, in chunks."""
    for start in range(0, len(records), INSERT_CHUNK):
        session.execute(insert(BASELINE_TABLES[table_name]), records[start:start + INSERT_CHUNK])


def table_rows(session: Session, table_name: str, column_names: list[str], version_id: int) -> list[Row]:
    """One version's rows of one baseline table, these columns, in insertion order."""
    table = BASELINE_TABLES[table_name]
    columns = [table.c[name] for name in column_names]
    return session.execute(select(*columns).where(table.c.version_id == version_id).order_by(table.c.id)).all()
