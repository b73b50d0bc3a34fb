"""Scraped auction results joined to our reference prices: per-lot discount and premium, aggregate figures."""

from __future__ import annotations

from decimal import Decimal

from scrapers.auction_results import ReferencePrice, join_reference_prices, read_reference_prices

CASE_A = "（2025）浙1081执1502号"
CASE_B = "（2024）浙10执恢88号"
CASE_C = "（2025）浙1081执1399号"


def result(key, case, status, start, final=None, title="", address="", lot_id="", platform=None):
    return {"key": key, "case_number": case, "status": status, "starting_price_fen": start,
            "final_price_fen": final, "title": title, "address": address, "lot_id": lot_id,
            "reference_price_fen": platform}


def test_one_lot_joins_by_case_number_and_gives_exact_discount_and_premium():
    joined = join_reference_prices([result("a", CASE_A, "sold", 150_500_000, 171_000_000, platform=215_000_000)],
                                   [ReferencePrice(CASE_A, "", 215_000_000)])
    (lot,) = joined.lots
    # (2,150,000 - 1,710,000) / 2,150,000 = 0.20465… → 0.2047; (1,710,000 - 1,505,000) / 1,505,000 = 0.13621… → 0.1362
    assert lot.discount_to_reference == Decimal("0.2047")
    assert lot.premium_over_start == Decimal("0.1362")
    assert not lot.platform_reference_differs


def test_a_sale_above_the_reference_price_has_a_negative_discount():
    joined = join_reference_prices([result("a", CASE_A, "sold", 100, 130)], [ReferencePrice(CASE_A, "", 120)])
    assert joined.lots[0].discount_to_reference == Decimal("-0.0833")


def test_rounds_of_one_lot_join_the_same_reference_price():
    rows = [result("r1", CASE_B, "unsold", 92_400_000, title="商铺", address="东山路88号"),
            result("r2", CASE_B, "sold", 73_920_000, 74_120_000, title="商铺", address="东山路88号")]
    joined = join_reference_prices(rows, [ReferencePrice(CASE_B, "", 132_000_000)])
    assert [lot.reference_price_fen for lot in joined.lots] == [132_000_000, 132_000_000]
    assert joined.lots[0].discount_to_reference is None  # unsold: no sale price to compare


def test_several_lots_of_a_case_join_by_lot_id_title_or_address_and_never_by_guess():
    rows = [result("x", CASE_C, "sold", 100, 110, title="12幢1802室", lot_id="1009"),
            result("y", CASE_C, "sold", 200, 200, title="车位 A-12", address="九龙湾 车位A-12"),
            result("z", CASE_C, "unsold", 300, title="储藏室")]
    references = [ReferencePrice(CASE_C, "1009", 150), ReferencePrice(CASE_C, "九龙湾车位A-12", 250),
                  ReferencePrice(CASE_C, "另一个标的", 400)]
    joined = join_reference_prices(rows, references)
    assert [lot.reference_price_fen for lot in joined.lots] == [150, 250, None]
    assert "多个标的" in joined.lots[2].unmatched_reason
    assert [lot.key for lot in joined.unmatched] == ["z"]


def test_a_case_we_did_not_price_stays_unmatched_with_the_reason():
    joined = join_reference_prices([result("a", CASE_A, "sold", 100, 120)], [ReferencePrice(CASE_B, "", 150)])
    assert joined.lots[0].reference_price_fen is None
    assert joined.lots[0].unmatched_reason == f"我方没有案号 {CASE_A} 的参考价"
    assert joined.statistics.lots == 0


def test_aggregate_figures_follow_the_outcome_definitions_over_matched_lots():
    rows = [result("a", CASE_A, "sold", 1_000, 1_200, platform=1_500),
            result("b", CASE_B, "sold", 2_000, 2_000, address="b"),
            result("c", CASE_C, "unsold", 3_000, address="c"),
            result("d", CASE_C, "reneged", 3_000, 3_500, address="d"),
            result("e", "（2025）浙1081执9号", "sold", 10, 99)]  # not ours: left out of the figures
    references = [ReferencePrice(CASE_A, "", 1_600), ReferencePrice(CASE_B, "", 2_500),
                  ReferencePrice(CASE_C, "c", 4_000), ReferencePrice(CASE_C, "d", 4_000)]
    stats = join_reference_prices(rows, references).statistics
    assert (stats.lots, stats.sold, stats.reached_end) == (4, 2, 4)
    assert stats.success_rate == Decimal("0.5000")
    # premium: (1,200 + 2,000 − 1,000 − 2,000) / 3,000; discount: 1 − 3,200 / 4,100 (sold lots with a reference)
    assert stats.premium_rate == Decimal("0.0667")
    assert stats.discount_to_reference == Decimal("0.2195")
    joined = join_reference_prices(rows, references)
    assert [lot.key for lot in joined.matched if lot.platform_reference_differs] == ["a"]


def test_reference_rows_with_bad_case_numbers_prices_or_duplicates_are_reported():
    prices, problems = read_reference_prices([
        {"case_number": "(2025)浙1081执1502号", "lot": "", "reference_price_fen": "215000000"},
        {"case_number": "浙1081执1号", "reference_price_fen": 1},
        {"case_number": CASE_B, "reference_price_fen": 0},
        {"case_number": CASE_A, "lot": " ", "reference_price_fen": 5},
    ])
    assert prices == [ReferencePrice(CASE_A, "", 215_000_000)]
    assert [p.split("：")[0] for p in problems] == ["参考价第 2 行", "参考价第 3 行", "参考价第 4 行"]
    assert "重复" in problems[2]
