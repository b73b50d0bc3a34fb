"""Floor (楼层) and orientation (朝向) text as Chinese housing records write it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tax_baseline.numerals import read_numeral
from tax_baseline.parsing import (
    ORIENTATIONS,
    RELATIVE_FLOORS,
    FloorParseError,
    FloorReading,
    OrientationParseError,
    parse_floor,
    parse_orientation,
    relative_floor_band,
)

DIGITS = "零一二三四五六七八九"


def render_chinese(n: int) -> str:
    """Independent oracle: the usual way of writing 0..99 in Chinese (十五, 二十, 二十三)."""
    if n < 10:
        return DIGITS[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else DIGITS[tens]) + "十" + ("" if units == 0 else DIGITS[units])


def to_fullwidth(text: str) -> str:
    """ASCII → full-width forms (５／１８), as typed with a Chinese input method in full-width mode."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


# ---------------------------------------------------------------------------------------------------
# Chinese numerals
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("〇", 0), ("零", 0), ("一", 1), ("两", 2), ("兩", 2), ("九", 9), ("十", 10), ("十五", 15),
        ("一十五", 15), ("二十", 20), ("二十三", 23), ("九十九", 99), ("贰拾叁", 23), ("拾", 10), (" 四 ", 4),
    ],
)  # fmt: skip
def test_chinese_numeral_reads_usual_forms(text: str, value: int) -> None:
    assert read_numeral(text) == value


@pytest.mark.parametrize("text", ["", "二三", "十十", "一百", "零十", "十零", "二十三四", "x", "5", "十x"])
def test_chinese_numeral_refuses_other_text_with_chinese_message(text: str) -> None:
    with pytest.raises(ValueError, match="无法识别中文数字"):
        read_numeral(text)


@given(st.integers(min_value=0, max_value=99))
def test_chinese_numeral_round_trips(n: int) -> None:
    assert read_numeral(render_chinese(n)) == n


# ---------------------------------------------------------------------------------------------------
# Floors
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "low", "high", "total", "relative"),
    [
        ("5", 5, 5, None, None),
        ("5层", 5, 5, None, None),
        ("5楼", 5, 5, None, None),
        ("5F", 5, 5, None, None),
        ("5/18", 5, 5, 18, None),
        ("5/18层", 5, 5, 18, None),
        ("第5层", 5, 5, None, None),
        ("中楼层(共18层)", 7, 12, 18, "中"),
        ("中楼层（共18层）", 7, 12, 18, "中"),
        ("高楼层/共33层", 23, 33, 33, "高"),
        ("低楼层 共6层", 1, 2, 6, "低"),
        ("低楼层(共7层)", 1, 3, 7, "低"),
        ("07 TO 09", 7, 9, None, None),
        ("01 to 03", 1, 3, None, None),
        ("5-6层", 5, 6, None, None),
        ("四層", 4, 4, None, None),
        ("十五层", 15, 15, None, None),
        ("二十三层", 23, 23, None, None),
        ("第十五层/共二十三层", 15, 15, 23, None),
        ("地下一层", -1, -1, None, None),
        ("地下二层", -2, -2, None, None),
        ("负一层", -1, -1, None, None),
        ("负1楼", -1, -1, None, None),
        ("B1", -1, -1, None, None),
        ("b2", -2, -2, None, None),
        ("-1", -1, -1, None, None),
        ("-1/18", -1, -1, 18, None),
        ("顶层(共6层)", 6, 6, 6, None),
        ("頂層（共6層）", 6, 6, 6, None),
        ("底层", 1, 1, None, None),
        ("首层", 1, 1, None, None),
        ("５／１８", 5, 5, 18, None),
        ("  5 / 18 层 ", 5, 5, 18, None),
        ("5\u3000/\u300018", 5, 5, 18, None),
    ],
)
def test_parse_floor_reads_record_forms(
    text: str, low: int, high: int, total: int | None, relative: str | None
) -> None:
    assert parse_floor(text) == FloorReading(low, high, total, relative, text)


