"""The web demo data: a registered case with reports and access codes for its parties (and for the debtor
of a vehicle in custody, to book a viewing), on both backends."""

from __future__ import annotations

import re

from xunpai.demo import cases as demo_web
from xunpai.demo import lots as demo_lots
from xunpai.services import accounts as accounts_service


def test_demo_parties_can_sign_in_with_the_printed_codes(uow):
    accounts_service.save_court(uow, code="浙1099", name="示范市人民法院", zones=["Z01"])
    context = {"courts": ["浙1099"], "credentials": {}}
    demo_lots.build(uow, context)
    demo_web.build(uow, context)
    codes = {label: code for label, code in context["credentials"].items() if "查询码" in label}
    assert len(codes) == 3
    for label, code in codes.items():
        case_number = re.search(r"（\d{4}）浙1099执\d+号", label).group(0)
        signed = accounts_service.authenticate_party(uow, case_number, code)
        assert signed.user is not None, label
