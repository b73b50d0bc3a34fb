"""The reference price: method order (参考价规定 arts. 4-14), the network-inquiry mean (arts. 11, 13), fees
(art. 31), validity (art. 27) and the deadlines around it (arts. 1, 19, 21, 30)."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

import pytest

from auction import reference_price as rp
from auction.calendar import WorkingCalendar
from auction.reference_price import Method, NetworkReport, PropertyFacts

CAL = WorkingCalendar()


# --- method order --------------------------------------------------------------------------------------------

def test_negotiation_comes_first():
    assert rp.next_method(PropertyFacts(has_tax_or_government_price=True)).method is Method.NEGOTIATED


def test_directed_inquiry_after_failed_negotiation_when_a_tax_base_price_exists():
    choice = rp.next_method(PropertyFacts(has_tax_or_government_price=True), failed=[Method.NEGOTIATED])
    assert choice.method is Method.DIRECTED_INQUIRY
    assert "第五条" in choice.article


def test_refusing_party_skips_negotiation():
    choice = rp.next_method(PropertyFacts(party_refuses_or_missing=True, has_tax_or_government_price=True))
    assert choice.method is Method.DIRECTED_INQUIRY


def test_without_tax_price_network_inquiry_follows():
    choice = rp.next_method(PropertyFacts(), failed=[Method.NEGOTIATED])
    assert choice.method is Method.NETWORK_INQUIRY


def test_site_inspection_needs_appraisal():
    choice = rp.next_method(PropertyFacts(needs_site_inspection=True), failed=[Method.NEGOTIATED])
    assert choice.method is Method.APPRAISAL


def test_appraisal_required_by_law_or_asked_by_both_parties_comes_first():
    assert rp.next_method(PropertyFacts(appraisal_required_by_law=True)).method is Method.APPRAISAL
    assert rp.next_method(PropertyFacts(parties_request=Method.APPRAISAL)).method is Method.APPRAISAL


def test_both_parties_may_ask_for_directed_inquiry_directly_only_when_possible():
    asked = PropertyFacts(has_tax_or_government_price=True, parties_request=Method.DIRECTED_INQUIRY)
    assert rp.next_method(asked).method is Method.DIRECTED_INQUIRY
    impossible = PropertyFacts(parties_request=Method.DIRECTED_INQUIRY)
    assert rp.next_method(impossible).method is Method.NEGOTIATED


def test_legal_order_is_the_order_of_article_2():
    assert rp.LEGAL_ORDER == (Method.NEGOTIATED, Method.DIRECTED_INQUIRY, Method.NETWORK_INQUIRY, Method.APPRAISAL)


# --- network inquiry ------------------------------------------------------------------------------------------

COMMISSIONED = date(2025, 3, 3)  # Monday: reports due Thursday 6 March, extension to Sunday 9 → Monday 10


def _due():
    return rp.network_deadlines(COMMISSIONED, CAL)


def test_network_deadlines_roll_over_rest_days():
    due, extended = _due()
    assert due.due == date(2025, 3, 6)
    assert extended.due == date(2025, 3, 10)  # 9 March is a Sunday


def test_mean_of_on_time_reports_is_exact_and_rounded_half_up():
    values = [123_456_701, 123_456_702, 123_456_704]
    reports = [NetworkReport(f"平台{i}", v, date(2025, 3, 6)) for i, v in enumerate(values)]
    outcome = rp.network_reference_price(reports, COMMISSIONED, CAL, today=date(2025, 3, 7))
    assert outcome.status == "fixed"
    assert outcome.mean_exact_fen == Fraction(sum(values), 3)
    assert outcome.reference_price_fen == 123_456_702  # 123456702.33… rounds down
    half = rp.network_reference_price([NetworkReport("甲", 1, date(2025, 3, 4)), NetworkReport("乙", 2, date(2025, 3, 4))],
                                      COMMISSIONED, CAL, today=date(2025, 3, 7))
    assert half.mean_exact_fen == Fraction(3, 2) and half.reference_price_fen == 2


def test_report_on_the_due_day_counts_and_the_day_after_is_late():
    reports = [NetworkReport("甲", 100_00, date(2025, 3, 6)), NetworkReport("乙", 300_00, date(2025, 3, 7),
                                                                          extension_requested=True)]
    outcome = rp.network_reference_price(reports, COMMISSIONED, CAL, today=date(2025, 3, 8))
    assert outcome.included == ("甲",)
    assert outcome.reference_price_fen == 100_00
    assert "乙" in outcome.excluded and not outcome.extension_granted


def test_holiday_extends_the_on_time_window():
    # commissioned 28 Sep 2025: day 3 is 1 Oct, a rest day → due 9 Oct; a report of 8 Oct is on time.
    reports = [NetworkReport("甲", 100_00, date(2025, 10, 8)), NetworkReport("乙", 200_00, date(2025, 9, 30))]
    outcome = rp.network_reference_price(reports, date(2025, 9, 28), CAL, today=date(2025, 10, 10))
    assert set(outcome.included) == {"甲", "乙"}
    assert outcome.mean_exact_fen == Fraction(300_00, 2)


def test_extension_only_when_all_are_late_and_only_for_those_who_asked():
    reports = [NetworkReport("甲", 100_00, date(2025, 3, 10), extension_requested=True),
               NetworkReport("乙", 200_00, date(2025, 3, 10), extension_requested=False),
               NetworkReport("丙", 400_00, date(2025, 3, 11), extension_requested=True)]
    outcome = rp.network_reference_price(reports, COMMISSIONED, CAL, today=date(2025, 3, 12))
    assert outcome.extension_granted
    assert outcome.included == ("甲",)
    assert set(outcome.excluded) == {"乙", "丙"}


def test_waiting_while_in_time_and_appraisal_when_all_fail():
    none_yet = [NetworkReport("甲", None, None, extension_requested=True)]
    assert rp.network_reference_price(none_yet, COMMISSIONED, CAL, today=date(2025, 3, 6)).status == "waiting"
    assert rp.network_reference_price(none_yet, COMMISSIONED, CAL, today=date(2025, 3, 10)).status == "waiting"
    failed = rp.network_reference_price(none_yet, COMMISSIONED, CAL, today=date(2025, 3, 11))
    assert failed.status == "appraisal" and "第十一条第三款" in failed.article


def test_objected_report_is_left_out_of_the_mean():
    reports = [NetworkReport("甲", 100_00, date(2025, 3, 5)), NetworkReport("乙", 200_00, date(2025, 3, 5)),
               NetworkReport("丙", 900_00, date(2025, 3, 5), objected=True)]
    outcome = rp.network_reference_price(reports, COMMISSIONED, CAL, today=date(2025, 3, 7))
    assert outcome.included == ("甲", "乙")
    assert outcome.mean_exact_fen == Fraction(300_00, 2)


def test_all_objected_waits_then_uses_corrected_and_rejected_reports():
    pending = [NetworkReport("甲", 100_00, date(2025, 3, 5), objected=True, objection_outcome="rejected"),
               NetworkReport("乙", 200_00, date(2025, 3, 5), objected=True)]
    assert rp.network_reference_price(pending, COMMISSIONED, CAL, today=date(2025, 3, 7)).status == "pending"
    resolved = [pending[0], NetworkReport("乙", 200_00, date(2025, 3, 5), objected=True,
                                          objection_outcome="corrected", corrected_value_fen=250_00)]
    outcome = rp.network_reference_price(resolved, COMMISSIONED, CAL, today=date(2025, 3, 7))
    assert outcome.status == "fixed"
    assert outcome.mean_exact_fen == Fraction(100_00 + 250_00, 2)


def test_late_report_is_not_counted_even_if_it_is_the_only_unobjected_one():
    reports = [NetworkReport("甲", 100_00, date(2025, 3, 5), objected=True),
               NetworkReport("乙", 200_00, date(2025, 3, 8))]
    outcome = rp.network_reference_price(reports, COMMISSIONED, CAL, today=date(2025, 3, 9))
    assert outcome.status == "pending"


# --- fees (art. 31) -------------------------------------------------------------------------------------------

def test_fee_goes_to_the_closest_platform():
    assert rp.inquiry_fee_shares({"甲": 100, "乙": 150, "丙": 190}, 160, 3000) == {"乙": 3000}


def test_fee_split_on_equal_distance_with_remainder_in_name_order():
    shares = rp.inquiry_fee_shares({"乙": 140, "甲": 180, "丙": 100}, 160, 1001)
    assert shares == {"乙": 501, "甲": 500} or shares == {"甲": 501, "乙": 500}
    assert sum(shares.values()) == 1001
    assert shares[min(shares)] == 501


# --- validity and deadlines -----------------------------------------------------------------------------------

def test_validity_is_capped_at_one_year():
    assert rp.validity_end(date(2025, 3, 3), CAL) == date(2026, 3, 3)
    assert rp.validity_end(date(2025, 3, 3), CAL, date(2025, 9, 3)) == date(2025, 9, 3)
    assert rp.validity_end(date(2025, 3, 3), CAL, date(2027, 1, 1)) == date(2026, 3, 3)


def test_sale_within_validity_and_the_six_month_grace():
    valid_until = date(2025, 6, 30)
    assert rp.sale_within_validity(valid_until, None, date(2025, 6, 30), CAL).ok
    assert not rp.sale_within_validity(valid_until, None, date(2025, 7, 1), CAL).ok
    assert not rp.sale_within_validity(valid_until, date(2025, 7, 1), date(2025, 7, 2), CAL).ok
    announced = date(2025, 6, 30)
    assert rp.sale_within_validity(valid_until, announced, date(2025, 12, 30), CAL).ok
    late = rp.sale_within_validity(valid_until, announced, date(2025, 12, 31), CAL)
    assert not late.ok and "六个月" in late.reason


def test_procedure_and_sale_start_deadlines():
    assert rp.procedure_start_deadline(date(2025, 9, 1), CAL).due == date(2025, 10, 9)  # day 30 = 1 Oct
    assert rp.sale_start_deadline(date(2025, 9, 21), CAL).due == date(2025, 10, 9)  # day 10 = 1 Oct
    assert rp.sale_start_deadline(date(2025, 9, 20), CAL).due == date(2025, 9, 30)


def test_forwarding_and_deemed_service():
    assert rp.forwarding_deadline(date(2025, 9, 27), CAL).due == date(2025, 9, 30)
    assert rp.forwarding_deadline(date(2025, 9, 28), CAL).due == date(2025, 10, 9)
    assert rp.deemed_service(date(2025, 9, 16), CAL).due == date(2025, 10, 9)


def test_appraisal_report_deadline_with_at_most_two_15_day_extensions():
    base = rp.appraisal_report_deadline(date(2025, 3, 3), CAL)
    assert base.due == date(2025, 4, 2)
    assert rp.appraisal_report_deadline(date(2025, 3, 3), CAL, [15, 15]).due == date(2025, 5, 6)  # 2 May rest
    with pytest.raises(rp.ReferencePriceError, match="两次|2次"):
        rp.appraisal_report_deadline(date(2025, 3, 3), CAL, [5, 5, 5])
    with pytest.raises(rp.ReferencePriceError, match="15"):
        rp.appraisal_report_deadline(date(2025, 3, 3), CAL, [16])


def test_ranked_firms_and_next_firm():
    firms = rp.ranked_firms(None, ["A评估", "B评估", "C评估"])
    assert rp.next_ranked_firm(firms, "A评估") == "B评估"
    with pytest.raises(rp.ReferencePriceError):
        rp.next_ranked_firm(firms, "C评估")
    with pytest.raises(rp.ReferencePriceError):
        rp.ranked_firms(["A", "A", "B"])


def test_price_waits_for_the_end_of_the_period_while_a_platform_is_outstanding():
    reports = [NetworkReport("甲", 100_00, date(2025, 3, 4)), NetworkReport("乙", None, None)]
    assert rp.network_reference_price(reports, COMMISSIONED, CAL, today=date(2025, 3, 6)).status == "waiting"
    assert rp.network_reference_price(reports, COMMISSIONED, CAL, today=date(2025, 3, 7)).included == ("甲",)


def test_extension_waits_for_every_platform_that_asked():
    reports = [NetworkReport("甲", 100_00, date(2025, 3, 8), extension_requested=True),
               NetworkReport("乙", None, None, extension_requested=True)]
    assert rp.network_reference_price(reports, COMMISSIONED, CAL, today=date(2025, 3, 10)).status == "waiting"
    done = rp.network_reference_price(reports, COMMISSIONED, CAL, today=date(2025, 3, 11))
    assert done.status == "fixed" and done.included == ("甲",)
