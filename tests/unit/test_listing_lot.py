"""The lot content model: mandatory disclosures block publishing, JSON is stable and round-trips."""

import copy
import json
from datetime import date

import pytest

from auction.listing_plan import PropertyKind
from auction.lot import (
    Lot,
    LotDataError,
    Occupancy,
    OccupancyStatus,
    Party,
    PartyRole,
    court_from_dict,
    court_to_dict,
    lot_from_dict,
    lot_to_dict,
    missing_disclosures,
)
from auction.lot_examples import example_court, example_real_estate_lot, example_vehicle_lot


def test_complete_examples_have_nothing_missing():
    assert missing_disclosures(example_real_estate_lot()) == []
    assert missing_disclosures(example_vehicle_lot()) == []


def test_case_number_is_stored_in_canonical_form_and_bad_ones_are_refused():
    lot = example_real_estate_lot()
    assert lot.case_number == "（2026）浙1081执1234号"
    with pytest.raises(LotDataError, match="案号"):
        Lot("x", "2026浙1081执1234", "法院", "标的", PropertyKind.MOVABLE)


@pytest.mark.parametrize(
    ("change", "missing"),
    [
        (lambda lot: setattr(lot, "priority_purchasers", None), "优先购买权人情况"),
        (lambda lot: setattr(lot, "leases", None), "租赁情况"),
        (lambda lot: setattr(lot, "encumbrances", None), "权利负担（查封、抵押等）"),
        (lambda lot: setattr(lot, "known_defects", None), "已知瑕疵"),
        (lambda lot: setattr(lot, "taxes", None), "税费及承担方式"),
        (lambda lot: setattr(lot, "viewing", None), "看样安排"),
        (lambda lot: setattr(lot, "photos", []), "照片或视频"),
        (lambda lot: setattr(lot, "contacts", []), "法院联系人及电话"),
        (lambda lot: setattr(lot, "plan", None), "拍卖方案（起拍价、保证金、加价幅度、竞价时间）"),
        (lambda lot: setattr(lot, "survey", None), "调查情况表"),
        (lambda lot: setattr(lot.survey, "inspected_on", None), "现场勘验（2024年起不动产必须）"),
        (lambda lot: setattr(lot.survey, "lifts_per_unit", None), "调查情况表：梯户情况"),
        (lambda lot: setattr(lot.survey, "orientation", ""), "调查情况表：朝向"),
        (lambda lot: setattr(lot.taxes, "items", []), "税费明细披露（2024年起不动产必须）"),
        (lambda lot: setattr(lot.occupancy, "vacated", None), "调查情况表：是否腾空"),
        (lambda lot: setattr(lot.parties[1], "notified_on", None), "当事人通知情况"),
        (lambda lot: setattr(lot.priority_purchasers[0], "notified_on", None), "优先购买权人通知情况"),
        (lambda lot: setattr(lot, "reference_price_fen", 1), "拍卖方案的参考价与标的物参考价一致"),
    ],
)
def test_each_missing_real_estate_disclosure_is_named(change, missing):
    lot = example_real_estate_lot()
    change(lot)
    assert missing_disclosures(lot) == [missing]


def test_an_empty_list_states_there_is_none_but_none_means_not_stated():
    lot = example_real_estate_lot()
    lot.known_defects = []
    lot.leases = []
    lot.priority_purchasers = []
    assert missing_disclosures(lot) == []


@pytest.mark.parametrize(
    ("field", "value", "missing"),
    [
        ("emission_standard", "", "车辆排放标准"),
        ("mileage_km", None, "车辆行驶里程"),
        ("violations", None, "车辆交通违法情况"),
        ("registration_checked_on", None, "车辆登记信息核查"),
    ],
)
def test_vehicle_checks_of_2024_are_mandatory(field, value, missing):
    lot = example_vehicle_lot()
    setattr(lot.vehicle, field, value)
    assert missing_disclosures(lot) == [missing]


def test_a_vehicle_with_no_violations_found_is_complete():
    lot = example_vehicle_lot()
    lot.vehicle.violations = []
    assert missing_disclosures(lot) == []


def test_an_unreachable_party_with_a_reason_counts_as_stated():
    lot = example_vehicle_lot()
    assert lot.parties[1].unreachable_reason
    lot.parties[1].unreachable_reason = ""
    assert missing_disclosures(lot) == ["当事人通知情况"]


def test_a_bare_lot_lists_every_general_item():
    lot = Lot("L1", "", "", "", PropertyKind.EQUITY)
    missing = missing_disclosures(lot)
    for name in ("案号", "执行法院", "标的物名称", "参考价（评估价）", "被执行人", "占有使用情况", "已知瑕疵"):
        assert name in missing
    assert "调查情况表" not in missing and "车辆核查信息" not in missing


def test_lot_json_round_trips_exactly_and_is_stable():
    lot = example_real_estate_lot(sold=True)
    data = lot_to_dict(lot)
    text = json.dumps(data, ensure_ascii=False)
    assert lot_from_dict(json.loads(text)) == lot
    assert json.dumps(lot_to_dict(lot_from_dict(json.loads(text))), ensure_ascii=False) == text
    assert data["reference_price_fen"] == 123_456_700
    assert data["survey"]["building_area_m2"] == "118.56"
    assert data["plan"]["bidding_start"] == "2026-12-31T10:00:00"
    assert data["sale"]["sold_at"] == "2027-01-01T10:07:31"
    assert data["kind"] == "real_estate"


def test_vehicle_lot_round_trips():
    lot = example_vehicle_lot()
    assert lot_from_dict(json.loads(json.dumps(lot_to_dict(lot)))) == lot


def test_court_round_trips():
    court = example_court()
    assert court_from_dict(json.loads(json.dumps(court_to_dict(court)))) == court


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        (("kind",), "house", "kind"),
        (("reference_price_fen",), "1200000.00", "reference_price_fen 应为整数"),
        (("reference_price_fen",), 1.5, "应为整数"),
        (("survey", "land_term_end"), "2080/06/30", "land_term_end"),
        (("survey", "building_area_m2"), 118.56, "building_area_m2"),
        (("occupancy", "status"), "empty", "vacant"),
        (("nonsense",), 1, "未知字段：nonsense"),
        (("case_number",), "浙1081执1234号", "案号"),
        (("parties",), {"a": 1}, "parties 应为列表"),
    ],
)
def test_malformed_json_names_the_field(path, value, message):
    data = copy.deepcopy(lot_to_dict(example_real_estate_lot()))
    target = data
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(LotDataError, match=message):
        lot_from_dict(data)


def test_missing_required_field_is_reported():
    data = lot_to_dict(example_vehicle_lot())
    del data["title"]
    with pytest.raises(LotDataError, match="缺少必填字段"):
        lot_from_dict(data)


def test_occupancy_and_parties_are_plain_values():
    occ = Occupancy(OccupancyStatus.VACANT, vacated=True)
    party = Party(PartyRole.DEBTOR, "赵某某", notified_on=date(2026, 11, 1))
    assert party.notice_state_stated and occ.status.label == "空置" and party.role.label == "被执行人"
