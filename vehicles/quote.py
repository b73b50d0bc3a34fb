"""The vehicle quote (车辆估价): value = new-car price × the product of the model's factors, with each factor,
where it came from, comparable records and the price-history curve.

Legally a network-inquiry-style result (参考价规定 art. 2, art. 5: 网络询价 from data of used-car trading;
the court may also use it as a 定向询价 reference): it states its method, data and version.

Rounding rule (stated on every result): value = new-car price × exp(Σ log factors), rounded half up to the
yuan; each factor is shown as its multiplier to six decimals (their product may differ from the value's
multiplier in the sixth decimal). The batch computes the same in float64 and gives the same yuan.

Level (估价层级): a vehicle whose series the table has is valued at the series level; one whose series it lacks
but whose brand it has, at the brand level (flagged, with the wider interval of that level, and only from a
new-car price the requester gives: the table has no model of that series to take it from); one whose brand it
lacks is refused (see :mod:`vehicles.depreciation`). Interval (估价区间): the value × the level's 10th and
90th percentile of price / estimate, each rounded half up to the yuan.
"""

from __future__ import annotations

import difflib
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from vehicles import values as v
from vehicles.comparables import Comparable, find_comparables
from vehicles.curve import PriceCurve, price_curve
from vehicles.depreciation import BRAND, FEW_SERIES_RECORDS, LEVEL_NAMES, SERIES, VehicleTable, vehicle_class
from vehicles.subject import (
    NewPriceUnknown,
    Subject,
    UnknownBrand,
    UnknownSeries,
    VehicleQuery,
    VehicleQuoteError,
    read_subject,
    subject_frame,
)

ROUNDING_RULE = "估价 = 新车含税价 × exp(各因素对数之和)，四舍五入到元；各因素系数显示六位小数"
METHOD_NAME = "网络询价式估价（二手车交易数据折旧模型，参考价规定第二条、第五条）"
YUAN = Decimal(1)
SHRINK_NOTE = 10  # below this many records a level leans visibly on the level above it
FEW_SERIES_NOTE = FEW_SERIES_RECORDS

# The factors a judge reads, each the sum of one or more of the model's groups.
FACTORS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("基准（常数项与新车价档次）", ("intercept", "log_new_price")),
    ("车龄", ("age",)),
    ("折旧速度（类别、品牌、车系）", ("class_age", "brand_age", "series_age")),
    ("里程", ("km_log", "km", "km_over_10", "series_km")),
    ("车辆类别（新车价档）", ("class",)),
    ("品牌", ("brand",)),
    ("车系", ("series",)),
    ("年款款型", ("model",)),
    ("上牌晚于年款", ("model_year_gap",)),
    ("进口", ("imported",)),
    ("变速箱", ("gearbox",)),
    ("燃料", ("fuel",)),
    ("检测异常", ("inspection_areas", "inspection_findings")),
    ("城市等级", ("city_level",)),
    ("城市", ("city",)),
    ("价格指数（月）", ("month",)),
)


@dataclass(frozen=True)
class Factor:
    name: str
    level: str
    multiplier: Decimal
    source: str


@dataclass
class VehicleQuote:
    name: str
    brand: str
    series_name: str
    model_year: int | None
    trim: str
    registration: str
    age_months: int
    mileage_km: float
    city: str
    valuation_date: str
    new_price: Decimal
    new_price_source: str
    value: Decimal  # yuan, whole
    retention: Decimal  # value / new-car price, 4 decimals
    factors: list[Factor]
    comparables: list[Comparable]
    curve: PriceCurve
    table_name: str
    warnings: list[str] = field(default_factory=list)
    level: str = SERIES  # series | brand (the series unseen)
    level_name: str = "车系"
    interval_low: Decimal | None = None  # yuan, whole
    interval_high: Decimal | None = None
    interval_source: str = ""
    method: str = METHOD_NAME
    rounding_rule: str = ROUNDING_RULE

    @property
    def value_fen(self) -> int:
        return int(self.value * 100)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["curve"] = self.curve.to_dict()
        d["value_fen"] = self.value_fen

        def plain(x):
            if isinstance(x, Decimal):
                return str(x)
            if isinstance(x, dict):
                return {k: plain(y) for k, y in x.items()}
            if isinstance(x, list):
                return [plain(y) for y in x]
            return x
        return plain(d)