def test_parse_floor_takes_total_floors_from_argument() -> None:
    assert parse_floor("中楼层", total_floors=18) == FloorReading(7, 12, 18, "中", "中楼层")
    assert parse_floor("顶层", total_floors=6).low == 6
    assert parse_floor("5", total_floors=18).total_floors == 18


def test_exact_floor_is_exact_and_band_is_not() -> None:
    assert parse_floor("5/18").is_exact
    assert not parse_floor("07 TO 09").is_exact


@pytest.mark.parametrize(
    ("text", "total", "message"),
    [
        ("abc", None, '无法识别楼层"abc"：应为 5、5层、5/18、第5层、中楼层(共18层)'),
        ("", None, '无法识别楼层""'),
        ("二三层", None, '无法识别楼层"二三层"'),
        ("5/abc", None, '无法识别楼层"5/abc"'),
        ("20/18", None, "所在楼层 20 高于总层数 18"),
        ("20", 18, "所在楼层 20 高于总层数 18"),
        ("07 TO 09", 8, "所在楼层 9 高于总层数 8"),
        ("0", None, '楼层"0"无效：没有第 0 层'),
        ("零层", None, '楼层"零层"无效：没有第 0 层'),
        ("B0", None, '楼层"B0"无效：没有第 0 层'),
        ("00 TO 02", None, "没有第 0 层"),
        ("9 TO 7", None, '楼层区间"9 TO 7"的起始层 9 高于结束层 7'),
        ("中楼层", None, '相对楼层"中楼层"需要总层数'),
        ("顶层", None, '"顶层"需要总层数'),
        ("5/0", None, "总层数必须至少为 1"),
        ("5/18", 20, '楼层"5/18"中的总层数 18 与另行提供的总层数 20 不一致'),
    ],
)
def test_parse_floor_errors_say_what_is_wrong(text: str, total: int | None, message: str) -> None:
    with pytest.raises(FloorParseError) as info:
        parse_floor(text, total_floors=total)
    assert message in str(info.value)


def test_floor_parse_error_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        parse_floor("abc")


@given(st.integers(1, 99).flatmap(lambda n: st.tuples(st.integers(1, n), st.just(n))))
def test_floor_over_total_reads_floor_and_total(pair: tuple[int, int]) -> None:
    floor, total = pair
    reading = parse_floor(f"{floor}/{total}")
    assert (reading.low, reading.high, reading.total_floors) == (floor, floor, total)
    assert parse_floor(to_fullwidth(f"{floor}/{total}层")) == FloorReading(
        floor, floor, total, None, to_fullwidth(f"{floor}/{total}层")
    )


@given(st.integers(1, 98).flatmap(lambda n: st.tuples(st.integers(n + 1, 99), st.just(n))))
def test_floor_above_total_is_refused(pair: tuple[int, int]) -> None:
    floor, total = pair
    with pytest.raises(FloorParseError, match=f"所在楼层 {floor} 高于总层数 {total}"):
        parse_floor(f"{floor}/{total}")


@given(st.integers(1, 99))
def test_chinese_floor_reads_like_arabic(floor: int) -> None:
    assert parse_floor(f"{render_chinese(floor)}层").low == floor
    assert parse_floor(f"第{render_chinese(floor)}层").low == floor
    assert parse_floor(f"地下{render_chinese(floor)}层").low == -floor
    assert parse_floor(f"B{floor}").low == -floor


@given(st.integers(3, 200))
def test_relative_bands_partition_the_building(total: int) -> None:
    floors: list[int] = []
    for relative in RELATIVE_FLOORS:
        low, high = relative_floor_band(relative, total)
        assert low <= high, "every third is non-empty"
        floors.extend(range(low, high + 1))
    assert floors == list(range(1, total + 1))


