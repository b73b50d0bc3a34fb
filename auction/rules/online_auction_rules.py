"""The numbers of the online judicial auction (网络司法拍卖) and of the older offline auction rules, each with
its article. Nothing else in ``auction/`` may write these numbers as literals.

Sources (full texts in ``shared/law/``):

- 网拍规定 = 《最高人民法院关于人民法院网络司法拍卖若干问题的规定》（法释〔2016〕18号，2017-01-01 施行）
- 拍卖变卖规定 = 《最高人民法院关于人民法院民事执行中拍卖、变卖财产的规定》（2020 年修正）
- 参考价规定 = 《最高人民法院关于人民法院确定财产处置参考价若干问题的规定》（法释〔2018〕15号）
- 竞买人资格规定 = 《最高人民法院关于人民法院司法拍卖房产竞买人资格若干问题的规定》（2022-01-01 施行）

Where a number is court practice rather than law (the 60-day fixed-price sale period), the entry says so.
Ratios are ``Decimal`` so that comparisons on money stay exact.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal

from tax_baseline.numerals import chinese_number

ONLINE_AUCTION_RULES = "网拍规定"
AUCTION_AND_SALE_RULES = "拍卖变卖规定"
REFERENCE_PRICE_RULES = "参考价规定"
BIDDER_QUALIFICATION_RULES = "竞买人资格规定"

SOURCE_TITLES = {
    ONLINE_AUCTION_RULES: "《最高人民法院关于人民法院网络司法拍卖若干问题的规定》",
    AUCTION_AND_SALE_RULES: "《最高人民法院关于人民法院民事执行中拍卖、变卖财产的规定》",
    REFERENCE_PRICE_RULES: "《最高人民法院关于人民法院确定财产处置参考价若干问题的规定》",
    BIDDER_QUALIFICATION_RULES: "《最高人民法院关于人民法院司法拍卖房产竞买人资格若干问题的规定》",
}

def _article_number(n: int) -> str:
    """1..99 as the article numbers are written (第十条, 第二十六条)."""
    if not 1 <= n <= 99:
        raise ValueError(f"article number out of range: {n}")
    return chinese_number(n)


@dataclass(frozen=True)
class Citation:
    """An article (and paragraph) of one of the source texts."""

    source: str
    article: int
    paragraph: int | None = None
    practice: bool = False  # True: a number from court practice that this article only frames

    def __str__(self) -> str:
        text = f"{self.source}第{_article_number(self.article)}条"
        if self.paragraph:
            text += f"第{_article_number(self.paragraph)}款"
        return text

    def full(self) -> str:
        """The citation with the full title of the source, as a court document writes it."""
        text = SOURCE_TITLES[self.source] + str(self)[len(self.source) :]
        return text + ("（实践做法）" if self.practice else "")


# --- prices -----------------------------------------------------------------------------------------

#: 起拍价不得低于评估价或者市价的百分之七十 — 网拍规定 art. 10 para. 2; 参考价规定 art. 30 makes the
#: reference price (参考价) the base for the starting price.
FIRST_AUCTION_MIN_STARTING_RATIO = Decimal("0.70")
FIRST_AUCTION_MIN_STARTING_RATIO_ART = Citation(ONLINE_AUCTION_RULES, 10, 2)
STARTING_PRICE_FROM_REFERENCE_ART = Citation(REFERENCE_PRICE_RULES, 30)

#: 保留价即为起拍价 — 网拍规定 art. 10 para. 1.
RESERVE_EQUALS_STARTING_PRICE_ART = Citation(ONLINE_AUCTION_RULES, 10, 1)

#: 再次拍卖的起拍价降价幅度不得超过前次起拍价的百分之二十 — 网拍规定 art. 26 para. 1
#: (the same cap for offline re-auctions: 拍卖变卖规定 art. 5 para. 3).
MAX_PRICE_CUT_RATIO = Decimal("0.20")
MAX_PRICE_CUT_ART = Citation(ONLINE_AUCTION_RULES, 26, 1)
OFFLINE_MAX_PRICE_CUT_ART = Citation(AUCTION_AND_SALE_RULES, 5, 3)

#: 最低的变卖价不得低于评估价的二分之一 — 拍卖变卖规定 art. 32 para. 2 (applied to online 变卖 through
#: 网拍规定 art. 37).
FIXED_PRICE_SALE_MIN_RATIO = Decimal("0.50")
FIXED_PRICE_SALE_MIN_RATIO_ART = Citation(AUCTION_AND_SALE_RULES, 32, 2)
#: 再次拍卖流拍的，可以依法在同一网络司法拍卖平台变卖 — 网拍规定 art. 26 para. 2.
FIXED_PRICE_SALE_AFTER_SECOND_FAILURE_ART = Citation(ONLINE_AUCTION_RULES, 26, 2)
#: The 变卖 after a failed second auction sells at the last auction's reserve price, never below it ("没有买受人愿意以
#: 第三次拍卖的保留价买受该财产" — 拍卖变卖规定 art. 25 para. 2; online, the second auction is the last auction, 网拍规定
#: art. 26 para. 2 "依法变卖"). The half-of-appraisal floor of 拍卖变卖规定 art. 32 para. 2 is for a 变卖 that is
#: not preceded by auctions and does not apply here.
FIXED_PRICE_SALE_PRICE_FLOOR_ART = Citation(AUCTION_AND_SALE_RULES, 25, 2)
#: 变卖 articles cited by its announcement and ruling: 网拍规定 art. 26 para. 2; 拍卖变卖规定 arts. 23-25.
FIXED_PRICE_SALE_ARTS = (Citation(ONLINE_AUCTION_RULES, 26, 2), Citation(AUCTION_AND_SALE_RULES, 23),
                         Citation(AUCTION_AND_SALE_RULES, 24), Citation(AUCTION_AND_SALE_RULES, 25))
#: 以物抵债: 流拍后申请执行人申请或同意以该次保留价接受 — 拍卖变卖规定 art. 16; after the second failure arts. 24
#: (movables), 25 (real estate and other rights); 竞买人资格规定 art. 5 (no housing to an unqualified applicant).
TAKE_IN_PAYMENT_ART = Citation(AUCTION_AND_SALE_RULES, 16)
TAKE_IN_PAYMENT_DIFFERENCE_ART = Citation(AUCTION_AND_SALE_RULES, 16, 2)  # 承受人补交差额
TAKE_IN_PAYMENT_MOVABLE_ART = Citation(AUCTION_AND_SALE_RULES, 24)
TAKE_IN_PAYMENT_IMMOVABLE_ART = Citation(AUCTION_AND_SALE_RULES, 25)
#: 变卖的财产无人应买的，交申请执行人抵债，否则解除查封退还被执行人 — 拍卖变卖规定 art. 32 para. 3.
FIXED_PRICE_SALE_FAILED_ART = Citation(AUCTION_AND_SALE_RULES, 32, 3)
#: 逾期未付价款，裁定重新拍卖，原买受人不得参加，差价由原买受人承担 — 拍卖变卖规定 art. 22.
REAUCTION_AFTER_RENEGING_ART = Citation(AUCTION_AND_SALE_RULES, 22)
SHORTFALL_BORNE_BY_RENEGER_ART = Citation(AUCTION_AND_SALE_RULES, 22, 2)
#: 买受人应当在拍卖公告确定的期限内将剩余价款交付人民法院指定账户 — 网拍规定 art. 25.
BALANCE_DUE_ART = Citation(ONLINE_AUCTION_RULES, 25)
#: 起拍价、降价幅度、增价幅度、保证金、优先购买权人资格及顺序由合议庭评议确定 — 网拍规定 art. 27.
COLLEGIAL_PANEL_ART = Citation(ONLINE_AUCTION_RULES, 27)
#: 暂缓或中止拍卖 — 网拍规定 art. 28 para. 1; 公告原因 para. 3.
SUSPENSION_ART = Citation(ONLINE_AUCTION_RULES, 28, 1)
SUSPENSION_NOTICE_ART = Citation(ONLINE_AUCTION_RULES, 28, 3)
#: 撤回拍卖 (拍卖开始前的撤回情形) — 拍卖变卖规定 art. 17, applied to online auctions by 网拍规定 art. 37.
WITHDRAWAL_ART = Citation(AUCTION_AND_SALE_RULES, 17)
#: 无剩余可能时通知申请执行人 — 拍卖变卖规定 art. 6.
NO_SURPLUS_NOTICE_ART = Citation(AUCTION_AND_SALE_RULES, 6)
#: 竞价期间无人出价的，本次拍卖流拍 — 网拍规定 art. 26 para. 1.
UNSOLD_ART = Citation(ONLINE_AUCTION_RULES, 26, 1)
#: 拍卖公告应当载明拍卖平台 — 网拍规定 art. 12 para. 2.
PLATFORM_ART = Citation(ONLINE_AUCTION_RULES, 12, 2)
#: 人民法院对拍卖财产的质量不作担保 (特别提示) — 网拍规定 art. 14 item 4 / art. 15.
QUALITY_DISCLAIMER_ART = Citation(ONLINE_AUCTION_RULES, 15)

# --- deposit -----------------------------------------------------------------------------------------

#: 保证金数额由人民法院在起拍价的百分之五至百分之二十范围内确定 — 网拍规定 art. 17 para. 1.
DEPOSIT_MIN_RATIO = Decimal("0.05")
DEPOSIT_MAX_RATIO = Decimal("0.20")
DEPOSIT_RANGE_ART = Citation(ONLINE_AUCTION_RULES, 17, 1)
#: 申请执行人参加竞买的，可以不交保证金；债权数额小于保证金数额的按差额部分交纳 — art. 17 para. 2.
APPLICANT_DEPOSIT_EXEMPTION_ART = Citation(ONLINE_AUCTION_RULES, 17, 2)

#: 其他竞买人的保证金在竞价程序结束后二十四小时内退还或者解冻 — 网拍规定 art. 23.
DEPOSIT_REFUND_HOURS = 24
DEPOSIT_REFUND_ART = Citation(ONLINE_AUCTION_RULES, 23)
#: 成交后二十四小时内将买受人保证金划入法院账户 — 网拍规定 art. 25.
WINNER_DEPOSIT_TRANSFER_HOURS = 24
WINNER_DEPOSIT_TRANSFER_ART = Citation(ONLINE_AUCTION_RULES, 25)
#: 悔拍的保证金不予退还；原买受人不得参加重新拍卖 — 网拍规定 art. 24.
RENEGED_DEPOSIT_FORFEITED_ART = Citation(ONLINE_AUCTION_RULES, 24)

# --- periods -------------------------------------------------------------------------------------------

#: 拍卖动产的，应当在拍卖十五日前公告；拍卖不动产或者其他财产权的，应当在拍卖三十日前公告 — 网拍规定 art. 12.
FIRST_AUCTION_ANNOUNCEMENT_DAYS_MOVABLE = 15
FIRST_AUCTION_ANNOUNCEMENT_DAYS_IMMOVABLE = 30
FIRST_AUCTION_ANNOUNCEMENT_ART = Citation(ONLINE_AUCTION_RULES, 12, 1)
#: 拍卖公告的内容 — 网拍规定 art. 12 para. 2; 公示的信息 art. 13; 特别提示 art. 14.
ANNOUNCEMENT_CONTENT_ART = Citation(ONLINE_AUCTION_RULES, 12, 2)
PUBLISHED_INFORMATION_ART = Citation(ONLINE_AUCTION_RULES, 13)
MANDATORY_WARNINGS_ART = Citation(ONLINE_AUCTION_RULES, 14)

#: 流拍后再次拍卖：动产拍卖七日前公告，不动产或者其他财产权拍卖十五日前公告 — 网拍规定 art. 26 para. 1.
REAUCTION_ANNOUNCEMENT_DAYS_MOVABLE = 7
REAUCTION_ANNOUNCEMENT_DAYS_IMMOVABLE = 15
REAUCTION_ANNOUNCEMENT_ART = Citation(ONLINE_AUCTION_RULES, 26, 1)

#: 流拍后应当在三十日内在同一网络司法拍卖平台再次拍卖 — 网拍规定 art. 26 para. 1.
REAUCTION_WITHIN_DAYS = 30
REAUCTION_WITHIN_ART = Citation(ONLINE_AUCTION_RULES, 26, 1)

#: 应当在拍卖公告发布三日前通知当事人、已知优先购买权人；无法通知的在平台公示，公示满五日视为已经通知
#: — 网拍规定 art. 16 para. 1.
NOTIFICATION_DAYS_BEFORE_ANNOUNCEMENT = 3
POSTED_NOTICE_DEEMED_SERVED_DAYS = 5
NOTIFICATION_ART = Citation(ONLINE_AUCTION_RULES, 16, 1)
#: 优先购买权人经通知未参与竞买的，视为放弃优先购买权 — art. 16 para. 2.
PRIORITY_PURCHASER_WAIVER_ART = Citation(ONLINE_AUCTION_RULES, 16, 2)

#: 竞价时间应当不少于二十四小时 — 网拍规定 art. 20 para. 2.
MIN_BIDDING_HOURS = 24
MIN_BIDDING_ART = Citation(ONLINE_AUCTION_RULES, 20, 2)
#: 竞价程序结束前五分钟内有出价的，竞价时间自该出价时点顺延五分钟 — 网拍规定 art. 20 para. 2.
EXTENSION_MINUTES = 5
EXTENSION_ART = Citation(ONLINE_AUCTION_RULES, 20, 2)
#: 从起拍价开始以递增出价方式竞价，增价幅度由人民法院确定 — 网拍规定 art. 20 para. 1.
BID_INCREMENT_ART = Citation(ONLINE_AUCTION_RULES, 20, 1)
#: 一人参与竞拍，出价不低于起拍价的，拍卖成交 — 网拍规定 art. 11.
ONE_BIDDER_SUFFICES_ART = Citation(ONLINE_AUCTION_RULES, 11)
#: 优先购买权人同价优先，顺序在先者优先，同顺序出价在先者优先 — 网拍规定 art. 21.
PRIORITY_PURCHASE_ART = Citation(ONLINE_AUCTION_RULES, 21)

#: 变卖周期 60 日: court practice on the platforms (RULES.md section 6). The law's nearest number is the
#: offline 变卖公告 of 拍卖变卖规定 art. 25 para. 2 (sixty days from the announcement); 网拍规定 art. 26
#: para. 2 allows the online 变卖 without a period of its own.
FIXED_PRICE_SALE_DAYS = 60
FIXED_PRICE_SALE_DAYS_ART = Citation(AUCTION_AND_SALE_RULES, 25, 2, practice=True)

#: 暂缓期限届满或中止事由消失后，应当在五日内恢复拍卖 — 网拍规定 art. 28 para. 4.
RESUME_WITHIN_DAYS = 5
RESUME_ART = Citation(ONLINE_AUCTION_RULES, 28, 4)

#: 拍卖形成的电子数据完整保存不少于十年 — 网拍规定 art. 29.
RECORD_RETENTION_YEARS = 10
RECORD_RETENTION_ART = Citation(ONLINE_AUCTION_RULES, 29)

#: 参考价确定后十日内启动财产变价程序 — 参考价规定 art. 30.
START_DISPOSAL_WITHIN_DAYS = 10
START_DISPOSAL_ART = Citation(REFERENCE_PRICE_RULES, 30)

#: 拍卖成交裁定送达买受人时所有权转移 — 网拍规定 art. 22 para. 2; 成交确认书自动生成并公示 — para. 1.
OWNERSHIP_TRANSFER_ART = Citation(ONLINE_AUCTION_RULES, 22, 2)
SALE_CONFIRMATION_ART = Citation(ONLINE_AUCTION_RULES, 22, 1)
#: 不得竞买的机构和人员 — 网拍规定 art. 34.
BARRED_BIDDERS_ART = Citation(ONLINE_AUCTION_RULES, 34)
#: 辅助工作的必要费用由被执行人承担 — 网拍规定 art. 7 para. 2.
SERVICE_COSTS_BORNE_BY_DEBTOR_ART = Citation(ONLINE_AUCTION_RULES, 7, 2)
#: 因网络司法拍卖本身形成的税费依法由相应主体承担 — 网拍规定 art. 30.
TAXES_ART = Citation(ONLINE_AUCTION_RULES, 30)

#: 竞买人必须具备购房资格，公告载明 — 竞买人资格规定 arts. 1, 2; 成交裁定前审核 art. 3.
HOUSING_PURCHASE_QUALIFICATION_ART = Citation(BIDDER_QUALIFICATION_RULES, 2)
HOUSING_QUALIFICATION_REVIEW_ART = Citation(BIDDER_QUALIFICATION_RULES, 3)

#: 人民法院以拍卖方式处置财产的，应当采取网络司法拍卖方式 — 网拍规定 art. 2.
ONLINE_AUCTION_REQUIRED_ART = Citation(ONLINE_AUCTION_RULES, 2)
#: 查封后及时拍卖、变卖；变价首先采取拍卖 — 拍卖变卖规定 arts. 1, 2.
SEIZED_PROPERTY_SOLD_ART = Citation(AUCTION_AND_SALE_RULES, 1)
AUCTION_FIRST_ART = Citation(AUCTION_AND_SALE_RULES, 2)
#: 成交裁定送达买受人时起所有权转移 — 拍卖变卖规定 art. 26.
OFFLINE_OWNERSHIP_TRANSFER_ART = Citation(AUCTION_AND_SALE_RULES, 26)
#: 原有的担保物权及其他优先受偿权因拍卖而消灭；租赁权不因拍卖而消灭 — 拍卖变卖规定 art. 28.
ENCUMBRANCES_EXTINGUISHED_ART = Citation(AUCTION_AND_SALE_RULES, 28, 1)

# --- offline auctions (拍卖变卖规定), kept for comparison and statistics ------------------------------

#: 拍卖动产七日前公告，不动产或其他财产权十五日前公告 — 拍卖变卖规定 art. 8.
OFFLINE_ANNOUNCEMENT_DAYS_MOVABLE = 7
OFFLINE_ANNOUNCEMENT_DAYS_IMMOVABLE = 15
OFFLINE_ANNOUNCEMENT_ART = Citation(AUCTION_AND_SALE_RULES, 8, 2)
#: 保证金不得低于评估价或者市价的百分之五 — 拍卖变卖规定 art. 10 para. 1; 退还三日内 — para. 2.
OFFLINE_DEPOSIT_MIN_RATIO = Decimal("0.05")
OFFLINE_DEPOSIT_ART = Citation(AUCTION_AND_SALE_RULES, 10, 1)
OFFLINE_DEPOSIT_REFUND_DAYS = 3
#: 拍卖五日前通知当事人 — 拍卖变卖规定 art. 11.
OFFLINE_NOTIFICATION_DAYS = 5
OFFLINE_NOTIFICATION_ART = Citation(AUCTION_AND_SALE_RULES, 11, 1)
#: 成交裁定于价款全额交付后十日内送达 — 拍卖变卖规定 art. 20.
SALE_RULING_SERVICE_DAYS = 10
SALE_RULING_SERVICE_ART = Citation(AUCTION_AND_SALE_RULES, 20)
#: 裁定送达后十五日内移交拍卖财产 — 拍卖变卖规定 art. 27.
HANDOVER_DAYS = 15
HANDOVER_ART = Citation(AUCTION_AND_SALE_RULES, 27)
#: 无人竞买的，六十日内再行拍卖 — 拍卖变卖规定 art. 23.
OFFLINE_REAUCTION_WITHIN_DAYS = 60
OFFLINE_REAUCTION_ART = Citation(AUCTION_AND_SALE_RULES, 23)

#: 拍卖机构佣金上限（按成交价分段累进）— 拍卖变卖规定 art. 29 (paras. 1-2): 200万元以下 5%；超过200万元至1000万元
#: 的部分 3%；超过1000万元至5000万元的部分 2%；超过5000万元至1亿元的部分 1%；超过1亿元的部分 0.5%.
#: Each entry: (upper bound of the band in yuan, or None for the open band; the highest rate in the band).
OFFLINE_COMMISSION_SCHEDULE: tuple[tuple[Decimal | None, Decimal], ...] = (
    (Decimal("2000000"), Decimal("0.05")),
    (Decimal("10000000"), Decimal("0.03")),
    (Decimal("50000000"), Decimal("0.02")),
    (Decimal("100000000"), Decimal("0.01")),
    (None, Decimal("0.005")),
)
OFFLINE_COMMISSION_ART = Citation(AUCTION_AND_SALE_RULES, 29)


def max_offline_commission(sale_price: Decimal | int) -> Decimal:
    """The most an offline auction house could charge the buyer for a sale at ``sale_price`` yuan
    (拍卖变卖规定 art. 29: marginal bands, each rate applies to the part of the price inside its band).

    Online judicial auctions charge no commission, so this is the commission saved per sold lot.
    Rounded down to the fen (the article sets a ceiling: "不得超过").
    """
    price = Decimal(sale_price)
    if price < 0:
        raise ValueError(f"sale price must not be negative: {price}")
    total = Decimal(0)
    lower = Decimal(0)
    for upper, rate in OFFLINE_COMMISSION_SCHEDULE:
        top = price if upper is None else min(price, upper)
        if top > lower:
            total += (top - lower) * rate
        if upper is None or price <= upper:
            break
        lower = upper
    return total.quantize(Decimal("0.01"), rounding=ROUND_DOWN)