def _age_text(months: int) -> str:
    years, rest = divmod(int(months), 12)
    return f"{years}年{rest}个月" if years else f"{rest}个月"


def round_yuan(value: float) -> Decimal:
    return Decimal(repr(float(value))).quantize(YUAN, rounding=ROUND_HALF_UP)


class VehicleQuoteEngine:
    """Quotes from one table version."""

    def __init__(self, table: VehicleTable):
        self.table = table
        self._series = table.series.set_index("series_key")
        self._models = table.models.set_index("model_key")
        terms = table.terms
        self._records = dict(zip(zip(terms["group"], terms["level"].astype(str), strict=True),
                                 terms["records"].astype(int), strict=True))

    def candidates(self, subject: Subject, limit: int = 5) -> list[str]:
        """Series of the table whose names are closest to the typed one; the brand's own first."""
        names = self.table.series["series_name"].astype(str).tolist()
        brand = self.table.series[self.table.series["brand"] == subject.vehicle.brand]["series_name"].tolist()
        typed = subject.vehicle.series_name
        close = difflib.get_close_matches(typed, names, n=limit, cutoff=0.3)
        ranked = difflib.get_close_matches(typed, brand, n=limit, cutoff=0.0) if brand else []
        out = []
        for name in ranked + close:
            if name not in out:
                out.append(name)
        return out[:limit]

    def resolve_new_price(self, subject: Subject, level: str = SERIES) -> tuple[Decimal, str]:
        q, nm = subject.query, subject.vehicle
        if q.new_price not in (None, ""):
            try:
                amount = q.new_price if isinstance(q.new_price, Decimal) else v.parse_amount(q.new_price).yuan
            except v.ValueReadError as exc:
                raise VehicleQuoteError(f"新车含税价“{q.new_price}”无法识别：{exc}") from None
            if amount <= 0:
                raise VehicleQuoteError(f"新车含税价“{q.new_price}”应为正的金额，如“34.17万”")
            return Decimal(amount).quantize(Decimal("0.01")), "委托方提供的新车含税价"
        if level == BRAND:
            found = self.candidates(subject)
            hint = f"（相近的车系：{'、'.join(found)}；如为笔误请改正车型名称）" if found else ""
            raise NewPriceUnknown(f"车辆表中没有车系“{nm.series_name}”的记录，按品牌“{nm.brand}”水平估价须以新车含税价为基准："
                                  f"请填写新车含税价（如“34.17万”）{hint}", found)
        if nm.model_key in self._models.index:
            row = self._models.loc[nm.model_key]
            return (Decimal(f"{float(row['new_price']):.2f}"),
                    f"车辆表中该年款款型 {int(row['records'])} 条记录的新车含税价中位数")
        same = self.table.models[(self.table.models["series_key"] == nm.series_key)
                                 & (self.table.models["model_year"] == nm.model_year)]
        if nm.model_year is not None and len(same):
            return (Decimal(f"{float(same['new_price'].median()):.2f}"),
                    f"款型未见记录：同车系 {nm.model_year}款 {len(same)} 个款型的新车含税价中位数")
        trims = self.table.models[self.table.models["series_key"] == nm.series_key]["name"].tolist()[:8]
        raise NewPriceUnknown(f"车辆表中没有“{nm.text}”这一年款款型的新车价：请填写新车含税价（如“34.17万”），"
                              "或写车辆表中有记录的年款款型", trims)

    def quote(self, query: VehicleQuery, *, comparables: int = 5, curve: bool = True) -> VehicleQuote:
        """The value with its factors; with ``comparables`` records and, unless ``curve`` is False, the curve."""
        subject = read_subject(query)
        nm = subject.vehicle
        level = self.level(subject)
        new_price, price_source = self.resolve_new_price(subject, level)
        frame = subject_frame(subject, new_price)
        parts = self.table.contributions(frame)
        total = float(sum(p[0] for p in parts.values()))
        value = round_yuan(float(new_price) * np.exp(total))
        factors = [self._factor(name, groups, parts, frame, subject) for name, groups in FACTORS]
        warnings = []
        series_n = int(self._series["records"].get(nm.series_key, 0))
        stratum = self.table.interval_stratum(level, series_n)
        bounds = self.table.interval(stratum)
        low = high = None
        interval_source = ""
        if bounds is not None:
            low, high = round_yuan(float(value) * bounds[0]), round_yuan(float(value) * bounds[1])
            info = self.table.statistics["interval"]
            cell = info["strata"][stratum]
            what = {SERIES: f"车系记录 {FEW_SERIES_NOTE} 条及以上的车辆", "series_few": f"车系记录少于 {FEW_SERIES_NOTE} 条的车辆",
                    BRAND: "车系未见、按品牌水平估价的车辆"}[stratum]
            interval_source = (f"80% 区间：{what}样本外 成交价/估价 的第 10 至第 90 百分位（{cell['low']}–{cell['high']}，"
                               f"{cell['n']} 条，{info['folds']} 折交叉验证，样本外 MdAPE {cell['mdape']}%"
                               + ("；车辆表中没有可留出车系的品牌，按各车系品牌与车系效应的离散度放宽" if cell.get("from_series_effects")
                                  else "") + "）")
        if level == BRAND:
            brand_n = int(self.table.series.loc[self.table.series["brand"] == nm.brand, "records"].sum())
            found = self.candidates(subject)
            hint = f"相近的车系：{'、'.join(found)}，如为笔误请改正车型名称后重新估价。" if found else ""
            warnings.append(f"车辆表中没有车系“{nm.series_name}”的记录：按品牌“{nm.brand}”（{brand_n} 条记录）与类别水平估价，"
                            f"车系与年款款型不作修正，估价区间较宽。{hint}")
        if subject.registration.precision == "year":
            warnings.append("上牌时间只写了年份，按该年 7 月计算车龄")
        last = self.table.index["month"].max() if len(self.table.index) else None
        if last and frame["month"].iat[0] > last:
            warnings.append(f"估价月份晚于车辆表价格指数的最后一个月 {last}：按 {last} 的指数计（不外推）")
        if subject.inspection is None:
            warnings.append("未提供检测结果：按车辆表记录的平均异常处数计")
        return VehicleQuote(
            name=nm.text, brand=nm.brand, series_name=nm.series_name, model_year=nm.model_year, trim=nm.trim,
            registration=("未上牌" if subject.registration.month is None
                          else subject.registration.month.strftime("%Y-%m")),
            age_months=subject.age_months, mileage_km=subject.mileage_km, city=subject.city,
            valuation_date=query.valuation_date.isoformat(), new_price=new_price, new_price_source=price_source,
            value=value, retention=(value / new_price).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP),
            factors=factors,
            comparables=find_comparables(self.table, frame, comparables, level) if comparables else [],
            curve=price_curve(self.table, frame, level=level) if curve else PriceCurve(), table_name=self.table.name,
            warnings=warnings, level=level, level_name=LEVEL_NAMES[level], interval_low=low, interval_high=high,
            interval_source=interval_source)

    def level(self, subject: Subject) -> str:
        """The series level, the brand level (series unseen, brand known, the version has the brand interval),
        or a refusal with candidates."""
        nm = subject.vehicle
        if nm.series_key in self._series.index:
            return SERIES
        found = self.candidates(subject)
        hint = "相近的车系：" + "、".join(found) if found else "车辆表中没有相近的车系"
        if not bool(self.table.known_brands([nm.brand])[0]):
            raise UnknownBrand(f"车辆表（{self.table.name or '当前版本'}）中没有品牌“{nm.brand}”的任何记录，无法估价："
                               "各品牌的保值率相差很大，不能只按新车价档估价。"
                               f"{hint}。请核对车型名称（应以品牌和车系开头，如“宝马5系 2021款 530Li 尊享型”），"
                               "或委托评估机构评估", found)
        if self.table.interval(BRAND) is None:
            raise UnknownSeries(f"车辆表（{self.table.name or '当前版本'}）中没有车系“{nm.series_name}”的记录，无法估价"
                                "（该版本校准时未估计品牌水平的误差区间，请重新校准后按品牌水平估价）。"
                                f"{hint}。请核对车型名称（应以品牌和车系开头，如“宝马5系 2021款 530Li 尊享型”）",
                                found)
        return BRAND

    def _factor(self, name: str, groups: tuple[str, ...], parts: dict, frame: pd.DataFrame,
                subject: Subject) -> Factor:
        log = float(sum(parts[g][0] for g in groups))
        multiplier = Decimal(f"{np.exp(log):.6f}")
        row = frame.iloc[0]
        t = self.table
        series_n = int(self._series["records"].get(row["series_key"], 0))

        def records(group: str, level: str) -> int:
            return int(self._records.get((group, str(level)), 0))

        def level_source(group: str, level: str, what: str, above: str) -> str:
            n = records(group, level)
            if n == 0:
                return f"{what}无记录：不作修正（取 1）"
            lean = f"；记录少于 {SHRINK_NOTE} 条，估计向{above}收缩" if n < SHRINK_NOTE else "（收缩估计）"
            return f"{what} {n} 条记录{lean}"

        klass = str(vehicle_class([row["new_price"]])[0])
        stats = t.statistics
        if name.startswith("基准"):
            return Factor(name, f"新车价 {float(row['new_price']) / 10000:.2f} 万元", multiplier,
                          f"全部 {stats['records']} 条记录拟合")
        if name == "车龄":
            return Factor(name, _age_text(row["age_months"]), multiplier,
                          f"全部 {stats['records']} 条记录拟合的分段线性折旧曲线（每年一个折点）")
        if name.startswith("折旧速度"):
            return Factor(name, f"{klass} / {row['brand']} / {subject.vehicle.series_name}", multiplier,
                          f"车系 {series_n} 条记录，向品牌与类别收缩" if series_n else "车系无记录：按品牌与类别的折旧速度")
        if name == "里程":
            return Factor(name, f"{row['mileage_km'] / 10000:.2f} 万公里", multiplier,
                          f"全部记录的里程曲线，加车系里程敏感度（车系 {series_n} 条记录，收缩估计）" if series_n
                          else "全部记录的里程曲线（车系无记录：不加车系里程敏感度）")
        if name.startswith("车辆类别"):
            return Factor(name, klass, multiplier, level_source("class", klass, f"类别“{klass}”", "总体"))
        if name == "品牌":
            return Factor(name, row["brand"], multiplier, level_source("brand", row["brand"], f"品牌“{row['brand']}”",
                                                                     "类别"))
        if name == "车系":
            return Factor(name, subject.vehicle.series_name, multiplier,
                          level_source("series", row["series_key"], f"车系“{subject.vehicle.series_name}”", "品牌与类别"))
        if name == "年款款型":
            label = f"{subject.vehicle.model_year or '年款未注明'}款 {subject.vehicle.trim}".strip()
            return Factor(name, label, multiplier, level_source("model", row["model_key"], "该年款款型", "车系"))
        if name == "上牌晚于年款":
            return Factor(name, "按上牌年与年款之差", multiplier, f"全部 {stats['records']} 条记录拟合")
        if name == "进口":
            return Factor(name, "进口" if row["imported"] else "国产", multiplier, "全部记录拟合")
        if name == "变速箱":
            return Factor(name, row["gearbox"], multiplier, level_source("gearbox", row["gearbox"],
                                                                       f"“{row['gearbox']}”", "总体"))
        if name == "燃料":
            return Factor(name, row["fuel"], multiplier, level_source("fuel", row["fuel"], f"“{row['fuel']}”", "总体"))
        if name == "检测异常":
            if subject.inspection is None:
                fill = t.fill
                return Factor(name, "未提供", multiplier,
                              f"按记录平均：{fill.get('inspection_areas', 0):.1f} 个部位、"
                              f"{fill.get('inspection_findings', 0):.1f} 处异常")
            return Factor(name, f"{subject.inspection.areas} 个部位 {subject.inspection.findings} 处异常", multiplier,
                          "全部记录拟合")
        if name == "城市等级":
            return Factor(name, row["city_level"], multiplier, level_source("city_level", row["city_level"],
                                                                          f"“{row['city_level']}”城市", "总体"))
        if name == "城市":
            return Factor(name, row["city"] or "未注明", multiplier,
                          level_source("city", row["city"], f"城市“{row['city'] or '未注明'}”", "城市等级"))
        month = row["month"]
        index = t.index
        used = min(max(month, index["month"].min()), index["month"].max()) if len(index) else month
        return Factor(name, str(used), multiplier, level_source("month", used, f"{used} 月", "总体"))
