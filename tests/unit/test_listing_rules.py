"""Every article cited in ``auction.rules.online_auction_rules`` says what the code says it says:
each citation is checked against the law text in ``shared/law/`` (article and paragraph)."""

import re
from decimal import Decimal

import pytest

from auction.rules import online_auction_rules as R

LAW_FILES = {
    R.ONLINE_AUCTION_RULES: "网络司法拍卖规定_2016.md",
    R.AUCTION_AND_SALE_RULES: "拍卖变卖财产规定_2020.md",
    R.REFERENCE_PRICE_RULES: "确定财产处置参考价规定_2018.md",
    R.BIDDER_QUALIFICATION_RULES: "司法拍卖房产竞买人资格规定_2021.md",
}

# citation constant → phrases its article (and paragraph, when cited) must contain
EXPECTED = {
    "FIRST_AUCTION_MIN_STARTING_RATIO_ART": ["不得低于评估价或者市价的百分之七十"],
    "RESERVE_EQUALS_STARTING_PRICE_ART": ["拍卖保留价即为起拍价"],
    "STARTING_PRICE_FROM_REFERENCE_ART": ["参照参考价确定起拍价"],
    "MAX_PRICE_CUT_ART": ["不得超过前次起拍价的百分之二十"],
    "OFFLINE_MAX_PRICE_CUT_ART": ["不得超过前次保留价的百分之二十"],
    "FIXED_PRICE_SALE_MIN_RATIO_ART": ["不得低于评估价的二分之一"],
    "FIXED_PRICE_SALE_AFTER_SECOND_FAILURE_ART": ["再次拍卖流拍的", "变卖"],
    "FIXED_PRICE_SALE_PRICE_FLOOR_ART": ["第三次拍卖的保留价买受该财产"],
    "FIXED_PRICE_SALE_FAILED_ART": ["变卖的财产无人应买的"],
    "TAKE_IN_PAYMENT_ART": ["以该次拍卖所定的保留价接受拍卖财产"],
    "TAKE_IN_PAYMENT_DIFFERENCE_ART": ["责令其在指定的期间内补交差额"],
    "TAKE_IN_PAYMENT_MOVABLE_ART": ["第二次拍卖仍流拍的动产"],
    "TAKE_IN_PAYMENT_IMMOVABLE_ART": ["第二次拍卖仍流拍的不动产"],
    "REAUCTION_AFTER_RENEGING_ART": ["原买受人不得参加竞买"],
    "SHORTFALL_BORNE_BY_RENEGER_ART": ["由原买受人承担"],
    "BALANCE_DUE_ART": ["剩余价款交付人民法院指定账户"],
    "COLLEGIAL_PANEL_ART": ["合议庭评议确定"],
    "SUSPENSION_ART": ["暂缓或者裁定中止拍卖"],
    "SUSPENSION_NOTICE_ART": ["公告原因或者理由"],
    "WITHDRAWAL_ART": ["撤回拍卖委托"],
    "NO_SURPLUS_NOTICE_ART": ["无剩余可能"],
    "UNSOLD_ART": ["本次拍卖流拍"],
    "PLATFORM_ART": ["网络平台和拍卖法院"],
    "QUALITY_DISCLAIMER_ART": ["不能保证拍卖财产真伪或者品质"],
    "DEPOSIT_RANGE_ART": ["起拍价的百分之五至百分之二十"],
    "APPLICANT_DEPOSIT_EXEMPTION_ART": ["申请执行人参加竞买的，可以不交保证金"],
    "DEPOSIT_REFUND_ART": ["二十四小时内退还或者解冻"],
    "WINNER_DEPOSIT_TRANSFER_ART": ["二十四小时内"],
    "RENEGED_DEPOSIT_FORFEITED_ART": ["悔拍", "不予退还"],
    "FIRST_AUCTION_ANNOUNCEMENT_ART": ["拍卖动产的，应当在拍卖十五日前公告", "三十日前公告"],
    "ANNOUNCEMENT_CONTENT_ART": ["拍卖公告应当包括"],
    "PUBLISHED_INFORMATION_ART": ["公示下列信息"],
    "MANDATORY_WARNINGS_ART": ["特别提示", "买受人悔拍后保证金不予退还"],
    "REAUCTION_ANNOUNCEMENT_ART": ["拍卖七日前公告", "拍卖十五日前公告"],
    "REAUCTION_WITHIN_ART": ["流拍后应当在三十日内"],
    "NOTIFICATION_ART": ["拍卖公告发布三日前", "公示满五日视为已经通知"],
    "PRIORITY_PURCHASER_WAIVER_ART": ["视为放弃优先购买权"],
    "MIN_BIDDING_ART": ["竞价时间应当不少于二十四小时"],
    "EXTENSION_ART": ["顺延五分钟"],
    "BID_INCREMENT_ART": ["增价幅度由人民法院确定"],
    "ONE_BIDDER_SUFFICES_ART": ["一人参与竞拍"],
    "PRIORITY_PURCHASE_ART": ["相同的价格出价"],
    "FIXED_PRICE_SALE_DAYS_ART": ["六十日内"],
    "RESUME_ART": ["五日内恢复拍卖"],
    "RECORD_RETENTION_ART": ["不少于十年"],
    "START_DISPOSAL_ART": ["参考价确定后十日内"],
    "OWNERSHIP_TRANSFER_ART": ["拍卖成交裁定送达买受人时转移"],
    "SALE_CONFIRMATION_ART": ["真实身份自动生成确认书"],
    "BARRED_BIDDERS_ART": ["不得竞买"],
    "SERVICE_COSTS_BORNE_BY_DEBTOR_ART": ["必要费用由被执行人承担"],
    "TAXES_ART": ["税费"],
    "HOUSING_PURCHASE_QUALIFICATION_ART": ["竞买人必须具备购房资格"],
    "HOUSING_QUALIFICATION_REVIEW_ART": ["具备购房资格的证明材料"],
    "ONLINE_AUCTION_REQUIRED_ART": ["应当采取网络司法拍卖方式"],
    "SEIZED_PROPERTY_SOLD_ART": ["及时进行拍卖、变卖"],
    "AUCTION_FIRST_ART": ["应当首先采取拍卖的方式"],
    "OFFLINE_OWNERSHIP_TRANSFER_ART": ["送达买受人或者承受人时起转移"],
    "ENCUMBRANCES_EXTINGUISHED_ART": ["因拍卖而消灭"],
    "OFFLINE_ANNOUNCEMENT_ART": ["拍卖七日前公告", "十五日前公告"],
    "OFFLINE_DEPOSIT_ART": ["不得低于评估价或者市价的百分之五"],
    "OFFLINE_NOTIFICATION_ART": ["拍卖五日前"],
    "SALE_RULING_SERVICE_ART": ["十日内，送达买受人"],
    "HANDOVER_ART": ["十五日内"],
    "OFFLINE_REAUCTION_ART": ["六十日内再行拍卖"],
    "OFFLINE_COMMISSION_ART": ["200万元以下", "不得超过5％", "超过200万元至1000万元的部分，不得超过3％",
                               "超过1000万元至5000万元的部分，不得超过2％", "超过5000万元至1亿元的部分，不得超过1％",
                               "超过1亿元的部分，不得超过0.5％"],
}

