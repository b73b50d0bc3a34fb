"""法院代字 (court code), in the shape of python-stdnum's modules: ``compact``, ``validate``, ``is_valid``,
``format``, with a specific exception for each way a code can be wrong.

Form (最高人民法院《关于人民法院案件案号的若干规定》 art. 5 and its annex 《人民法院代字表》): the abbreviation of
the province (省级行政区划简称; 兵 for the 新疆生产建设兵团 courts) followed by nothing (high court), two digits
(intermediate court) or four digits (basic court), e.g. ``浙`` (浙江省高级人民法院), ``浙10`` (台州市中级人民法院),
``浙1081`` (温岭市人民法院). Spaces and full-width digits are accepted on input.
"""

from __future__ import annotations

import re
import unicodedata

PROVINCES = "京津冀晋蒙辽吉黑沪苏浙皖闽赣鲁豫鄂湘粤桂琼渝川贵云藏陕甘青宁新兵"
EXPECTED_FORM = "省份简称加 0、2 或 4 位数字，如 浙1081"
#: The code as a regular-expression fragment (used inside the case number's pattern).
PATTERN = rf"[{PROVINCES}](?:\d{{4}}|\d{{2}})?"


class InvalidCourtCode(ValueError):
    """The text is not a court code; the message (Chinese) says what is expected."""


class InvalidComponent(InvalidCourtCode):
    """The first character is not a province abbreviation."""


class InvalidFormat(InvalidCourtCode):
    """Something other than digits follows the province."""


class InvalidLength(InvalidCourtCode):
    """The number of digits is not 0, 2 or 4."""


def compact(text: str) -> str:
    """Without spaces, full-width digits folded to ASCII: ``" 浙 １０８１"`` → ``"浙1081"``."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def validate(text: str) -> str:
    """Return the compact code, or raise the ``InvalidCourtCode`` subclass that says what is wrong."""
    code = compact(text)
    if not code:
        raise InvalidCourtCode(f"未填写法院代字（应为{EXPECTED_FORM}）。")
    if code[0] not in PROVINCES:
        raise InvalidComponent(f"法院代字“{text}”格式不正确：首字“{code[0]}”不是省份简称，应为{EXPECTED_FORM}。")
    digits = code[1:]
    if digits and not (digits.isascii() and digits.isdigit()):
        raise InvalidFormat(f"法院代字“{text}”格式不正确：省份简称后应为数字，应为{EXPECTED_FORM}。")
    if len(digits) not in (0, 2, 4):
        raise InvalidLength(f"法院代字“{text}”格式不正确：省份简称后有 {len(digits)} 位数字，应为{EXPECTED_FORM}。")
    return code


def is_valid(text: str) -> bool:
    try:
        validate(text)
    except InvalidCourtCode:
        return False
    return True


def format(text: str) -> str:  # noqa: A001 - the python-stdnum verb
    return validate(text)
