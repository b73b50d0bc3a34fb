"""The numbers of the reference-price (参考价) procedure and of objections (异议), each with its article.

Sources (texts in ``shared/law/``):
- 参考价规定 = 最高人民法院关于人民法院确定财产处置参考价若干问题的规定 (法释〔2018〕15号)
- 异议复议规定 = 最高人民法院关于人民法院办理执行异议和复议案件若干问题的规定 (2020)
- 执行程序解释 = 最高人民法院关于适用《民事诉讼法》执行程序若干问题的解释 (2020)
- 民诉法 = 中华人民共和国民事诉讼法 (2023)
- Wenling = 温岭法院的做法 (RULES.md section 4): a written objection to an inquiry result starts an appraisal
  within 3 working days; a per-court policy, not a statute.

Every period here is counted by ``auction.periods`` (民诉法 art. 85): calendar days unless ``unit`` says
working days.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Literal

Unit = Literal["day", "working_day", "month", "year", "hour"]


@dataclass(frozen=True)
class Period:
    """A period set by a rule: ``amount`` units, the article that sets it, and what it is for (Chinese)."""

    amount: int
    unit: Unit
    article: str
    name: str


# --- 参考价规定 -------------------------------------------------------------------------------------------
START_PROCEDURE_AFTER_SEIZURE = Period(30, "day", "参考价规定第一条", "查封后启动确定参考价程序")
NETWORK_REPORT = Period(3, "day", "参考价规定第十一条第一款", "网络询价平台出具报告")
NETWORK_EXTENSION = Period(3, "day", "参考价规定第十一条第二款", "全部平台逾期时的延期")
NETWORK_CORRECTION = Period(3, "day", "参考价规定第十二条", "网络询价报告补正")
NETWORK_REISSUE = Period(3, "day", "参考价规定第十一条第四款", "有效期届满后重新出具网络询价报告")
APPRAISAL_REPORT = Period(30, "day", "参考价规定第十九条第一款", "评估机构出具评估报告")
APPRAISAL_EXTENSION = Period(15, "day", "参考价规定第十九条第二款", "评估期限每次延长")
APPRAISAL_EXTENSION_MAX_COUNT = 2  # 参考价规定第十九条第二款: 延期次数不超过两次
APPRAISAL_EXTENSION_REQUEST_BEFORE = Period(5, "day", "参考价规定第十九条第二款", "届满前申请延期")
APPRAISAL_REISSUE = Period(15, "day", "参考价规定第十九条第四款", "有效期届满后重新出具评估报告")
APPRAISAL_EXPLANATION_OR_CORRECTION = Period(3, "day", "参考价规定第二十条", "评估报告书面说明或补正")
RETURN_MATERIALS = Period(3, "day", "参考价规定第十九条第三款、第二十三条第二款", "退回委托材料")
FORWARD_REPORT = Period(3, "day", "参考价规定第二十一条第一款", "向当事人、利害关系人发送报告")
DEEMED_SERVICE_AFTER_PUBLICATION = Period(15, "day", "参考价规定第二十一条第二款", "公示满十五日视为收到")
OBJECTION_WINDOW = Period(5, "day", "参考价规定第二十二条、第二十三条", "收到报告后提出书面异议")
ART23_FORWARD_TO_APPRAISER = Period(3, "day", "参考价规定第二十三条第一款", "异议交评估机构书面说明")
ART23_APPRAISER_EXPLANATION = Period(5, "day", "参考价规定第二十三条第一款", "评估机构作出书面说明")
RESULT_VALIDITY_MAX = Period(1, "year", "参考价规定第二十七条第一款", "询价、评估结果有效期上限")
SALE_GRACE_AFTER_EXPIRY = Period(6, "month", "参考价规定第二十七条第三款", "有效期内发布一拍公告后的宽限")
START_SALE_AFTER_REFERENCE = Period(10, "day", "参考价规定第三十条", "参考价确定后启动变价程序")
APPRAISAL_FIRMS_TO_RANK = 3  # 参考价规定第十六条: 协商或摇号确定三家评估机构以及顺序
REISSUE_FEE_SHARE = Decimal("0.30")  # 参考价规定第三十二条第二款: 重新出具评估报告按百分之三十计付

# --- 民诉法 / 执行程序解释: objections to an enforcement act (参考价规定第二十二条第二款参照) -----------------
OBJECTION_DECISION = Period(15, "day", "民诉法第二百三十六条、执行程序解释第五条", "异议审查并作出裁定")
REVIEW_APPLICATION = Period(10, "day", "民诉法第二百三十六条", "裁定送达后申请复议")
REVIEW_DECISION = Period(30, "day", "执行程序解释第八条", "上一级法院审查复议")
REVIEW_EXTENSION = Period(30, "day", "执行程序解释第八条", "经院长批准延长复议审查期限（不超过三十日）")
NOT_ACCEPTED_REVIEW_APPLICATION = Period(10, "day", "异议复议规定第二条第三款", "不予受理裁定送达后申请复议")
REVIEW_FILE_TRANSFER = Period(5, "day", "执行程序解释第七条", "报送复议案卷材料")

# --- 异议复议规定: filing formalities ----------------------------------------------------------------------
REGISTRATION = Period(3, "day", "异议复议规定第二条第一款", "异议立案或裁定不予受理")
NOTIFY_AFTER_REGISTRATION = Period(3, "day", "异议复议规定第二条第一款", "立案后通知异议人和相关当事人")
MISSING_MATERIAL = Period(3, "day", "异议复议规定第二条第二款", "一次性告知后补足材料")
MISSING_MATERIAL_REQUESTS_MAX = 1  # 异议复议规定第二条第二款: 一次性告知

# --- Wenling's local policy (RULES.md section 4) ------------------------------------------------------------
WENLING_APPRAISAL_START = Period(3, "working_day", "温岭法院异议处理办法（本院政策）", "书面异议后启动委托评估")

ALL_PERIODS: tuple[Period, ...] = tuple(v for v in list(globals().values()) if isinstance(v, Period))
