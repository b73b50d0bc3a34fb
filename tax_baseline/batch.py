"""Batch inquiry (批量询价): a spreadsheet of units in, every row priced or refused with a reason.

Parsing works on the distinct values of a column (a file of 100k rows has a few hundred distinct floor
texts and addresses), pricing is ``QuoteEngine.quote_frame`` (array operations and joins): no per-row
Python loop. Column headers are Chinese as courts write them; the English names are accepted too.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from tax_baseline.cells import neutralize_frame
from tax_baseline.parsing import FloorParseError, OrientationParseError, parse_floor, parse_orientation
from tax_baseline.quote import QuoteError, QuoteRequest, _Compiled, area_text
from tax_baseline.typed_dates import date_text

COLUMNS = {  # Chinese header → name in code
    "楼幢编号": "building_id", "坐落": "address", "所在层": "floor", "朝向": "orientation",
    "建筑面积": "area", "立契时间": "contract_date", "估价时点": "valuation_date",
}
REQUIRED = ("floor", "area", "contract_date")
CHUNK = 500_000
STATUS_OK, STATUS_REFUSED = "成功", "拒绝"


class BatchFileError(ValueError):
    """The file as a whole cannot be read (missing columns, unreadable format)."""


def read_units(path: str | Path, *, name: str | None = None) -> pd.DataFrame:
    """The units of a batch file (.csv in UTF-8 or GBK, or .xlsx); ``name``: the file's name as the user chose it,
    for the messages (the stored copy's name is the server's)."""
    path = Path(path)
    shown = name or path.name
    suffix = Path(shown).suffix.lower() or path.suffix.lower()
    if suffix == ".csv":
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                return pd.read_csv(path, dtype=str, encoding=encoding, keep_default_na=False)
            except UnicodeDecodeError:
                continue
            except pd.errors.EmptyDataError:
                raise BatchFileError(f"“{shown}”是空文件：没有表头，也没有数据行。") from None
            except pd.errors.ParserError:
                raise BatchFileError(f"“{shown}”不是可读取的 CSV 文件（各行的列数不一致，或引号不成对）。") from None
        raise BatchFileError(f"“{shown}”的编码无法识别，应为 UTF-8 或 GBK。")
    if suffix in (".xlsx", ".xlsm"):
        try:
            frame = pd.read_excel(path, dtype=str, keep_default_na=False, engine="openpyxl")
        except Exception:  # openpyxl and zipfile raise many kinds, with English messages
            raise BatchFileError(f"无法读取 Excel 文件“{shown}”：文件已损坏，或不是 .xlsx 格式（例如只改了扩展名）；"
                                 "请用 Excel 或 WPS 另存为 .xlsx 后再上传。") from None
        # a date cell read as text is “2025-06-01 00:00:00”: keep the date the court typed, in the result too
        return frame.apply(lambda column: column.str.replace(r"^(\d{4}-\d{2}-\d{2}) 00:00:00$", r"\1", regex=True)
                           if pd.api.types.is_string_dtype(column) else column)
    raise BatchFileError(f"批量询价文件应为 .xlsx 或 .csv，收到“{shown}”。")


def write_results(results: pd.DataFrame, path: str | Path) -> None:
    path = Path(path)
    results = neutralize_frame(results)  # the addresses and floors as typed never become formulas
    if path.suffix.lower() == ".csv":
        # RFC 4180 line ends: a CR inside a cell is quoted, never a new row that starts with "="
        results.to_csv(path, index=False, encoding="utf-8-sig", lineterminator="\r\n")
    elif path.suffix.lower() == ".xlsx":
        results.to_excel(path, index=False, sheet_name="批量询价结果", engine="openpyxl")
    else:
        raise BatchFileError(f"结果文件应以 .xlsx 或 .csv 结尾，收到“{path.name}”。")


def _header(column: object) -> str:
    """A column header as courts write it, reduced to the name in COLUMNS: full-width brackets and spaces
    folded, a trailing unit in brackets dropped (建筑面积（㎡）, 建筑面积(平方米) → 建筑面积)."""
    text = re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(column)))
    bare = re.sub(r"\((?:㎡|m2|m²|平方米|平米|米2|YYYY-MM-DD|年月日)\)$", "", text, flags=re.IGNORECASE)
    return bare if bare in COLUMNS else text


def _normalized(units: pd.DataFrame) -> pd.DataFrame:
    frame = units.rename(columns={c: COLUMNS.get(_header(c), _header(c)) for c in units.columns})
    missing = [h for h, name in COLUMNS.items() if name in REQUIRED and name not in frame.columns]
    if "building_id" not in frame.columns and "address" not in frame.columns:
        missing.insert(0, "楼幢编号或坐落")
    if missing:
        raise BatchFileError("批量询价文件缺少列：" + "、".join(missing) + "。应有列：" + "、".join(COLUMNS))
    for name in COLUMNS.values():
        if name not in frame.columns:
            frame[name] = ""
    return frame.fillna("").astype(str).apply(lambda s: s.str.strip())


def fen_text(fen: np.ndarray) -> pd.Series:
    fen = pd.Series(fen, dtype="int64")
    return (fen // 100).astype(str) + "." + (fen % 100).astype(str).str.zfill(2)


def future_contract_date(contract_date: date, today: date) -> str:
    """The refusal of a contract date (立契时间) still to come: a typing error, and no index is known for it."""
    return (f"立契时间 {contract_date.isoformat()} 晚于今天 {today.isoformat()}；"
            "应填写已经签订的合同日期（立契时间），如 2025-03-01。")


@dataclass(frozen=True)
class BuildingRows:
    """Where each unit's building is in the engine's tables: ``codes`` (the unit's distinct building) and
    ``distinct_rows`` (that building's row in ``tables["buildings"]``, −1 when the tables lack it)."""

    buildings: pd.DataFrame  # the engine's tables["buildings"]
    codes: np.ndarray
    distinct_rows: np.ndarray

    @property
    def rows(self) -> np.ndarray:
        return self.distinct_rows[self.codes]

    def distinct_column(self, name: str, missing) -> np.ndarray:
        """``name`` of each distinct building (``missing`` for one the tables lack, or without the column)."""
        found = self.distinct_rows >= 0
        values = np.full(len(self.distinct_rows), missing, dtype=object)
        if name in self.buildings.columns and found.any():
            values[found] = self.buildings[name].take(self.distinct_rows[found]).to_numpy(dtype=object)
        return values

    def column(self, name: str, missing) -> np.ndarray:
        """``name`` of each unit's building."""
        return self.distinct_column(name, missing)[self.codes]


def compile_engine(engine) -> pd.Index:
    """The engine compiled for batches (as ``quote_frame`` compiles it on its first call) and its building index
    with the index's hash table built: what a worker builds once and keeps for all its parts."""
    if engine._compiled is None:
        engine._compiled = _Compiled(engine)
    index = engine._compiled.building_index
    if len(index):
        index.get_indexer(index[:1])  # pandas builds an index's hash table on its first lookup and keeps it
    return index


def _building_rows(engine, building: pd.Series) -> BuildingRows:
    """The rows of ``building``'s ids in the engine's tables: the distinct ids of the batch looked up in the
    compiled engine's building index (a ``pandas.Index`` whose hash table is built on its first lookup and kept
    with the engine), instead of a hash set of every building of the tables built anew for each batch."""
    codes, distinct = pd.factorize(building.to_numpy(dtype=object))
    rows = compile_engine(engine).get_indexer(pd.Index(distinct, dtype=object).astype(str))
    return BuildingRows(engine.tables["buildings"], codes, rows)


def price_batch(engine, units: pd.DataFrame, *, progress: Callable[[int], None] | None = None,
                zone_filter: Callable[[str], bool] | None = None, today: date | None = None,
                valuation_default: date | None = None) -> pd.DataFrame:
    """Price every row of ``units``; returns the input columns plus 楼幢编号(匹配), 单价(元/㎡), 总价(元), 状态, 原因.

    ``today``: when given, a contract date later than it is refused (as the single quote does).
    ``valuation_default``: the 估价时点 of a row that leaves it blank (the inquiry's day, as the single quote);
    without it a blank 估价时点 is the row's 立契时间."""
    frame = _normalized(units)
    n = len(frame)
    reason = pd.Series([""] * n, dtype=object)

    def refuse(mask, text):
        mask = pd.Series(mask, index=frame.index) & (reason == "")
        reason[mask] = text if isinstance(text, str) else pd.Series(text, index=frame.index)[mask]

    # Buildings: the id if given, else the typed address resolved once per distinct address.
    building = frame["building_id"].copy()
    need = building == ""
    by_address: dict[str, tuple[str, str]] = {}
    for address in frame.loc[need, "address"].unique():
        try:
            by_address[address] = (engine.resolve(QuoteRequest(floor=1, area=1, contract_date=None,
                                                                address=address)).building_id, "")
        except QuoteError as exc:
            by_address[address] = ("", str(exc))
    resolved = frame.loc[need, "address"].map(lambda a: by_address[a][0])
    building[need] = resolved
    refuse(need, frame["address"].map(lambda a: by_address.get(a, ("", ""))[1]))
    # Every building attribute is read once per distinct building of the batch, at its row in the tables, through
    # the engine's building index (its hash table built once per engine, so once per worker on Dask): a batch of
    # 250k units names a few thousand buildings, a province's tables hold millions.
    row_of = _building_rows(engine, building)
    known = row_of.rows >= 0
    refuse(~known, "楼幢编号不在当前启用的基准表中")

    # an inferred total (总层数来源 推断) is a lower bound: a floor above it is read on its own, not refused
    total = row_of.column("total_floors", 0).astype(np.int64)
    totals = np.where(row_of.column("total_floors_source", "") == "推断", -total, total)  # negative: a lower bound
    keys = pd.DataFrame({"floor": frame["floor"].to_numpy(dtype=object), "total": totals})
    pair = keys.groupby(["floor", "total"], sort=False).ngroup().to_numpy()
    readings = []
    for text, total in keys.drop_duplicates().itertuples(index=False):  # in the order ngroup numbers them
        try:
            try:
                reading = parse_floor(text, total_floors=abs(total) or None)
            except FloorParseError:
                if total >= 0:
                    raise
                reading = parse_floor(text)
            readings.append((reading.low, reading.high, ""))
        except FloorParseError as exc:
            readings.append((1, 1, str(exc)))
    low = np.array([r[0] for r in readings], dtype=np.int64)[pair] if readings else np.zeros(0, dtype=np.int64)
    high = np.array([r[1] for r in readings], dtype=np.int64)[pair] if readings else np.zeros(0, dtype=np.int64)
    refuse(known, np.array([r[2] for r in readings], dtype=object)[pair] if readings else np.zeros(0, dtype=object))

    orientations: dict[str, tuple[str, str]] = {"": ("", "")}
    for text in frame["orientation"].unique():
        if text and text not in orientations:
            try:
                orientations[text] = (parse_orientation(text), "")
            except OrientationParseError as exc:
                orientations[text] = ("", str(exc))
    orientation = frame["orientation"].map({t: v[0] for t, v in orientations.items()})
    refuse(True, frame["orientation"].map({t: v[1] for t, v in orientations.items()}))

    area_texts = {t: area_text(t) for t in frame["area"].unique()}  # 89.5㎡, ８９．５ as the single quote reads them
    area = pd.to_numeric(frame["area"].map(area_texts), errors="coerce")
    refuse(area.isna() | (area <= 0), "建筑面积应为大于 0 的数字")
    frame["contract_date"] = frame["contract_date"].map({t: date_text(t) for t in frame["contract_date"].unique()})
    frame["valuation_date"] = frame["valuation_date"].map({t: date_text(t) for t in frame["valuation_date"].unique()})
    contract = pd.to_datetime(frame["contract_date"], errors="coerce", format="mixed")
    refuse(contract.isna(), "立契时间应为日期，如 2025-03-01")
    if today is not None:
        late = contract.notna() & (contract > pd.Timestamp(today))
        days = contract[late].dt.date
        refuse(late, days.map({d: future_contract_date(d, today) for d in days.unique()}))
    valuation = pd.to_datetime(frame["valuation_date"].where(frame["valuation_date"] != ""), errors="coerce",
                               format="mixed")
    refuse(valuation.isna() & (frame["valuation_date"] != ""), "估价时点应为日期，如 2025-03-01")
    valuation = valuation.fillna(pd.Timestamp(valuation_default) if valuation_default is not None else contract)
    if zone_filter is not None:
        zones = pd.Series(row_of.distinct_column("community_code", "")).map(engine._zone_of_community)
        allowed = {z: zone_filter(z) for z in zones[row_of.distinct_rows >= 0].unique()}
        barred = (zones.map(allowed) == False).to_numpy(dtype=bool) & (row_of.distinct_rows >= 0)  # noqa: E712
        refuse(barred[row_of.codes], "查询范围限制：该房产不在本院辖区内")

    unit_fen = np.zeros(n, dtype=np.int64)
    total_fen = np.zeros(n, dtype=np.int64)
    ready = np.flatnonzero((reason == "").to_numpy())
    done = 0
    for start in range(0, len(ready), CHUNK):
        rows = ready[start:start + CHUNK]
        priced = engine.quote_frame(pd.DataFrame({
            "building_id": building.to_numpy()[rows], "floor_low": low[rows], "floor_high": high[rows],
            "area": area.to_numpy()[rows], "contract_date": contract.to_numpy()[rows],
            "valuation_date": valuation.to_numpy()[rows], "orientation": orientation.to_numpy()[rows]}))
        unit_fen[rows] = priced["unit_price_fen"].to_numpy()
        total_fen[rows] = priced["total_price_fen"].to_numpy()
        refused = priced["status"].to_numpy() != "ok"
        reason.iloc[rows[refused]] = priced["reason"].to_numpy()[refused]
        done += len(rows)
        if progress:
            progress(len(rows))
    ok = (reason == "").to_numpy()
    notes = _notes(engine, low, high, orientation.to_numpy(), valuation, ok, row_of)
    out = units.copy().reset_index(drop=True)
    out["楼幢编号(匹配)"] = building.where(known, "").to_numpy()
    out["单价(元/㎡)"] = fen_text(unit_fen).where(ok, "").to_numpy()
    out["总价(元)"] = fen_text(total_fen).where(ok, "").to_numpy()
    out["状态"] = np.where(ok, STATUS_OK, STATUS_REFUSED)
    out["原因"] = reason.to_numpy()
    out["提示"] = notes
    return out


def _notes(engine, low: np.ndarray, high: np.ndarray, orientation: np.ndarray, valuation: pd.Series,
           ok: np.ndarray, building: BuildingRows | None = None) -> np.ndarray:
    """The single quote's warnings for the priced rows, in a 提示 column: a building without sales of its own
    (基准价依据), a floor above a total inferred from sales, a floor band priced at its mean, no orientation
    given, a valuation month after the last month of the price index (counted as 100).
    Built per distinct floor band and by masks, so a file of millions of rows without warnings costs little."""
    text = np.full(len(low), "", dtype=object)
    if building is not None:
        source = building.column("price_source", None)
        estimated = ok & pd.notna(source) & (source != "楼幢")
        for level in set(source[estimated]):
            mask = estimated & (source == level)
            text[mask] = text[mask] + f"该楼幢没有成交样本，基准价由所属{level}的水平及楼幢特征推算。"
        inferred = building.column("total_floors_source", None) == "推断"
        total = building.column("total_floors", np.nan).astype(float)
        above = ok & inferred & (high > total)
        text[above] = text[above] + "总层数系由成交推断，所在楼层高于此数，按实际层数估价。"
    band = ok & (low != high)
    if band.any():
        pairs = pd.Series(list(zip(low[band], high[band], strict=True)))
        words = {p: f"所在层为区间 {p[0]}-{p[1]} 层，楼层系数取该区间的平均值。" for p in pairs.unique()}
        text[band] = pairs.map(words).to_numpy()
    plain = ok & (orientation == "")
    text[plain] = text[plain] + "未填写朝向，未作朝向修正。"
    months = [month for _zone, month in getattr(engine, "_index", {})]
    if months:
        last = pd.Period(max(months), freq="M")
        late = ok & (valuation.dt.to_period("M").array.asi8 > last.ordinal)  # NaT is the smallest integer
        text[late] = text[late] + f"价格指数只到 {last}，其后的月份按 100 计。"
    return text
