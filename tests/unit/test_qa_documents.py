"""Product QA of the lot documents: what a clerk saw rendering the demo lots' PDFs."""

import dataclasses

from auction.documents.context import build_context
from auction.lot import Viewing
from auction.lot_examples import example_court, example_real_estate_lot


def _context(**changes):
    lot = example_real_estate_lot()
    lot = dataclasses.replace(lot, **changes)
    return build_context(lot, lot.plan, example_court())


def test_viewing_arrangement_and_contact_are_separate_clauses():
    # before: “周三下午统一看样联系人： 0576-86000003。” (no separator, an empty contact name and a stray space)
    text = _context(viewing=Viewing("周三下午统一看样", "", "0576-86000003"))["viewing_text"]
    # the phone is printed as the phone, never as the contact's name
    assert text == "周三下午统一看样；联系电话：0576-86000003。"
    full = _context(viewing=Viewing("每周二上午看样。", "李书记员", "0576-86000002", "3 幢楼下"))["viewing_text"]
    assert full == "每周二上午看样；联系人：李书记员，电话：0576-86000002；地点：3 幢楼下。"


def test_tax_summary_ends_as_a_sentence():
    lot = example_real_estate_lot()
    taxes = dataclasses.replace(lot.taxes, summary="过户所涉税费由买卖双方依法各自承担")
    assert _context(taxes=taxes)["taxes_summary"] == "过户所涉税费由买卖双方依法各自承担。"
    assert _context(taxes=dataclasses.replace(taxes, summary="由买受人承担。"))["taxes_summary"] == "由买受人承担。"


def test_no_sale_ruling_before_the_price_is_paid_in_full():
    # before: “并已于—交付全部价款” and an undated ruling, when the clerk had not recorded the payment yet
    import pytest

    from auction.documents import DocumentError, DocumentKind, applicable_kinds, render_document

    lot = example_real_estate_lot(sold=True)
    assert DocumentKind.SALE_RULING in applicable_kinds(lot)
    lot.sale = dataclasses.replace(lot.sale, paid_in_full_on=None)
    kinds = applicable_kinds(lot)
    assert DocumentKind.SALE_CONFIRMATION in kinds and DocumentKind.SALE_RULING not in kinds
    with pytest.raises(DocumentError, match="付清"):
        render_document("sale_ruling", lot, lot.plan, example_court())
