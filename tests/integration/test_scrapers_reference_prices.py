"""Our reference prices in force, read from the price procedure (SQLite and PostgreSQL), joined to scraped
auction results."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from scrapers.auction_results import join_reference_prices, read_reference_prices
from xunpai.services import procedure as service
from xunpai.services.scraping import reference_prices_in_force
from xunpai.storage.models.accounts import Court

COURT = "浙1081"
NOW = datetime(2026, 1, 5, 9, 0)
PARTIES = [service.PartyInput("applicant", "张三", "330102199003030033", "温岭市太平街道1号"),
           service.PartyInput("debtor", "李四", "440304198505050047", "温岭市城东街道2号")]


def _priced_lot(uow, case_number, name, *values):
    lot = service.add_lot(uow, case_number, name, seized_on=date(2025, 12, 1), actor="法官甲", now=NOW)
    for value in values:  # each a new appraisal fixed as the reference price; the last one is in force
        report = service.record_report(uow, lot.id, "appraisal", "某评估公司", value,
                                       received_on=date(2026, 1, 5), actor="法官甲", now=NOW)
        service.fix_reference_price(uow, report.id, today=date(2026, 1, 6), actor="法官甲", now=NOW)
    return lot


def test_reference_prices_in_force_join_the_scraped_results(uow):
    uow.session.add(Court(code=COURT, name="温岭市人民法院", zones=[], policy={}))
    uow.session.flush()
    one = service.create_case(uow, COURT, "（2025）浙1081执1502号", PARTIES, actor="法官甲", now=NOW)
    two = service.create_case(uow, COURT, "（2025）浙1081执1399号", PARTIES, actor="法官甲", now=NOW)
    _priced_lot(uow, one.case_number, "锦园小区3幢2单元501室", 2_200_000_00, 2_150_000_00)
    _priced_lot(uow, two.case_number, "九龙湾花园12幢1802室", 1_680_000_00)
    _priced_lot(uow, two.case_number, "九龙湾花园地下车位A-12", 150_000_00)
    service.add_lot(uow, two.case_number, "尚未定价的储藏室", seized_on=None, actor="法官甲", now=NOW)

    rows = reference_prices_in_force(uow, court_code=COURT)
    assert rows == [
        {"case_number": "（2025）浙1081执1502号", "lot": "", "reference_price_fen": 2_150_000_00},
        {"case_number": "（2025）浙1081执1399号", "lot": "九龙湾花园12幢1802室", "reference_price_fen": 1_680_000_00},
        {"case_number": "（2025）浙1081执1399号", "lot": "九龙湾花园地下车位A-12", "reference_price_fen": 150_000_00},
    ]
    assert reference_prices_in_force(uow, court_code="浙10") == []

    prices, problems = read_reference_prices(rows)
    scraped = [
        {"key": "lot-1012", "case_number": "（2025）浙1081执1502号", "status": "sold", "title": "锦园小区 501室",
         "starting_price_fen": 1_505_000_00, "final_price_fen": 1_710_000_00, "reference_price_fen": 2_150_000_00},
        {"key": "lot-1009", "case_number": "（2025）浙1081执1399号", "status": "sold",
         "title": "九龙湾花园12幢1802室", "starting_price_fen": 1_176_000_00, "final_price_fen": 1_302_000_00},
        {"key": "lot-2001", "case_number": "（2025）浙1081执1399号", "status": "unsold", "title": "车位",
         "address": "九龙湾花园 地下车位 A-12", "starting_price_fen": 105_000_00, "final_price_fen": None},
    ]
    joined = join_reference_prices(scraped, prices, problems)
    assert [lot.reference_price_fen for lot in joined.lots] == [2_150_000_00, 1_680_000_00, 150_000_00]
    assert joined.lots[1].discount_to_reference == Decimal("0.2250")  # (1,680,000 − 1,302,000) / 1,680,000
    assert (joined.statistics.sold, joined.statistics.reached_end) == (2, 3)
