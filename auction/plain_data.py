"""Dataclasses to JSON-safe values and back, stable and strict: field order kept, dates ISO, ``Decimal`` as
text, enums by value, money as integer fen; unknown or malformed fields are refused with a Chinese message
that names the field. Used for lots (``auction.lot``) and anything stored as JSON beside them."""

from __future__ import annotations

import dataclasses
import enum
import types
import typing
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any


class PlainDataError(ValueError):
    """Data that cannot be read; the message names the field and what is expected."""


def to_plain(value: Any) -> Any:
    """A dataclass (recursively) as JSON-safe values; an object with ``to_dict`` serializes itself."""
    if hasattr(value, "to_dict") and dataclasses.is_dataclass(value):
        return value.to_dict()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, list):
        return [to_plain(v) for v in value]
    return value


_HINTS: dict[type, dict[str, Any]] = {}


def _hints(cls: type) -> dict[str, Any]:
    if cls not in _HINTS:
        _HINTS[cls] = typing.get_type_hints(cls)
    return _HINTS[cls]


def from_plain(tp: Any, value: Any, where: str) -> Any:
    """``value`` read as type ``tp`` (dataclasses, lists, optionals, enums, dates, Decimal, int, bool, str);
    a dataclass with ``from_dict`` reads itself. ``where`` names the field in the Chinese error message."""
    origin = typing.get_origin(tp)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(tp) if a is not type(None)]
        if value is None:
            return None
        return from_plain(args[0], value, where)
    if value is None:
        raise PlainDataError(f"{where} 不能为空。")
    if origin is list:
        if not isinstance(value, list):
            raise PlainDataError(f"{where} 应为列表。")
        (item,) = typing.get_args(tp)
        return [from_plain(item, v, f"{where}[{i + 1}]") for i, v in enumerate(value)]
    if dataclasses.is_dataclass(tp) and hasattr(tp, "from_dict"):
        try:
            return tp.from_dict(value)
        except (KeyError, ValueError, TypeError) as exc:
            raise PlainDataError(f"{where} 无法读取：{exc}") from None
    if dataclasses.is_dataclass(tp):
        if not isinstance(value, dict):
            raise PlainDataError(f"{where} 应为对象（字典）。")
        hints = _hints(tp)
        unknown = set(value) - set(hints)
        if unknown:
            raise PlainDataError(f"{where} 含未知字段：{'、'.join(sorted(unknown))}。")
        kwargs = {name: from_plain(hints[name], value[name], f"{where}.{name}") for name in hints if name in value}
        try:
            return tp(**kwargs)
        except TypeError as exc:
            raise PlainDataError(f"{where} 缺少必填字段：{exc}") from None
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        try:
            return tp(value)
        except ValueError:
            allowed = "、".join(m.value for m in tp)
            raise PlainDataError(f"{where} 的值“{value}”无效，应为：{allowed}。") from None
    try:
        if tp is datetime:
            return value if isinstance(value, datetime) else datetime.fromisoformat(value)
        if tp is date:
            return value if isinstance(value, date) else date.fromisoformat(value)
        if tp is time:
            return value if isinstance(value, time) else time.fromisoformat(value)
        if tp is Decimal:
            if isinstance(value, float):
                raise ValueError("float")
            return Decimal(str(value))
    except (ValueError, TypeError, ArithmeticError):
        raise PlainDataError(f"{where} 的值“{value}”格式不正确（日期为 YYYY-MM-DD，时刻为 HH:MM，数值为十进制文本）。") from None
    if tp is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise PlainDataError(f"{where} 应为整数（金额以分为单位），收到“{value}”。")
        return value
    if tp is bool:
        if not isinstance(value, bool):
            raise PlainDataError(f"{where} 应为 true 或 false，收到“{value}”。")
        return value
    if tp is str:
        if not isinstance(value, str):
            raise PlainDataError(f"{where} 应为文本，收到“{value}”。")
        return value
    raise TypeError(f"unsupported field type {tp!r} at {where}")  # a programming error