@given(st.integers(3, 200))
def test_relative_bands_are_nearly_equal_thirds(total: int) -> None:
    sizes = [high - low + 1 for low, high in (relative_floor_band(r, total) for r in RELATIVE_FLOORS)]
    assert max(sizes) - min(sizes) <= 1


@pytest.mark.parametrize(
    ("total", "bands"),
    [
        (3, [(1, 1), (2, 2), (3, 3)]),
        (6, [(1, 2), (3, 4), (5, 6)]),
        (7, [(1, 3), (4, 5), (6, 7)]),
        (18, [(1, 6), (7, 12), (13, 18)]),
        (33, [(1, 11), (12, 22), (23, 33)]),
        (1, [(1, 1), (1, 1), (1, 1)]),
        (2, [(1, 2), (1, 2), (1, 2)]),
    ],
)
def test_relative_bands_follow_documented_rule(total: int, bands: list[tuple[int, int]]) -> None:
    assert [relative_floor_band(r, total) for r in RELATIVE_FLOORS] == bands


@given(
    st.sampled_from(RELATIVE_FLOORS), st.integers(1, 99), st.sampled_from(["({})", "（{}）", "/{}", " {}"])
)
def test_relative_floor_text_gives_documented_band(relative: str, total: int, wrapper: str) -> None:
    text = f"{relative}楼层" + wrapper.format(f"共{total}层")
    reading = parse_floor(text)
    assert (reading.low, reading.high) == relative_floor_band(relative, total)
    assert reading.relative == relative and reading.total_floors == total


# ---------------------------------------------------------------------------------------------------
# Orientation
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "orientation"),
    [
        ("南", "南"), ("北", "北"), ("东", "东"), ("西", "西"),
        ("南北", "南北"), ("南 北", "南北"), ("南/北", "南北"), ("南／北", "南北"), ("南\u3000北", "南北"),
        ("北南", "南北"), ("西东", "东西"), ("东西", "东西"), ("南东", "东南"),
        ("朝南", "南"), ("坐北朝南", "南"), ("坐南朝北", "北"), ("坐西向东", "东"),
        ("东南", "东南"), ("东南向", "东南"), ("南向", "南"), ("正南", "南"), ("朝南北", "南北"),
        ("南北通透", "南北"), ("東南", "东南"), ("東", "东"), ("西北", "西北"), ("东北", "东北"), ("西南", "西南"),
        ("S", "南"), ("s", "南"), ("N-S", "南北"), ("SE", "东南"), ("NW", "西北"), ("E/W", "东西"),
        (" 南 ", "南"), ("南、北", "南北"),
    ],
)  # fmt: skip
def test_parse_orientation_reads_record_forms(text: str, orientation: str) -> None:
    assert parse_orientation(text) == orientation


@pytest.mark.parametrize("text", ["", "   ", "abc", "东南西", "东南西北", "南偏东", "朝", "South", "中"])
def test_parse_orientation_refuses_other_text_listing_accepted_values(text: str) -> None:
    with pytest.raises(OrientationParseError) as info:
        parse_orientation(text)
    message = str(info.value)
    assert f'无法识别朝向"{text}"' in message
    assert "南、北、东、西、东南、西南、东北、西北、南北、东西" in message


def test_every_canonical_orientation_reads_as_itself() -> None:
    assert [parse_orientation(o) for o in ORIENTATIONS] == list(ORIENTATIONS)


PAIRS = [o for o in ORIENTATIONS if len(o) == 2]


@given(
    st.sampled_from(PAIRS),
    st.sampled_from(["", " ", "/", "／", "、", "-", "\u3000"]),
    st.sampled_from(["{}", "朝{}", "{}向", "{}通透"]),
)
def test_orientation_pairs_are_order_insensitive(pair: str, separator: str, wrapper: str) -> None:
    forward = wrapper.format(pair[0] + separator + pair[1])
    backward = wrapper.format(pair[1] + separator + pair[0])
    assert parse_orientation(forward) == parse_orientation(backward) == pair
