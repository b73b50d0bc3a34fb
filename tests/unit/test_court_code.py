"""法院代字 (court code) in python-stdnum's shape: the one check used by the court registry and the case number."""

from __future__ import annotations

import pytest

from auction import case_number, court_code


@pytest.mark.parametrize("text, code", [
    ("浙", "浙"),            # high court
    ("浙10", "浙10"),        # intermediate court
    ("浙1081", "浙1081"),    # basic court
    (" 浙 １０８１ ", "浙1081"),  # spaces and full-width digits
    ("兵0101", "兵0101"),    # 新疆生产建设兵团
])
def test_valid_codes_are_compacted(text, code):
    assert court_code.validate(text) == code == court_code.format(text)
    assert court_code.is_valid(text)


@pytest.mark.parametrize("text, error, message", [
    ("", court_code.InvalidCourtCode, "未填写法院代字"),
    ("中1081", court_code.InvalidComponent, "首字“中”不是省份简称"),
    ("浙10a1", court_code.InvalidFormat, "应为数字"),
    ("浙1", court_code.InvalidLength, "有 1 位数字"),
    ("浙108", court_code.InvalidLength, "有 3 位数字"),
    ("浙10812", court_code.InvalidLength, "有 5 位数字"),
])
def test_each_wrong_form_has_its_own_error_and_says_what_is_expected(text, error, message):
    with pytest.raises(error, match=message) as caught:
        court_code.validate(text)
    assert "如 浙1081" in str(caught.value) and isinstance(caught.value, ValueError)
    assert not court_code.is_valid(text)


def test_the_case_number_reads_its_court_code_by_the_same_rule():
    for code in ("浙", "浙10", "浙1081"):
        assert case_number.parse(f"（2026）{code}执12号").court_code == code
    for code in ("浙1", "浙108", "中1081"):
        assert not court_code.is_valid(code) and not case_number.is_valid(f"（2026）{code}执12号")
