"""案号 (case number), in the shape of python-stdnum's modules: ``compact``, ``validate``, ``is_valid``,
``format``.

Form (RULES.md section 8; 最高人民法院《关于人民法院案件案号的若干规定》):
``（收案年度）法院代字 类型代字 案件编号 号``, e.g. ``（2018）浙1081执1234号``. The court code (法院代字) is
``auction.court_code``: a province abbreviation followed by 4 digits (basic court), 2 digits (intermediate
court) or nothing (high court).
Half-width parentheses and spaces are accepted on input; the canonical form uses full-width parentheses.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from auction.court_code import PATTERN as COURT_CODE_PATTERN

CASE_TYPES = {
    "执": "首次执行",
    "执恢": "恢复执行",
    "执保": "财产保全执行",
    "执异": "执行异议",
    "执复": "执行复议",
    "执监": "执行监督",
}
EXPECTED_FORM = "（收案年度）法院代字+类型代字+案件编号+号，如（2018）浙1081执1234号"

_PATTERN = re.compile(
    rf"^\((?P<year>\d{{4}})\)(?P<court>{COURT_CODE_PATTERN})"
    rf"(?P<type>执恢|执保|执异|执复|执监|执)(?P<serial>\d{{1,6}})号$"
)


class InvalidCaseNumber(ValueError):
    """The text is not a case number; the message says what is expected."""


@dataclass(frozen=True)
class CaseNumber:
    year: int
    court_code: str
    case_type: str
    serial: int

    def __str__(self) -> str:
        return f"（{self.year}）{self.court_code}{self.case_type}{self.serial}号"


def compact(text: str) -> str:
    """Half-width form without spaces, used for matching (full-width digits and parentheses folded)."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or "")).replace("〔", "(").replace("〕", ")")


def parse(text: str) -> CaseNumber:
    value = compact(text)
    if not value:
        raise InvalidCaseNumber(f"未填写案号。应为{EXPECTED_FORM}。")
    match = _PATTERN.match(value)
    if not match:
        raise InvalidCaseNumber(f"案号“{text}”格式不正确。应为{EXPECTED_FORM}。")
    year = int(match["year"])
    if not 1990 <= year <= 2100:
        raise InvalidCaseNumber(f"案号“{text}”的收案年度 {year} 不合理。应为{EXPECTED_FORM}。")
    serial = int(match["serial"])
    if serial == 0:
        raise InvalidCaseNumber(f"案号“{text}”的案件编号不能为 0。应为{EXPECTED_FORM}。")
    return CaseNumber(year, match["court"], match["type"], serial)


def validate(text: str) -> str:
    """Return the canonical form, or raise ``InvalidCaseNumber`` with the expected form."""
    return str(parse(text))


def is_valid(text: str) -> bool:
    try:
        parse(text)
    except InvalidCaseNumber:
        return False
    return True


def format(text: str) -> str:  # noqa: A001 - the python-stdnum verb
    return validate(text)
