"""Normalizing typed addresses and matching them to buildings (楼幢)."""

from __future__ import annotations

import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tax_baseline.address import (
    AddressParts,
    BuildingIndex,
    Candidate,
    match_buildings,
    normalize_address,
    resolve_building,
    split_address,
)

AMBIGUOUS = "地址不唯一，请从候选中选择"
NOT_FOUND = "未找到匹配的楼幢"


def to_fullwidth(text: str) -> str:
    """ASCII → full-width forms (３號樓), as typed with a Chinese input method in full-width mode."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else "\u3000" if c == " " else c for c in text)


# ---------------------------------------------------------------------------------------------------
# normalize_address
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("东辉公寓3幢", "东辉公寓3幢"),
        ("东辉公寓３栋", "东辉公寓3幢"),
        ("東輝公寓3號樓", "东辉公寓3幢"),
        ("东辉公寓3号楼", "东辉公寓3幢"),
        ("东辉公寓3座", "东辉公寓3幢"),
        ("东辉公寓3#", "东辉公寓3幢"),
        ("东辉公寓3＃楼", "东辉公寓3幢"),
        ("东辉公寓3栋楼", "东辉公寓3幢"),
        ("东辉公寓三幢", "东辉公寓3幢"),
        ("东辉公寓第三栋", "东辉公寓3幢"),
        ("东辉公寓十二幢二单元", "东辉公寓12幢2单元"),
        ("东辉公寓二十三号楼十一单元", "东辉公寓23幢11单元"),
        ("东辉公寓 3 幢 。", "东辉公寓3幢"),
        ("东辉公寓3幢，", "东辉公寓3幢"),
        ("东辉公寓\t3幢\n", "东辉公寓3幢"),
        ("金座大厦A座", "金座大厦A幢"),
        ("栋梁花园3栋", "栋梁花园3幢"),
        ("东辉公寓(东区)", "东辉公寓(东区)"),
        ("东辉公寓（东区）3栋", "东辉公寓(东区)3幢"),
        ("温岭市 太平街道 东辉公寓 3栋 2单元 302室", "温岭市太平街道东辉公寓3幢2单元302室"),
    ],
)
def test_normalize_address_unifies_typed_forms(text: str, normalized: str) -> None:
    assert normalize_address(text) == normalized


def test_bare_lou_after_a_number_is_a_floor_and_is_kept() -> None:
    # 东辉公寓3楼 usually means the 3rd floor; only 3号楼 names a building.
    assert normalize_address("东辉公寓3楼") == "东辉公寓3楼"


def test_building_words_inside_community_names_are_kept() -> None:
    assert normalize_address("金座大厦") == "金座大厦"
    assert normalize_address("栋梁花园") == "栋梁花园"


ADDRESS_ALPHABET = (
    "东辉公寓東輝阳光花园温岭市太平街道區號樓棟栋幢座楼单元單元室房号第"
    "一二两三四五六七八九十零〇0123456789０１２３ABab#＃-－ 　,，。、.()（）/"
)


@given(st.text(alphabet=ADDRESS_ALPHABET, max_size=30))
def test_normalize_address_is_idempotent(text: str) -> None:
    once = normalize_address(text)
    assert normalize_address(once) == once


@given(
    st.text(alphabet="东辉公寓阳光花园幢单元室栋座号楼", max_size=8),
    st.text(alphabet="0123456789ABCDEFab#-/()", min_size=1, max_size=8),
    st.text(alphabet="东辉公寓阳光花园幢单元室栋座号楼", max_size=8),
)
def test_fullwidth_and_halfwidth_variants_normalize_equal(head: str, ascii_part: str, tail: str) -> None:
    half = head + ascii_part + tail
    full = head + to_fullwidth(ascii_part) + tail
    assert normalize_address(full) == normalize_address(half)


# ---------------------------------------------------------------------------------------------------
# split_address
# ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "parts"),
    [
        ("温岭市 太平街道 东辉公寓 3栋 2单元 302室", AddressParts("温岭市太平街道东辉公寓3幢", "2", "302")),
        ("東輝公寓３號樓二單元302", AddressParts("东辉公寓3幢", "2", "302")),
        ("东辉公寓3幢2单元-302", AddressParts("东辉公寓3幢", "2", "302")),
        ("东辉公寓3幢2单元302房", AddressParts("东辉公寓3幢", "2", "302")),
        ("东辉公寓3幢2单元5层302", AddressParts("东辉公寓3幢", "2", "302")),
        ("东辉公寓3幢302室", AddressParts("东辉公寓3幢", None, "302")),
        ("东辉公寓3幢-302", AddressParts("东辉公寓3幢", None, "302")),
        ("东辉公寓3幢302", AddressParts("东辉公寓3幢", None, "302")),
        ("东辉公寓3幢", AddressParts("东辉公寓3幢", None, None)),
        ("东辉公寓3幢二单元", AddressParts("东辉公寓3幢", "2", None)),
        ("金座大厦A座1203", AddressParts("金座大厦A幢", None, "1203")),
        ("东辉公寓2单元302室", AddressParts("东辉公寓", "2", "302")),
        ("东辉公寓302室", AddressParts("东辉公寓", None, "302")),
        # Without 幢, 单元 or 室 a trailing number is a street number, not a room.
        ("人民路302号", AddressParts("人民路302号", None, None)),
        ("东辉公寓3幢2单元车库", AddressParts("东辉公寓3幢", "2", None, "2单元车库")),
    ],
)
def test_split_address_finds_building_unit_and_room(text: str, parts: AddressParts) -> None:
    assert split_address(text) == parts


# ---------------------------------------------------------------------------------------------------
# match_buildings / resolve_building
# ---------------------------------------------------------------------------------------------------

BUILDINGS = [
    ("wl-dh-3", "温岭市太平街道东辉公寓3幢"),
    ("wl-dh-3", "东辉公寓三号楼"),  # an alias of the same building
    ("wl-dh-8", "温岭市太平街道东辉公寓8幢"),
    ("wl-yg-1", "温岭市城东街道阳光花园1幢"),
    ("lh-dh-3", "临海市古城街道东辉公寓3幢"),
    ("lh-dh-5", "临海市古城街道东辉公寓5幢"),
]


@pytest.fixture(scope="module")
def index() -> BuildingIndex:
    return BuildingIndex(BUILDINGS)


@pytest.mark.parametrize(
    ("query", "building_id"),
    [
        ("温岭市太平街道东辉公寓3幢", "wl-dh-3"),
        ("温岭市 太平街道 东辉公寓 3栋 2单元 302室", "wl-dh-3"),
        ("温岭市太平街道东辉公寓捌幢", None),  # financial numerals are not read in addresses
        ("温岭市东辉公寓8幢", "wl-dh-8"),  # 太平街道 omitted
        ("太平街道东辉公寓8幢", "wl-dh-8"),  # 温岭市 omitted
        ("浙江省温岭市太平街道东辉公寓8幢", "wl-dh-8"),  # the record omits 浙江省
        ("临海市东辉公寓5幢", "lh-dh-5"),
        ("东辉公寓5幢", "lh-dh-5"),  # only one 东辉公寓5幢 anywhere
        ("阳光花园一幢", "wl-yg-1"),
    ],
)
def test_resolve_building_chooses_only_an_unambiguous_equal_building(
    index: BuildingIndex, query: str, building_id: str | None
) -> None:
    assert index.resolve(query).building_id == building_id


def test_resolution_gives_reason_and_ranked_candidates(index: BuildingIndex) -> None:
    resolution = index.resolve("温岭市太平街道东辉公寓3幢")
    assert resolution.reason == "地址与楼幢记录一致"
    assert resolution.candidates[0] == Candidate("wl-dh-3", "温岭市太平街道东辉公寓3幢", 100.0)
    omitted = index.resolve("温岭市东辉公寓3幢")
    assert omitted.building_id == "wl-dh-3"
    assert "行政区划" in omitted.reason


def test_same_community_name_in_two_cities_is_not_resolved(index: BuildingIndex) -> None:
    # Even though 东辉公寓三号楼 is an alias of wl-dh-3, 临海市…东辉公寓3幢 is equal up to the city.
    for query in ("东辉公寓3幢", "東輝公寓３號樓二單元302"):
        resolution = index.resolve(query)
        assert resolution.building_id is None
        assert resolution.reason == AMBIGUOUS
        assert [c.building_id for c in resolution.candidates[:2]] == ["wl-dh-3", "lh-dh-3"]


def test_building_in_another_city_is_not_resolved(index: BuildingIndex) -> None:
    resolution = index.resolve("临海市东辉公寓8幢")
    assert resolution.building_id is None
    assert resolution.reason == AMBIGUOUS


def test_wrong_building_number_is_never_accepted(index: BuildingIndex) -> None:
    resolution = index.resolve("温岭市太平街道东辉公寓6幢")
    assert resolution.building_id is None
    assert resolution.reason == AMBIGUOUS
    assert "wl-dh-8" in [c.building_id for c in resolution.candidates]
    assert resolve_building("东辉公寓3幢", [("b8", "东辉公寓8幢")]).building_id is None


@given(
    st.text(alphabet="东辉公寓阳光花园锦绣江南世纪豪庭北苑", min_size=1, max_size=40),
    st.integers(1, 99),
    st.integers(1, 99),
)
@settings(max_examples=200)
def test_wrong_building_number_is_never_accepted_however_similar(name: str, wanted: int, held: int) -> None:
    if wanted == held:
        return
    resolution = resolve_building(f"{name}{wanted}幢", [("held", f"{name}{held}幢")])
    assert resolution.building_id is None


def test_near_identical_long_address_with_same_number_is_accepted() -> None:
    candidates = [
        ("north-3", "东辉公寓小区北苑商住综合楼3幢"),
        ("north-8", "东辉公寓小区北苑商住综合楼8幢"),
        ("south-3", "阳光花园小区南苑3幢"),
    ]
    resolution = resolve_building("东辉公寓小区北苑商住综合大楼3幢", candidates)  # one extra character
    assert resolution.candidates[0].score >= 95
    assert resolution.building_id == "north-3"
    assert "楼幢号一致" in resolution.reason


def test_close_rivals_are_left_to_the_user() -> None:
    candidates = [("a", "东辉公寓小区北苑商住综合楼3幢"), ("b", "东辉公寓小区北苑商住综合大厦3幢")]
    resolution = resolve_building("东辉公寓小区北苑商住综合大楼3幢", candidates)
    assert resolution.building_id is None
    assert resolution.reason == AMBIGUOUS
    assert [c.building_id for c in resolution.candidates] == ["a", "b"]


def test_unknown_address_finds_nothing(index: BuildingIndex) -> None:
    resolution = index.resolve("北京市朝阳区望京西园四区9幢")
    assert resolution.building_id is None
    assert resolution.reason == NOT_FOUND
    assert resolution.candidates == []


def test_match_buildings_ranks_one_candidate_per_building_best_first() -> None:
    ranked = match_buildings("东辉公寓三号楼", BUILDINGS, limit=10)
    ids = [c.building_id for c in ranked]
    assert len(ids) == len(set(ids))
    assert ids[0] == "wl-dh-3"
    scores = [c.score for c in ranked]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(s, float) and 0 <= s <= 100 for s in scores)


def test_match_buildings_accepts_mapping_pairs_or_index(index: BuildingIndex) -> None:
    mapping = {"wl-dh-8": "温岭市太平街道东辉公寓8幢", "wl-yg-1": "温岭市城东街道阳光花园1幢"}
    assert match_buildings("东辉公寓8幢", mapping)[0].building_id == "wl-dh-8"
    assert match_buildings("东辉公寓8幢", list(mapping.items()))[0].building_id == "wl-dh-8"
    assert match_buildings("东辉公寓8幢", index, limit=2)[0].building_id == "wl-dh-8"
    assert len(match_buildings("东辉公寓8幢", index, limit=2)) == 2


def test_resolve_finds_the_building_among_100k_addresses() -> None:
    # Speed is measured in bench/, not asserted here; this pins correctness at a province's scale.
    rng = random.Random(20240601)
    chars = "东辉公寓花园小区家园名苑阳光新村金座华府世纪豪庭锦绣江南天域"
    regions = ["", "温岭市太平街道", "温岭市城东街道", "台州市椒江区"]
    entries = [
        (
            f"b{i}",
            f"{rng.choice(regions)}{''.join(rng.choices(chars, k=rng.randint(3, 6)))}{rng.randint(1, 40)}幢",
        )
        for i in range(100_000)
    ]
    index = BuildingIndex(entries)
    assert len(index) == 100_000
    target_id, target_text = entries[4321]
    assert target_id in [c.building_id for c in index.resolve(target_text, limit=20).candidates]
    unrelated = index.resolve("温岭市太平街道东辉公寓3栋2单元302室")
    assert all(c.building_id != target_id or "3幢" in c.matched_text for c in unrelated.candidates)
