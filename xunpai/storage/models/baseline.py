"""Database mapping of the baseline tables: one SQL table per ``tax_baseline.tables`` spec, each row
tagged with the table version (版本) it belongs to. Versions are immutable once imported; a version is
used for quotes only after an explicit activation (recorded in the ledger)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from tax_baseline.tables import SPECS
from xunpai.storage.models.base import Base


class TableVersion(Base):
    __tablename__ = "table_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | active | retired
    source: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    row_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    fit_statistics: Mapped[dict | None] = mapped_column(JSON, nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    activated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    activated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


_SQL_TYPES = {
    "text": lambda: String(300),
    "choice": lambda: String(40),
    "int": lambda: Integer(),
    "decimal": lambda: Numeric(14, 2),
    "percent": lambda: Numeric(7, 2),
    "date": lambda: Date(),
    "month": lambda: String(7),
}


def _table_for(spec) -> Table:
    columns = [
        Column("id", Integer, primary_key=True),
        Column("version_id", Integer, ForeignKey("table_versions.id", ondelete="CASCADE"), nullable=False,
               index=True),
    ]
    for col in spec.columns:
        columns.append(Column(col.name, _SQL_TYPES[col.kind](), nullable=not col.required))
    return Table(
        f"baseline_{spec.name}", Base.metadata, *columns,
        UniqueConstraint("version_id", *spec.key, name=f"uq_baseline_{spec.name}_key"),
    )


BASELINE_TABLES: dict[str, Table] = {spec.name: _table_for(spec) for spec in SPECS}