_NUMERALS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_ITEM = re.compile(r"^（[一二三四五六七八九十]+）")


def _number(text: str) -> int:
    if "十" not in text:
        return _NUMERALS[text]
    tens, _, ones = text.partition("十")
    return (_NUMERALS[tens] if tens else 1) * 10 + (_NUMERALS[ones] if ones else 0)


def _articles(path) -> dict[int, list[str]]:
    """article number → paragraphs (enumerated items stay in the paragraph that introduces them)."""
    body = path.read_text(encoding="utf-8").split("<!-- INFO END -->", 1)[-1]
    articles: dict[int, list[str]] = {}
    current: list[str] | None = None
    for line in (raw.strip() for raw in body.splitlines()):
        if not line:
            continue
        head = re.match(r"^第([一二三四五六七八九十]+)条\s*(.*)$", line)
        if head:
            current = articles.setdefault(_number(head[1]), [])
            current.append(head[2])
        elif current is not None:
            if _ITEM.match(line) and current:
                current[-1] += line
            else:
                current.append(line)
    return articles


_PARSED: dict = {}


@pytest.fixture
def laws(shared_dir):
    if shared_dir not in _PARSED:
        _PARSED[shared_dir] = {source: _articles(shared_dir / "law" / name) for source, name in LAW_FILES.items()}
    return _PARSED[shared_dir]


