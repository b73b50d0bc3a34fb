"""Vehicle names as listings and registration certificates write them (车型名称), read into their parts.

"宝马5系 2021款 530Li 尊享型 豪华套装" → brand 宝马, series 5系, model year (年款) 2021, trim (款型)
"530Li 尊享型 豪华套装". Also read: the import mark ("(进口)", "（平行进口）", a word 进口), the facelift
mark (改款, also glued as "改款Pro"), new energy (新能源 in the series or as a word; 纯电动/EV, 插电/PHEV/DM,
双擎/混动/HEV give the fuel), and the emission standard (国V, 国六 …). The series is what stands between
the brand and the model year; without a model year, the first word after the brand. Nothing is guessed: a
name whose brand is not in :mod:`vehicles.brands` and is not written as its own word is refused.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from vehicles.brands import match_brand

_YEAR_RE = re.compile(r"^((?:19|20)\d{2})款(.*)$")
_IMPORT_RE = re.compile(r"[(\[【](平行|中东|美规|欧规|加版)?进口版?[)\]】]|(?<![\w])(平行)?进口(?![\w])")
_SPEC_RE = re.compile(r"^\d|^(?:AT|MT|CVT|DSG)$", re.IGNORECASE)  # a displacement or gearbox, not a series
_FACELIFT_RE = re.compile(r"^改款(.*)$")
_EMISSION_RE = re.compile(r"国(VI|V|IV|III|六|五|四|三|6|5|4|3)(?![A-Za-z])", re.IGNORECASE)
_EMISSION = {"VI": "国六", "六": "国六", "6": "国六", "V": "国五", "五": "国五", "5": "国五", "IV": "国四",
             "四": "国四", "4": "国四", "III": "国三", "三": "国三", "3": "国三"}
ELECTRIC, PLUG_IN, HYBRID, PETROL, DIESEL = "纯电动", "插电混动", "油电混合", "汽油", "柴油"
NEW_ENERGY = "新能源（未注明类型）"
_FUEL_WORDS = (  # first match wins: a plug-in hybrid's name often also says 混动
    (ELECTRIC, re.compile(r"纯电|(?<![A-Za-z])EV(?![A-Za-z])|电动(?!尾门|座椅|天窗)", re.IGNORECASE)),
    (PLUG_IN, re.compile(r"插电|PHEV|(?<![A-Za-z])DM(?![A-Za-z])|E\+", re.IGNORECASE)),
    (HYBRID, re.compile(r"双擎|混动|HEV|锐·混动|油电", re.IGNORECASE)),
    (DIESEL, re.compile(r"柴油")),
)


class VehicleNameError(ValueError):
    """A name that cannot be read into brand and series; the message says why and what is expected."""


@dataclass(frozen=True)
class VehicleName:
    text: str  # as written
    brand: str
    series: str
    model_year: int | None
    trim: str
    imported: bool = False
    parallel_import: bool = False
    facelift: bool = False
    new_energy: bool = False
    fuel: str | None = None  # from the name; None = the name does not say (petrol unless a field says otherwise)
    emission_standard: str | None = None
    glued: bool = False  # brand and series written as one word (宝马5系)

    @property
    def series_name(self) -> str:
        """The series as a Chinese listing shows it: 宝马5系, 大众 速腾."""
        if self.series == self.brand:
            return self.brand  # a brand with one series of its own name (MINI)
        return f"{self.brand}{self.series}" if self.glued else f"{self.brand} {self.series}"

    @property
    def series_key(self) -> str:
        return series_key(self.brand, self.series)

    @property
    def model_key(self) -> str:
        return model_key(self.brand, self.series, self.model_year, self.trim)


def _fold(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).casefold()


def series_key(brand: str, series: str) -> str:
    """The key two spellings of one series share: 宝马 5系 = 宝马5系; case, spaces and full-width folded."""
    return f"{_fold(brand)}|{_fold(series)}"


def model_key(brand: str, series: str, model_year: int | None, trim: str) -> str:
    """The key of one model (年款 + 款型) within its series."""
    return f"{series_key(brand, series)}|{model_year or ''}|{_fold(trim)}"


def normalize(text: str) -> str:
    """Full-width forms folded (（进口） → (进口)), runs of spaces made one."""
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", str(text))).strip()


def parse_vehicle_name(text: str) -> VehicleName:
    """Read a listing or certificate name; raise :class:`VehicleNameError` with the reason."""
    original = "" if text is None else str(text)
    name = normalize(original)
    if not name:
        raise VehicleNameError("车型名称为空：应写品牌、车系、年款和款型，如“宝马5系 2021款 530Li 尊享型”")
    imported = parallel = False
    for match in _IMPORT_RE.finditer(name):
        imported = True
        parallel = parallel or bool(match.group(1) or match.group(2))
    name = normalize(_IMPORT_RE.sub(" ", name))
    words = name.split(" ")
    first = words[0]
    found = match_brand(first)
    if found is None:
        if len(words) > 1 and not _YEAR_RE.match(words[1]):
            brand, rest = first, ""  # a brand written as its own word, not in the table yet
        else:
            raise VehicleNameError(f"无法识别“{original}”的品牌：应以品牌开头，如“宝马5系 2021款 530Li”或"
                                   "“大众 速腾 2018款 1.6L 自动舒适型”")
    else:
        brand, rest = found
    if rest:
        again = match_brand(rest)  # "奥迪 奥迪Q7": the series repeats the brand
        rest = again[1] if again and again[0] == brand and again[1] else rest
    glued = bool(rest)
    after = words[1:]
    year_at = next((i for i, w in enumerate(after) if _YEAR_RE.match(w)), None)
    if not glued and after and not _YEAR_RE.match(after[0]):
        again = match_brand(after[0])  # "丰田 丰田Sienna 3.5L"
        if again and again[0] == brand and again[1]:
            after = [again[1], *after[1:]]
    if glued:
        series = rest
        trim_words = after[year_at + 1:] if year_at is not None else after
        extra = after[:year_at] if year_at is not None else []
        trim_words = extra + trim_words if extra else trim_words
    elif year_at is None:
        if not after:
            raise VehicleNameError(f"“{original}”只有品牌，没有车系：应写如“大众 速腾 2018款 1.6L 自动舒适型”")
        series, trim_words = after[0], after[1:]
    elif year_at == 0:
        # The model year right after the brand: the series follows it ("大众 2016款 途安L 280TSI"), or,
        # when a displacement follows, the brand has one series of its own name ("MINI 2011款 1.6L ONE").
        glued_rest = _YEAR_RE.match(after[0]).group(2)
        following = [glued_rest] if glued_rest else []
        following += after[1:]
        if following and not _SPEC_RE.match(following[0]):
            head = re.match(r"^([^\d(]+)(.+)$", following[0]) if glued_rest else None
            if head:  # 2014款普拉多2.7(中东进口版): the series, then the trim glued to it
                series, following = head.group(1), [head.group(2), *following[1:]]
            else:
                series, following = following[0], following[1:]
        else:
            series = brand
        after = [after[0][:5], *following]  # the year word alone, then the trim
        year_at = 0
        trim_words = following
    else:
        series, trim_words = " ".join(after[:year_at]), after[year_at + 1:]
    model_year = None
    if year_at is not None:
        year_match = _YEAR_RE.match(after[year_at])
        model_year = int(year_match.group(1))
        if year_match.group(2) and year_at > 0:
            trim_words = [year_match.group(2), *trim_words]
    facelift = False
    trim_out = []
    for word in trim_words:
        match = _FACELIFT_RE.match(word)
        if match:
            facelift = True
            if match.group(1):
                trim_out.append(match.group(1))
        else:
            trim_out.append(word)
    trim = " ".join(trim_out)
    whole = f"{series} {trim}"
    new_energy = "新能源" in whole
    fuel = next((kind for kind, pattern in _FUEL_WORDS if pattern.search(whole)), None)
    if fuel is None and new_energy:
        fuel = NEW_ENERGY
    emission = _EMISSION_RE.search(trim)
    return VehicleName(
        text=original, brand=brand, series=series, model_year=model_year, trim=trim, imported=imported,
        parallel_import=parallel, facelift=facelift, new_energy=new_energy or fuel in (ELECTRIC, PLUG_IN),
        fuel=fuel, emission_standard=_EMISSION[emission.group(1).upper() if emission.group(1).isascii()
                                               else emission.group(1)] if emission else None,
        glued=glued)
