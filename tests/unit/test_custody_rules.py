"""Custody rules: storage days counted inclusively, tariff changes, checklists, release."""

from datetime import date

import pytest

from auction.custody import (
    INSPECTION_CHECKLISTS,
    CustodyError,
    TariffStep,
    check_release,
    debtor_costs,
    missing_checklist,
    missing_checklist_items,
    storage_days,
    storage_fee_fen,
    visitor_key,
)


def test_days_are_counted_inclusively():
    assert storage_days(date(2026, 3, 1), date(2026, 3, 1)) == 1
    assert storage_days(date(2026, 3, 1), date(2026, 3, 3)) == 3
    assert storage_days(date(2026, 2, 28), date(2026, 3, 1)) == 2  # 2026 is not a leap year
    with pytest.raises(CustodyError, match="早于入库日"):
        storage_days(date(2026, 3, 2), date(2026, 3, 1))


def test_flat_tariff_fee():
    # 30 yuan/day from 1 March to 31 March inclusive: 31 days = 930.00
    assert storage_fee_fen(3000, date(2026, 3, 1), date(2026, 3, 31)) == 93000


def test_tariff_change_charges_each_day_at_its_rate():
    steps = [TariffStep(date(2026, 1, 1), 3000), TariffStep(date(2026, 3, 10), 4550)]
    # 1-9 March at 30.00 (9 days) + 10-12 March at 45.50 (3 days) = 270.00 + 136.50 = 406.50
    assert storage_fee_fen(steps, date(2026, 3, 1), date(2026, 3, 12)) == 40650
    # the change day itself is charged at the new rate
    assert storage_fee_fen(steps, date(2026, 3, 10), date(2026, 3, 10)) == 4550
    assert storage_fee_fen(steps, date(2026, 3, 9), date(2026, 3, 9)) == 3000
    with pytest.raises(CustodyError, match="没有适用的保管费标准"):
        storage_fee_fen([TariffStep(date(2026, 4, 1), 100)], date(2026, 3, 1), date(2026, 4, 2))


def test_debtor_costs_add_other_costs():
    costs = debtor_costs(2500, date(2026, 5, 1), date(2026, 5, 10), [8000, 15000])
    assert (costs.storage_days, costs.storage_fee_fen, costs.other_costs_fen, costs.total_fen) == (10, 25000, 23000,
                                                                                                   48000)


def test_vehicle_checklist_includes_the_2024_checks():
    missing = missing_checklist_items("vehicle", {"exterior": "良好", "mileage": " "})
    assert "排放标准" in missing and "交通违法记录" in missing and "里程表读数" in missing
    assert "外观" not in missing
    with pytest.raises(CustodyError, match="保管物类型"):
        missing_checklist_items("ship", {})


def test_missing_checks_come_with_the_key_to_fill_them_in_checklist_order():
    filled = {key: "良好" for key, _name in INSPECTION_CHECKLISTS["movable"]} | {"packaging": "", "exterior": " "}
    assert missing_checklist("movable", filled) == [("exterior", "外观"), ("packaging", "包装")]
    assert missing_checklist_items("movable", filled) == ["外观", "包装"]


def test_release_rules():
    check_release("delivered", "sold")
    with pytest.raises(CustodyError, match="只有拍卖成交后"):
        check_release("delivered", "unsold")
    check_release("returned", None)
    with pytest.raises(CustodyError, match="出库方式"):
        check_release("lost", None)


def test_visitor_key_normalizes_and_hides_identity():
    assert visitor_key("138 0000 0000") == visitor_key("13800000000")
    assert "13800000000" not in visitor_key("13800000000")
    with pytest.raises(CustodyError):
        visitor_key("12")