def test_every_citation_of_the_module_is_checked_here():
    constants = {name for name in dir(R) if isinstance(getattr(R, name), R.Citation)}
    assert constants == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_cited_article_contains_the_rule(laws, name):
    citation: R.Citation = getattr(R, name)
    article = laws[citation.source].get(citation.article)
    assert article, f"{citation} does not exist"
    text = article[citation.paragraph - 1] if citation.paragraph else "".join(article)
    for phrase in EXPECTED[name]:
        assert phrase in text, f"{citation}: “{phrase}” not in “{text}”"


def test_numbers_match_their_articles():
    assert R.FIRST_AUCTION_MIN_STARTING_RATIO == Decimal("0.70")
    assert R.MAX_PRICE_CUT_RATIO == Decimal("0.20")
    assert (R.DEPOSIT_MIN_RATIO, R.DEPOSIT_MAX_RATIO) == (Decimal("0.05"), Decimal("0.20"))
    assert (R.FIRST_AUCTION_ANNOUNCEMENT_DAYS_MOVABLE, R.FIRST_AUCTION_ANNOUNCEMENT_DAYS_IMMOVABLE) == (15, 30)
    assert (R.REAUCTION_ANNOUNCEMENT_DAYS_MOVABLE, R.REAUCTION_ANNOUNCEMENT_DAYS_IMMOVABLE) == (7, 15)
    assert (R.NOTIFICATION_DAYS_BEFORE_ANNOUNCEMENT, R.POSTED_NOTICE_DEEMED_SERVED_DAYS) == (3, 5)
    assert (R.MIN_BIDDING_HOURS, R.EXTENSION_MINUTES, R.REAUCTION_WITHIN_DAYS) == (24, 5, 30)
    assert (R.DEPOSIT_REFUND_HOURS, R.RECORD_RETENTION_YEARS, R.FIXED_PRICE_SALE_DAYS) == (24, 10, 60)


def test_citations_print_as_courts_write_them():
    assert str(R.FIRST_AUCTION_MIN_STARTING_RATIO_ART) == "网拍规定第十条第二款"
    assert str(R.MAX_PRICE_CUT_ART) == "网拍规定第二十六条第一款"
    assert str(R.RECORD_RETENTION_ART) == "网拍规定第二十九条"
    assert R.DEPOSIT_RANGE_ART.full() == "《最高人民法院关于人民法院网络司法拍卖若干问题的规定》第十七条第一款"
    assert R.FIXED_PRICE_SALE_DAYS_ART.full().endswith("（实践做法）")


@pytest.mark.parametrize(
    ("price", "cap"),
    [
        ("0", "0.00"),
        ("1000000", "50000.00"),  # 5%
        ("2000000", "100000.00"),  # top of the first band
        ("2000001", "100000.03"),  # 3% on the part above 2M
        ("10000000", "340000.00"),  # 100,000 + 8M × 3%
        ("50000000", "1140000.00"),  # + 40M × 2%
        ("100000000", "1640000.00"),  # + 50M × 1%
        ("150000000", "1890000.00"),  # + 50M × 0.5%
        ("333.33", "16.66"),  # rounded down to the fen (a ceiling)
    ],
)
def test_offline_commission_cap_is_marginal_by_band(price, cap):
    assert R.max_offline_commission(Decimal(price)) == Decimal(cap)


def test_offline_commission_refuses_negative_prices():
    with pytest.raises(ValueError):
        R.max_offline_commission(Decimal("-1"))
