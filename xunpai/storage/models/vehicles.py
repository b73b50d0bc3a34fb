"""Database mapping of the vehicle tables (车辆表): a version row and the five tables of a fitted depreciation
model (``vehicles.depreciation.VehicleTable``: terms, models, series, index, records), each row tagged with its
version and its position. Every cell is stored typed (text, double, integer, boolean, date) and each frame's
pandas dtypes are kept on the version, so that ``VehicleTable.from_tables`` reads back exactly what was fitted.
A version is immutable once saved and used for quotes only after an explicit activation (recorded in the ledger),
like the housing tables (``xunpai/storage/models/baseline.py``)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Date,
    DateTime,
    Double,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from xunpai.storage.models.base import Base


class VehicleTableVersion(Base):
    __tablename__ = "vehicle_table_versions"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    status: Mapped[str] = mapped_column(String(20), default="draft")  # draft | active | retired
    source: Mapped[str] = mapped_column(String(500), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    row_counts: Mapped[dict] = mapped_column(JSON, default=dict)
    statistics: Mapped[dict] = mapped_column(JSON, default=dict)  # VehicleTable.statistics, as fitted
    dtypes: Mapped[dict] = mapped_column(JSON, default=dict)  # {frame: {column: dtype}} for the exact read-back
    created_at: Mapped[datetime] = mapped_column(DateTime)
    created_by: Mapped[str] = mapped_column(String(100), default="")
    activated_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)
    activated_by: Mapped[str | None] = mapped_column(String(100), nullable=True)


# The columns of each frame and how a cell is stored: text, float (double precision), int, bool, date.
FRAME_COLUMNS: dict[str, tuple[tuple[str, str], ...]] = {
    "terms": (("group", "text"), ("level", "text"), ("coefficient", "float"), ("records", "float")),
    "models": (("model_key", "text"), ("series_key", "text"), ("brand", "text"), ("series_name", "text"),
               ("model_year", "float"), ("trim", "text"), ("name", "text"), ("new_price", "float"),
               ("records", "float")),
    "series": (("series_key", "text"), ("brand", "text"), ("series_name", "text"), ("class", "text"),
               ("records", "float")),
    "index": (("month", "text"), ("coefficient", "float"), ("index", "float"), ("records", "float")),
    "records": (("record_id", "text"), ("name", "text"), ("brand", "text"), ("series_name", "text"),
                ("series_key", "text"), ("model_year", "float"), ("trim", "text"), ("model_key", "text"),
                ("imported", "bool"), ("fuel", "text"), ("registration", "date"), ("age_months", "float"),
                ("mileage_km", "float"), ("gearbox", "text"), ("city", "text"), ("city_level", "text"),
                ("new_price", "float"), ("inspection_areas", "float"), ("inspection_findings", "float"),
                ("price", "float"), ("date", "date"), ("month", "text"), ("log_ratio_fit", "float")),
}
SQL_NAMES = {"terms": "vehicle_terms", "models": "vehicle_models", "series": "vehicle_series",
             "index": "vehicle_price_index", "records": "vehicle_records"}
_SQL_TYPES = {"text": Text, "float": Double, "bool": Boolean, "date": Date}


def _table_for(frame: str) -> Table:
    columns = [
        Column("id", Integer, primary_key=True),
        Column("version_id", Integer, ForeignKey("vehicle_table_versions.id", ondelete="CASCADE"), nullable=False,
               index=True),
        Column("position", Integer, nullable=False),
    ]
    columns += [Column(name, _SQL_TYPES[kind](), nullable=True) for name, kind in FRAME_COLUMNS[frame]]
    return Table(SQL_NAMES[frame], Base.metadata, *columns,
                 UniqueConstraint("version_id", "position", name=f"uq_{SQL_NAMES[frame]}_position"))


VEHICLE_TABLES: dict[str, Table] = {frame: _table_for(frame) for frame in FRAME_COLUMNS}
