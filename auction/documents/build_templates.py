"""Writes the DOCX templates of the auction documents (``templates/*.docx``) with python-docx.

Each template is the one source of its document: named fields and loops in docxtpl's Jinja syntax, rendered
by ``auction.documents.render_document`` into DOCX and, from the same rendered content, into PDF.
Paragraph styles carry the layout (``XP Title``, ``XP Body`` ...); the PDF writer reads the same styles.
Run ``python -m auction.documents.build_templates`` after editing and commit the .docx files.
"""

from __future__ import annotations

import io
import zipfile
from datetime import datetime
from pathlib import Path

from docx import Document
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

TEMPLATES = Path(__file__).with_name("templates")

# name: (size pt, bold, alignment, first-line indent in characters, east-Asian font, space after pt)
STYLES = {
    "XP Title": (20, True, WD_ALIGN_PARAGRAPH.CENTER, 0, "宋体", 6),
    "XP Case": (14, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, "仿宋", 6),
    "XP Heading": (14, True, WD_ALIGN_PARAGRAPH.LEFT, 0, "黑体", 3),
    "XP Body": (14, False, WD_ALIGN_PARAGRAPH.JUSTIFY, 2, "仿宋", 3),
    "XP Plain": (14, False, WD_ALIGN_PARAGRAPH.LEFT, 0, "仿宋", 3),
    "XP Sign": (14, False, WD_ALIGN_PARAGRAPH.RIGHT, 0, "仿宋", 0),
    "XP Cell": (11, False, WD_ALIGN_PARAGRAPH.LEFT, 0, "仿宋", 0),
    "XP CellLabel": (11, True, WD_ALIGN_PARAGRAPH.LEFT, 0, "仿宋", 0),
    "XP Tag": (2, False, WD_ALIGN_PARAGRAPH.LEFT, 0, "仿宋", 0),
}


def _new_document() -> Document:
    doc = Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Cm(21), Cm(29.7)
    section.top_margin, section.bottom_margin = Cm(3.0), Cm(2.8)
    section.left_margin, section.right_margin = Cm(2.8), Cm(2.6)
    for name, (size, bold, align, indent, east, after) in STYLES.items():
        style = doc.styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = doc.styles["Normal"]
        style.font.size = Pt(size)
        style.font.bold = bold
        style.font.name = "Times New Roman"
        style.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), east)
        fmt = style.paragraph_format
        fmt.alignment = align
        fmt.first_line_indent = Pt(size * indent) if indent else None
        fmt.space_before = Pt(0)
        fmt.space_after = Pt(after)
        fmt.line_spacing = 1.3
    return doc


def _add(doc, style: str, text: str) -> None:
    doc.add_paragraph(text, style=style)


def _page_break(doc) -> None:
    doc.add_paragraph(style="XP Tag").add_run().add_break(WD_BREAK.PAGE)


def _blocks(doc, blocks: list[tuple[str, str]]) -> None:
    for style, text in blocks:
        if style == "tag":
            _add(doc, "XP Tag", text)
        elif style == "pagebreak":
            _page_break(doc)
        else:
            _add(doc, f"XP {style}", text)


def _table(doc, rows: list[list[tuple[str, int]]], widths_cm: list[float]) -> None:
    """A grid table; each row is a list of (text, columns spanned); odd cells of a row are labels."""
    table = doc.add_table(rows=len(rows), cols=len(widths_cm))
    table.style = doc.styles["Table Grid"]
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for r, row in enumerate(rows):
        col = 0
        for i, (text, span) in enumerate(row):
            cell = table.cell(r, col)
            if span > 1:
                cell = cell.merge(table.cell(r, col + span - 1))
            cell.paragraphs[0].text = text
            cell.paragraphs[0].style = doc.styles["XP CellLabel" if i % 2 == 0 else "XP Cell"]
            col += span
    for r in table.rows:
        for i, cell in enumerate(r.cells):
            cell.width = Cm(widths_cm[i])


def _header(title: str) -> list[tuple[str, str]]:
    return [("Title", "{{ court_name }}"), ("Title", title), ("Case", "{{ case_number }}")]


def _signature(date_field: str = "issued_on") -> list[tuple[str, str]]:
    return [("Sign", "{{ court_name }}"), ("Sign", "{{ %s }}" % date_field)]  # noqa: UP031 - Jinja braces


def announcement(doc) -> None:
    """拍卖公告: the contents of 网拍规定 art. 12 para. 2 and the information of art. 13."""
    _blocks(doc, _header("{{ sale_word }}公告") + [
        ("Body", "本院将于{{ bidding_start }}起至{{ bidding_end }}止（延时的除外）在{{ platform }}上对下列财产进行"
                 "公开{{ sale_word }}（{{ round_label }}），现公告如下："),
        ("Heading", "一、标的物"),
        ("Body", "{{ lot_title }}，位于{{ address }}。{{ description }}"),
        ("Body", "执行依据：{{ enforcement_basis }}。被执行人：{{ debtor_names }}。"),
        ("Heading", "二、价格、保证金与增价幅度"),
        ("Body", "参考价：{{ reference_price }}（{{ reference_price_capitals }}），依据：{{ reference_basis }}。"),
        ("Body", "起拍价：{{ starting_price }}（{{ starting_price_capitals }}）。"),
        ("Body", "保证金：{{ deposit }}（{{ deposit_capitals }}）。"),
        ("Body", "增价幅度：{{ increment }}（{{ increment_capitals }}）。"),
        ("Heading", "三、竞价时间与规则"),
        ("Body", "竞价时间：{{ bidding_start }}起至{{ bidding_end }}止，竞价时间不少于{{ min_bidding_hours }}小时。"
                 "竞价从起拍价开始以递增出价方式进行，出价低于起拍价的无效。{{ extension_rule }}"),
        ("Heading", "四、竞买人条件"),
        ("Body", "竞买人应当具备完全民事行为能力，法律、行政法规和司法解释对买受人资格或者条件有特殊规定的，"
                 "竞买人应当具备规定的资格或者条件。"),
        ("tag", "{%p if is_real_estate %}"),
        ("Body", "依照{{ art_housing }}，竞买人必须具备购房资格；竞买人申请参与竞拍的，应当承诺具备购房资格并自愿"
                 "承担虚构购房资格的法律后果（拍卖无效、赔偿损失、罚款、拘留直至追究刑事责任）。"),
        ("tag", "{%p endif %}"),
        ("tag", "{%p if bidder_conditions %}"),
        ("Body", "{{ bidder_conditions }}"),
        ("tag", "{%p endif %}"),
        ("Heading", "五、标的物现状、已知瑕疵与权利负担"),
        ("Body", "占有使用情况：{{ occupancy_text }}。租赁情况：{{ leases_text }}。"),
        ("tag", "{%p for e in encumbrances %}"),
        ("Body", "权利负担（{{ loop.index }}）：{{ e }}。"),
        ("tag", "{%p endfor %}"),
        ("Body", "已知瑕疵：{{ defects_text }}。"),
        ("Body", "本院不能保证拍卖财产的真伪或者品质，拍卖财产以实物现状为准，竞买人可以申请实地看样"
                 "（{{ art_quality }}）。"),
        ("Heading", "六、优先购买权人"),
        ("tag", "{%p if has_priority %}"),
        ("tag", "{%p for p in priority_purchasers %}"),
        ("Body", "{{ p.name }}，{{ p.right }}，{{ p.rank }}。"),
        ("tag", "{%p endfor %}"),
        ("Body", "优先购买权人经本院确认后以优先竞买代码参与竞买，可以与其他竞买人以相同价格出价，没有更高出价的，"
                 "标的物由优先购买权人竞得（{{ art_priority }}）。"),
        ("tag", "{%p else %}"),
        ("Body", "经查，本标的物无已知优先购买权人。"),
        ("tag", "{%p endif %}"),
        ("Heading", "七、权利义务与法律责任"),
        ("Body", "买受人应于{{ balance_due_on }}前将成交价款扣除保证金后的余款交付至本院指定账户。买受人悔拍的，"
                 "交纳的保证金不予退还，且不得参加重新拍卖的竞买（{{ art_reneged }}）。"),
        ("Body", "税费：{{ taxes_summary }}"),
        ("tag", "{%p for t in tax_items %}"),
        ("Body", "{{ t }}。"),
        ("tag", "{%p endfor %}"),
        ("Body", "标的物所有权自拍卖成交裁定送达买受人时起转移（{{ art_transfer }}）。"),
        ("Heading", "八、通知情况"),
        ("tag", "{%p for n in notice_states %}"),
        ("Body", "{{ n }}。"),
        ("tag", "{%p endfor %}"),
        ("Heading", "九、看样、咨询与监督"),
        ("Body", "看样安排：{{ viewing_text }}"),
        ("Body", "咨询电话：{{ contacts_text }}。监督电话：{{ supervision_phone }}。"),
        ("Body", "本院账户：{{ account_bank }}，户名{{ account_name }}，账号{{ account_number }}。"),
    ] + _signature())


def bidder_notice(doc) -> None:
    """竞买须知 with the special warnings of 网拍规定 art. 14."""
    _blocks(doc, _header("竞买须知") + [
        ("Body", "根据{{ art_rules_title }}，本院对{{ lot_title }}的{{ sale_word }}作如下特别提示，"
                 "竞买人参与竞买前应仔细阅读（{{ art_warnings }}）："),
        ("Heading", "一、竞买人资格"),
        ("Body", "竞买人应当具备完全民事行为能力，法律、行政法规和司法解释对买受人资格或者条件有特殊规定的，"
                 "竞买人应当具备规定的资格或者条件。"),
        ("tag", "{%p if is_real_estate %}"),
        ("Body", "本标的物为房产，竞买人必须具备购房资格，受房产所在地限购政策约束的竞买人不得参与竞拍。竞买人应当"
                 "承诺具备购房资格并自愿承担虚构购房资格的法律后果；成交后、"
                 "出具成交裁定书前，本院将审核买受人自申请竞拍至成交裁定书出具时持续具备购房资格的证明材料，"
                 "不符合条件的不予出具成交裁定书（{{ art_housing }}、{{ art_housing_review }}）。"),
        ("tag", "{%p endif %}"),
        ("Body", "本院、网络服务提供者、承担拍卖辅助工作的机构及其工作人员和近亲属不得竞买（{{ art_barred }}）。"),
        ("Heading", "二、委托竞买"),
        ("Body", "委托他人代为竞买的，应当在竞价程序开始前经本院确认，并通知网络服务提供者。"),
        ("Heading", "三、已知瑕疵和权利负担"),
        ("Body", "已知瑕疵：{{ defects_text }}。"),
        ("tag", "{%p for e in encumbrances %}"),
        ("Body", "权利负担：{{ e }}。"),
        ("tag", "{%p endfor %}"),
        ("Body", "占有使用情况：{{ occupancy_text }}；租赁情况：{{ leases_text }}。"),
        ("Heading", "四、以实物现状为准"),
        ("Body", "拍卖财产以实物现状为准，本院不保证拍卖财产的真伪或者品质，竞买人可以申请实地看样。"
                 "看样安排：{{ viewing_text }}"),
        ("Heading", "五、参与竞买即视为接受"),
        ("Body", "竞买人决定参与竞买的，视为对拍卖财产完全了解，并接受拍卖财产一切已知和未知瑕疵。"),
        ("Heading", "六、成交确认书公示"),
        ("Body", "载明买受人真实身份的拍卖成交确认书在网络司法拍卖平台上公示。"),
        ("Heading", "七、悔拍"),
        ("Body", "买受人悔拍后保证金不予退还，依次用于支付拍卖产生的费用损失、弥补重新拍卖价款低于原拍卖价款的差价、"
                 "冲抵被执行人的债务；悔拍后重新拍卖的，原买受人不得参加竞买。"),
        ("tag", "{%p if is_sale %}"),
        ("Heading", "八、变卖价与价款"),
        ("Body", "变卖价为{{ starting_price }}（{{ starting_price_capitals }}）。变卖期间自{{ bidding_start }}至"
                 "{{ bidding_end }}。{{ extension_rule }}买受人应一次性交付全部变卖价款至本院账户："
                 "{{ account_bank }}，户名{{ account_name }}，账号{{ account_number }}。"),
        ("Heading", "九、税费与交付"),
        ("tag", "{%p else %}"),
        ("Heading", "八、保证金与竞价"),
        ("Body", "保证金为{{ deposit }}（{{ deposit_capitals }}），为起拍价的{{ deposit_percent }}，竞买人应在竞价程序"
                 "结束前以实名交纳，未交纳的不得参加竞买。未成交的竞买人交纳的保证金在竞价程序结束后"
                 "{{ deposit_refund_hours }}小时内退还或者解冻。"),
        ("Body", "起拍价{{ starting_price }}（{{ starting_price_capitals }}），增价幅度{{ increment }}"
                 "（{{ increment_capitals }}）。竞价时间自{{ bidding_start }}至{{ bidding_end }}。{{ extension_rule }}"
                 "一人参与竞拍，出价不低于起拍价的，拍卖成交。"),
        ("Heading", "九、价款、税费与交付"),
        ("Body", "买受人应于{{ balance_due_on }}前将余款交付至本院账户：{{ account_bank }}，户名{{ account_name }}，"
                 "账号{{ account_number }}。"),
        ("tag", "{%p endif %}"),
        ("Body", "税费：{{ taxes_summary }}"),
        ("tag", "{%p if arrears %}"),
        ("Body", "欠费情况：{{ arrears }}。"),
        ("tag", "{%p endif %}"),
        ("Body", "咨询电话：{{ contacts_text }}。监督电话：{{ supervision_phone }}。"),
    ] + _signature())


def lot_description(doc) -> None:
    """标的物介绍 and, for real estate, the survey sheet (调查情况表); for vehicles the 2024 checks."""
    _blocks(doc, _header("标的物介绍") + [
        ("Body", "{{ lot_title }}，位于{{ address }}。{{ description }}"),
        ("tag", "{%p if is_sale %}"),
        ("Body", "参考价：{{ reference_price }}（{{ reference_price_capitals }}）；变卖价：{{ starting_price }}"
                 "（{{ starting_price_capitals }}），一次性全额交付，不竞价。"),
        ("tag", "{%p else %}"),
        ("Body", "参考价：{{ reference_price }}（{{ reference_price_capitals }}）；起拍价：{{ starting_price }}"
                 "（{{ starting_price_capitals }}）；保证金：{{ deposit }}；增价幅度：{{ increment }}。"),
        ("tag", "{%p endif %}"),
        ("tag", "{%p if has_survey %}"),
        ("Heading", "不动产调查情况表"),
    ])
    _table(doc, [
        [("房屋性质", 1), ("{{ survey.nature }}", 1), ("用途", 1), ("{{ survey.use }}", 1)],
        [("权属证号", 1), ("{{ survey.certificate }}", 3)],
        [("建筑面积", 1), ("{{ survey.building_area }}", 1), ("套内面积", 1), ("{{ survey.inner_area }}", 1)],
        [("所在层/总层数", 1), ("{{ survey.floors }}", 1), ("建成年份", 1), ("{{ survey.year_built }}", 1)],
        [("朝向", 1), ("{{ survey.orientation }}", 1), ("户型", 1), ("{{ survey.layout }}", 1)],
        [("梯户", 1), ("{{ survey.lifts }}", 1), ("装修", 1), ("{{ survey.decoration }}", 1)],
        [("土地性质", 1), ("{{ survey.land_use_type }}", 1), ("是否腾空", 1), ("{{ vacated_text }}", 1)],
        [("土地剩余年限", 1), ("{{ survey.land_term }}", 3)],
        [("占有使用", 1), ("{{ occupancy_text }}", 3)],
        [("租赁情况", 1), ("{{ leases_text }}", 3)],
        [("户籍情况", 1), ("{{ survey.household_registration }}", 3)],
        [("现场勘验", 1), ("{{ survey.inspected_on }}，{{ survey.inspectors }}：{{ survey.findings }}", 3)],
        [("特别提示", 1), ("{{ survey.reminders }}", 3)],
    ], [3.4, 4.4, 3.4, 4.4])
    _blocks(doc, [("tag", "{%p endif %}"), ("tag", "{%p if has_vehicle %}"), ("Heading", "车辆核查情况")])
    _table(doc, [
        [("号牌号码", 1), ("{{ vehicle.plate }}", 1), ("车架号", 1), ("{{ vehicle.vin }}", 1)],
        [("品牌型号", 1), ("{{ vehicle.model }}", 1), ("初次登记", 1), ("{{ vehicle.first_registered }}", 1)],
        [("登记信息", 1), ("{{ vehicle.registration }}", 3)],
        [("排放标准", 1), ("{{ vehicle.emission }}", 1), ("行驶里程", 1), ("{{ vehicle.mileage }}", 1)],
        [("交通违法", 1), ("{{ vehicle.violations }}", 3)],
        [("年检有效期", 1), ("{{ vehicle.inspection_valid }}", 1), ("钥匙", 1), ("{{ vehicle.key_count }}", 1)],
        [("随车证件", 1), ("{{ vehicle.documents }}", 3)],
        [("停放地点", 1), ("{{ vehicle.storage }}", 3)],
    ], [3.4, 4.4, 3.4, 4.4])
    _blocks(doc, [
        ("tag", "{%p endif %}"),
        ("Heading", "权利负担与瑕疵"),
        ("tag", "{%p for e in encumbrances %}"),
        ("Body", "{{ e }}。"),
        ("tag", "{%p endfor %}"),
        ("Body", "已知瑕疵：{{ defects_text }}。"),
        ("Body", "税费：{{ taxes_summary }}"),
        ("tag", "{%p for t in tax_items %}"),
        ("Body", "{{ t }}。"),
        ("tag", "{%p endfor %}"),
        ("Body", "看样安排：{{ viewing_text }}"),
        ("Body", "附件：{% for a in attachments %}{{ a }}{% if not loop.last %}、{% endif %}{% endfor %}"
                 "{% if not attachments %}无{% endif %}；照片{{ photos_count }}张。"),
    ] + _signature())


def _notice(doc, title: str, body: list[tuple[str, str]]) -> None:
    _blocks(doc, [("tag", "{%p for r in recipients %}")] + _header(title) + [("Plain", "{{ r.name }}（{{ r.role }}）：")]
            + body + _signature("notice_issued_on") + [("tag", "{%p if not loop.last %}"), ("pagebreak", ""), ("tag", "{%p endif %}"),
                                     ("tag", "{%p endfor %}")])


def notice_to_parties(doc) -> None:
    """通知书 to the parties (网拍规定 art. 16), one page per addressee."""
    _notice(doc, "通知书", [
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中（执行依据："
                 "{{ enforcement_basis }}），将通过{{ platform }}对{{ lot_title }}进行网络司法{{ sale_word }}。"
                 "依照{{ art_notification }}，现将有关事项通知如下："),
        ("Body", "一、{{ sale_word }}公告将于{{ announce_on }}发布；竞价时间为{{ bidding_start }}至{{ bidding_end }}"
                 "（{{ round_label }}）。"),
        ("tag", "{%p if is_sale %}"),
        ("Body", "二、参考价{{ reference_price }}（{{ reference_price_capitals }}），变卖价{{ starting_price }}"
                 "（{{ starting_price_capitals }}），买受人一次性交付全部价款，不竞价。"),
        ("tag", "{%p else %}"),
        ("Body", "二、参考价{{ reference_price }}（{{ reference_price_capitals }}），起拍价{{ starting_price }}"
                 "（{{ starting_price_capitals }}），保证金{{ deposit }}，增价幅度{{ increment }}。"),
        ("tag", "{%p endif %}"),
        ("Body", "三、你可以登录上述平台查看拍卖信息。当事人可以参加竞买；申请执行人参加竞买的，可以不交保证金，"
                 "但债权数额小于保证金数额的按差额部分交纳。"),
        ("Body", "四、如对拍卖行为有异议，可以依法向本院提出书面异议。"),
        ("Body", "联系人：{{ contacts_text }}。"),
    ])


def notice_to_priority_purchasers(doc) -> None:
    """通知书 to the known priority purchasers (网拍规定 arts. 16, 19, 21)."""
    _notice(doc, "优先购买权人通知书", [
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中，将通过{{ platform }}"
                 "对{{ lot_title }}进行网络司法{{ sale_word }}。经查，你对该标的物享有优先购买权。依照{{ art_notification }}，"
                 "现将有关事项通知如下："),
        ("tag", "{%p if is_sale %}"),
        ("Body", "一、变卖期间为{{ bidding_start }}至{{ bidding_end }}；变卖价{{ starting_price }}"
                 "（{{ starting_price_capitals }}），一次性全额交付。"),
        ("tag", "{%p else %}"),
        ("Body", "一、竞价时间为{{ bidding_start }}至{{ bidding_end }}；起拍价{{ starting_price }}"
                 "（{{ starting_price_capitals }}），保证金{{ deposit }}（{{ deposit_capitals }}）。"),
        ("tag", "{%p endif %}"),
        ("Body", "二、你如参与竞买，应在竞价开始前持优先购买权证明材料向本院申请确认，经确认后取得优先竞买资格及"
                 "优先竞买代码，以优先竞买代码参与竞买；未经确认的，不得以优先购买权人身份参与竞买。"),
        ("Body", "三、优先购买权人可以与其他竞买人以相同的价格出价，没有更高出价的，标的物由优先购买权人竞得；"
                 "顺序不同的优先购买权人以相同价格出价的，由顺序在先者竞得（{{ art_priority }}）。"),
        ("Body", "四、优先购买权人经通知未参与竞买的，视为放弃优先购买权（{{ art_waiver }}）。"),
        ("Body", "联系人：{{ contacts_text }}。"),
    ])


def _ruling_tail() -> list[tuple[str, str]]:
    return [
        ("Body", "本裁定送达后即发生法律效力。"),
        ("tag", "{%p for j in judges %}"),
        ("Sign", "{{ j.title }}　{{ j.name }}"),
        ("tag", "{%p endfor %}"),
        ("Sign", "{{ ruling_date }}"),
        ("tag", "{%p if seal_text %}"),
        ("Sign", "（{{ seal_text }}）"),
        ("tag", "{%p endif %}"),
        ("Sign", "书记员　{{ clerk }}"),
    ]


def auction_ruling(doc) -> None:
    """拍卖裁定书: the ruling that orders the online auction (网拍规定 art. 2; 拍卖变卖规定 arts. 1, 2)."""
    _blocks(doc, _header("执行裁定书") + [
        ("Plain", "申请执行人：{{ applicant_names }}。"),
        ("Plain", "被执行人：{{ debtor_names }}。"),
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中，依据已经发生法律效力的"
                 "{{ enforcement_basis }}，被执行人未履行生效法律文书确定的义务。本院依法查封了被执行人名下的"
                 "{{ lot_title }}，参考价为{{ reference_price }}（{{ reference_price_capitals }}）。依照{{ art_rules_title }}"
                 "{{ art_online_required_short }}、{{ art_offline_title }}{{ art_seized_sold }}、{{ art_auction_first }}"
                 "之规定，裁定如下："),
        ("Body", "{{ sale_word }}被执行人{{ debtor_names }}名下的{{ lot_title }}（{{ round_label }}，起拍价"
                 "{{ starting_price }}，即{{ starting_price_capitals }}）。"),
    ] + [(s, t.replace("ruling_date", "issued_on_capitals")) for s, t in _ruling_tail()])


def sale_confirmation(doc) -> None:
    """成交确认书 (网拍规定 art. 22 para. 1: shows the buyer's real identity, published on the platform)."""
    _blocks(doc, [("Title", "网络竞价成交确认书"), ("Case", "{{ case_number }}"),
        ("Body", "买受人{{ buyer_name }}（证件号码{{ buyer_id_masked }}）通过竞买号{{ bidder_code }}于{{ sold_at }}"
                 "在{{ platform }}对{{ court_name }}{{ sale_word }}的{{ lot_title }}公开竞价中，以最高应价胜出。"),
        ("tag", "{%p if by_priority_purchaser %}"),
        ("Body", "买受人以优先购买权人身份竞得。"),
        ("tag", "{%p endif %}"),
        ("Body", "该标的物网络{{ sale_word }}成交价格：{{ sale_price }}（{{ sale_price_capitals }}）。"),
        ("Body", "买受人应依照竞买公告、竞买须知的要求，于{{ balance_due_on }}前交付成交价款余额并办理相关手续。"
                 "标的物最终成交以{{ court_name }}出具的成交裁定为准。"),
        ("Body", "依照{{ art_confirmation }}，本确认书载明买受人真实身份，在网络司法拍卖平台上公示。"),
        ("Sign", "{{ platform }}"),
        ("Sign", "{{ confirmation_issued_on }}"),
    ])


def sale_ruling(doc) -> None:
    """成交裁定书: ownership passes when the ruling reaches the buyer (网拍规定 art. 22 para. 2;
    拍卖变卖规定 arts. 26, 28); for real estate after the purchase-qualification review (竞买人资格规定 art. 3)."""
    _blocks(doc, _header("执行裁定书") + [
        ("Plain", "申请执行人：{{ applicant_names }}。"),
        ("Plain", "被执行人：{{ debtor_names }}。"),
        ("tag", "{%p if buyer_word == '承受人' %}"),
        ("Plain", "承受人：{{ buyer_name }}。"),
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中，于{{ bidding_start }}至"
                 "{{ bidding_end }}在{{ platform }}对被执行人名下的{{ lot_title }}进行{{ round_label }}，因无人出价于"
                 "{{ unsold_on }}流拍。承受人{{ buyer_name }}于{{ offer_answered_on }}同意以该次保留价{{ offer_price }}"
                 "（{{ offer_price_capitals }}）接受上述财产抵债。依照{{ offer_article_full }}、"
                 "{{ art_offline_transfer }}之规定，裁定如下："),
        ("tag", "{%p if has_difference %}"),
        ("Body", "承受人{{ buyer_name }}应受清偿的债权额为{{ claim }}，低于抵债财产的价额，已于{{ difference_paid_on }}"
                 "补交差价{{ difference }}（{{ difference_capitals }}）（{{ art_difference }}）。"),
        ("tag", "{%p endif %}"),
        ("Body", "一、被执行人{{ debtor_names }}名下的{{ lot_title }}作价{{ offer_price }}交承受人{{ buyer_name }}抵偿债务；"),
        ("Body", "二、上述财产的所有权自本裁定送达承受人{{ buyer_name }}时起转移；"),
        ("Body", "三、解除本院对上述财产的查封；"),
        ("Body", "四、承受人{{ buyer_name }}可持本裁定书到财产登记机构办理相关产权过户登记手续。"),
        ("tag", "{%p else %}"),
        ("Plain", "买受人：{{ buyer_name }}，证件号码{{ buyer_id_number }}。"),
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中，于{{ bidding_start }}至"
                 "{{ bidding_end }}在{{ platform }}对被执行人名下的{{ lot_title }}进行公开{{ sale_word }}，买受人"
                 "{{ buyer_name }}以最高价{{ sale_price }}（{{ sale_price_capitals }}）竞得，并已于{{ paid_in_full_on }}"
                 "交付全部价款。"),
        ("tag", "{%p if is_real_estate and has_review %}"),
        ("Body", "{{ review_on }}，{{ review_by }}审核了买受人提交的{{ review_evidence }}，买受人自申请参与竞拍至本裁定作出时"
                 "具备购房资格（{{ art_housing_review }}）。"),
        ("tag", "{%p endif %}"),
        ("Body", "依照{{ art_rules_title }}{{ art_transfer_short }}、{{ art_offline_title }}{{ art_offline_transfer }}、"
                 "{{ art_extinguished }}之规定，裁定如下："),
        ("Body", "一、被执行人{{ debtor_names }}名下的{{ lot_title }}归买受人{{ buyer_name }}所有，成交价"
                 "{{ sale_price }}（{{ sale_price_capitals }}）；"),
        ("Body", "二、上述财产的所有权自本裁定送达买受人{{ buyer_name }}时起转移；"),
        ("Body", "三、解除本院对上述财产的查封，上述财产上原有的担保物权及其他优先受偿权因拍卖而消灭；"),
        ("Body", "四、买受人{{ buyer_name }}可持本裁定书到财产登记机构办理相关产权过户登记手续。"),
        ("tag", "{%p endif %}"),
    ] + [(s, t.replace("ruling_date", "sale_ruling_on_capitals")) for s, t in _ruling_tail()])


def _seal_sign(date_field: str) -> list[tuple[str, str]]:
    return [("Sign", "{{ court_name }}"), ("Sign", "{{ %s }}" % date_field),  # noqa: UP031 - Jinja braces
            ("tag", "{%p if seal_text %}"), ("Sign", "（{{ seal_text }}）"), ("tag", "{%p endif %}")]


def fixed_price_announcement(doc) -> None:
    """变卖公告: a fixed price paid in full up front; no bidding, no increment, no extension (网拍规定 art. 26
    para. 2, art. 37; 拍卖变卖规定 arts. 23-25)."""
    _blocks(doc, _header("变卖公告") + [
        ("Body", "{{ lot_title }}经本院两次网络司法拍卖均流拍。依照{{ art_fixed_sale }}之规定，本院将于{{ bidding_start }}起"
                 "至{{ bidding_end }}止在{{ platform }}上以变卖价公开变卖下列财产，现公告如下："),
        ("Heading", "一、标的物"),
        ("Body", "{{ lot_title }}，位于{{ address }}。{{ description }}"),
        ("Body", "执行依据：{{ enforcement_basis }}。被执行人：{{ debtor_names }}。"),
        ("Heading", "二、变卖价与价款交付"),
        ("Body", "参考价：{{ reference_price }}（{{ reference_price_capitals }}），依据：{{ reference_basis }}。"),
        ("Body", "变卖价：{{ starting_price }}（{{ starting_price_capitals }}），不低于第二次拍卖的保留价。"),
        ("Body", "意向买受人应一次性交付全部变卖价款{{ advance_payment }}（{{ advance_payment_capitals }}）至本院账户："
                 "{{ account_bank }}，户名{{ account_name }}，账号{{ account_number }}。变卖期间内最先交付全部价款者为买受人。"),
        ("Body", "{{ extension_rule }}"),
        ("Heading", "三、买受人条件"),
        ("Body", "买受人应当具备完全民事行为能力，法律、行政法规和司法解释对买受人资格或者条件有特殊规定的，"
                 "买受人应当具备规定的资格或者条件。"),
        ("tag", "{%p if is_real_estate %}"),
        ("Body", "依照{{ art_housing }}，买受人必须具备购房资格。"),
        ("tag", "{%p endif %}"),
        ("Heading", "四、标的物现状、已知瑕疵与权利负担"),
        ("Body", "占有使用情况：{{ occupancy_text }}。租赁情况：{{ leases_text }}。"),
        ("tag", "{%p for e in encumbrances %}"),
        ("Body", "权利负担（{{ loop.index }}）：{{ e }}。"),
        ("tag", "{%p endfor %}"),
        ("Body", "已知瑕疵：{{ defects_text }}。本院不能保证变卖财产的真伪或者品质，以实物现状为准（{{ art_quality }}）。"),
        ("Heading", "五、优先购买权人"),
        ("tag", "{%p if has_priority %}"),
        ("tag", "{%p for p in priority_purchasers %}"),
        ("Body", "{{ p.name }}，{{ p.right }}，{{ p.rank }}，可以在同等条件下优先购买。"),
        ("tag", "{%p endfor %}"),
        ("tag", "{%p else %}"),
        ("Body", "经查，本标的物无已知优先购买权人。"),
        ("tag", "{%p endif %}"),
        ("Heading", "六、税费与所有权转移"),
        ("Body", "税费：{{ taxes_summary }}"),
        ("Body", "标的物所有权自变卖成交裁定送达买受人时起转移（{{ art_transfer }}）。"),
        ("Heading", "七、通知情况"),
        ("tag", "{%p for n in notice_states %}"),
        ("Body", "{{ n }}。"),
        ("tag", "{%p endfor %}"),
        ("Heading", "八、看样、咨询与监督"),
        ("Body", "看样安排：{{ viewing_text }}"),
        ("Body", "咨询电话：{{ contacts_text }}。监督电话：{{ supervision_phone }}。"),
    ] + _seal_sign("issued_on"))


def fixed_price_ruling(doc) -> None:
    """变卖裁定书 (网拍规定 art. 26 para. 2; 拍卖变卖规定 arts. 23-25)."""
    _blocks(doc, _header("执行裁定书") + [
        ("Plain", "申请执行人：{{ applicant_names }}。"),
        ("Plain", "被执行人：{{ debtor_names }}。"),
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中，依据已经发生法律效力的"
                 "{{ enforcement_basis }}，对被执行人名下的{{ lot_title }}两次进行网络司法拍卖，均因无人出价而流拍，"
                 "申请执行人未申请以该保留价抵债。依照{{ art_rules_title }}{{ art_fixed_sale_short }}、"
                 "{{ art_offline_title }}{{ art_fixed_sale_offline }}之规定，裁定如下："),
        ("Body", "在{{ platform }}上以变卖价{{ starting_price }}（{{ starting_price_capitals }}）变卖被执行人{{ debtor_names }}"
                 "名下的{{ lot_title }}，变卖期间自{{ bidding_start }}至{{ bidding_end }}。"),
    ] + [(s, t.replace("ruling_date", "issued_on_capitals")) for s, t in _ruling_tail()])


def panel_record(doc) -> None:
    """合议庭评议笔录: the decisions 网拍规定 art. 27 reserves to the collegial panel."""
    _blocks(doc, [("Title", "{{ court_name }}"), ("Title", "合议庭评议笔录"), ("Case", "{{ case_number }}"),
        ("Plain", "时间：{{ panel_on }}"),
        ("Plain", "地点：{{ court_name }}"),
        ("Plain", "合议庭成员：{{ panel_members_recorded }}"),
        ("Plain", "书记员：{{ clerk }}"),
        ("Plain", "评议事项：{{ lot_title }}的网络司法{{ sale_word }}（{{ round_label }}）"),
        ("Body", "依照{{ art_panel }}，合议庭对下列事项进行了评议："),
        ("tag", "{%p if is_sale %}"),
        ("Body", "一、变卖价{{ starting_price }}（{{ starting_price_capitals }}），不低于第二次拍卖的保留价；"
                 "买受人一次性全额交付价款，不竞价，不设保证金和加价幅度。"),
        ("tag", "{%p else %}"),
        ("Body", "一、起拍价{{ starting_price }}（{{ starting_price_capitals }}），参考价{{ reference_price }}。"),
        ("Body", "二、保证金{{ deposit }}（{{ deposit_capitals }}），为起拍价的{{ deposit_percent }}；"
                 "增价幅度{{ increment }}（{{ increment_capitals }}）。"),
        ("tag", "{%p endif %}"),
        ("tag", "{%p if has_priority %}"),
        ("Body", "三、优先购买权人竞买资格及顺序：{% for p in priority_purchasers %}{{ p.name }}（{{ p.right }}，"
                 "{{ p.rank }}）{% if not loop.last %}；{% endif %}{% endfor %}。"),
        ("tag", "{%p else %}"),
        ("Body", "三、经查无已知优先购买权人。"),
        ("tag", "{%p endif %}"),
        ("Body", "评议结果：合议庭一致同意上述事项。"),
        ("Sign", "合议庭成员（签名）：{{ panel_members_recorded }}"),
        ("Sign", "书记员（签名）：{{ clerk }}"),
    ])


def registry_notice(doc) -> None:
    """协助执行通知书 to the registry that transfers title (拍卖变卖规定 art. 26)."""
    _blocks(doc, _header("协助执行通知书") + [
        ("Plain", "{{ registry }}："),
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中，于{{ ruled_on }}作出"
                 "{{ case_number }}执行裁定，{{ lot_title }}归{{ buyer_word }}{{ buyer_name }}所有。依照{{ art_registry }}之规定，"
                 "请协助执行下列事项："),
        ("Body", "一、解除本院对{{ lot_title }}的查封；"),
        ("Body", "二、将{{ lot_title }}的权属变更登记至{{ buyer_word }}{{ buyer_name }}{% if buyer_id_number %}（证件号码"
                 "{{ buyer_id_number }}）{% endif %}名下。"),
        ("Body", "附：{{ case_number }}执行裁定书一份。"),
        ("Plain", "联系人：{{ contacts_text }}。"),
    ] + _seal_sign("registry_on"))


def handover_record(doc) -> None:
    """交付（移交）笔录: the property handed to the buyer within 15 days of the ruling (拍卖变卖规定 art. 27)."""
    _blocks(doc, [("Title", "{{ court_name }}"), ("Title", "交付（移交）笔录"), ("Case", "{{ case_number }}"),
        ("Plain", "时间：{{ delivered_on }}"),
        ("Plain", "地点：{{ handover_place }}"),
        ("Plain", "执行人员：{{ panel_members }}；记录人：{{ clerk }}"),
        ("Plain", "接收人：{{ receiver }}"),
        ("Body", "本院于{{ ruled_on }}作出{{ '抵债' if buyer_word == '承受人' else '成交' }}裁定，{{ lot_title }}归"
                 "{{ buyer_word }}{{ buyer_name }}所有。依照{{ art_handover }}之规定，本院于{{ delivered_on }}将上述财产移交"
                 "{{ buyer_word }}。"),
        ("tag", "{%p if handover_items %}"),
        ("Body", "移交物品：{{ handover_items }}。"),
        ("tag", "{%p endif %}"),
        ("tag", "{%p if handover_note %}"),
        ("Body", "现场情况：{{ handover_note }}。"),
        ("tag", "{%p endif %}"),
        ("tag", "{%p if eviction_started_on %}"),
        ("Body", "本院已于{{ eviction_started_on }}启动强制腾退。"),
        ("tag", "{%p endif %}"),
        ("Body", "接收人确认已接收上述财产。"),
        ("Sign", "接收人（签名）：{{ receiver }}"),
        ("Sign", "执行人员（签名）：{{ panel_members }}"),
        ("Sign", "记录人（签名）：{{ clerk }}"),
    ])


def reneged_decision(doc) -> None:
    """悔拍通知书及保证金处理决定书 (网拍规定 art. 24; 拍卖变卖规定 art. 22)."""
    _blocks(doc, _header("决定书") + [
        ("Plain", "买受人：{{ buyer_name }}，证件号码{{ buyer_id_number }}。"),
        ("Body", "本院于{{ bidding_start }}至{{ bidding_end }}在{{ platform }}对{{ lot_title }}进行网络司法拍卖，"
                 "你以{{ sale_price }}（{{ sale_price_capitals }}）竞得，应于{{ balance_due_on }}前交付余款"
                 "{{ balance }}。截至{{ reneged_on }}，你未按拍卖公告确定的期限交付余款（{{ art_balance }}），构成悔拍。"),
        ("Body", "依照{{ art_reneged }}、{{ art_reauction_reneged }}之规定，决定如下："),
        ("Body", "一、你交纳的保证金{{ forfeited }}（{{ forfeited_capitals }}）不予退还，依次用于支付拍卖产生的费用损失、"
                 "弥补重新拍卖价款低于原拍卖价款的差价、冲抵本案被执行人的债务以及与拍卖财产相关的被执行人的债务；"),
        ("Body", "二、本院将重新拍卖该财产，你不得参加重新拍卖的竞买；"),
        ("Body", "三、重新拍卖的价款低于原拍卖价款造成的差价、费用损失，由你承担（{{ art_shortfall }}）。"),
        ("Body", "如不服本决定，可以自收到本决定之日起十日内向本院申请复议。"),
    ] + _seal_sign("reneged_on_capitals"))


def offer_in_payment(doc) -> None:
    """以物抵债征询通知书: after a failed round the applicant may take the property at that round's reserve price
    (拍卖变卖规定 arts. 16, 24, 25)."""
    _blocks(doc, _header("通知书") + [
        ("Plain", "{{ offer_to }}："),
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中，于{{ platform }}对被执行人名下的"
                 "{{ lot_title }}进行{{ round_label }}，因无人出价于{{ unsold_on }}流拍。依照{{ offer_article }}之规定，"
                 "你可以申请以本次{{ sale_word }}的保留价{{ offer_price }}（{{ offer_price_capitals }}）接受该财产抵债；"
                 "应受清偿的债权额低于抵债财产价额的，应在本院指定的期间内补交差额。"),
        ("Body", "请于收到本通知之日起七日内书面答复本院；逾期未答复的，视为不同意以物抵债，本院将依法继续处置。"),
        ("Plain", "联系人：{{ contacts_text }}。"),
    ] + _seal_sign("offer_on"))


def difference_notice(doc) -> None:
    """责令补交差价通知书: the 承受人's claim is below the price taken in payment (拍卖变卖规定 art. 16 para. 2;
    art. 22: not paid in time, the property may be auctioned again)."""
    _blocks(doc, _header("通知书") + [
        ("Plain", "{{ offer_to }}："),
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中，{{ lot_title }}于{{ unsold_on }}"
                 "流拍后，你于{{ offer_answered_on }}同意以{{ offer_price }}（{{ offer_price_capitals }}）接受该财产抵债。"
                 "你应受清偿的债权额为{{ claim }}，低于抵债财产的价额。"),
        ("Body", "依照{{ art_difference }}之规定，责令你于{{ difference_due_on }}前将差价{{ difference }}"
                 "（{{ difference_capitals }}）交付至本院账户：{{ account_bank }}，户名{{ account_name }}，账号{{ account_number }}。"),
        ("Body", "差价全额交付后，本院将在十日内作出抵债裁定并送达（{{ art_ruling_service }}）；逾期未补交而使抵债的目的难以实现的，"
                 "本院可以裁定重新拍卖，你不得参加竞买（{{ art_reauction_reneged }}）。"),
        ("Plain", "联系人：{{ contacts_text }}。"),
    ] + _seal_sign("offer_answered_on"))


def suspension_notice(doc) -> None:
    """暂缓（中止）拍卖通知书 (网拍规定 art. 28: the reason published on the platform; resume within 5 days)."""
    _blocks(doc, _header("{{ suspension_mode }}拍卖通知书") + [
        ("Body", "本院在执行申请执行人{{ applicant_names }}与被执行人{{ debtor_names }}一案中，原定于{{ bidding_start }}至"
                 "{{ bidding_end }}在{{ platform }}对{{ lot_title }}进行网络司法{{ sale_word }}。因{{ suspension_reason }}，"
                 "依照{{ art_suspension }}之规定，本院决定{{ suspension_mode }}拍卖{% if suspension_until %}至"
                 "{{ suspension_until }}{% endif %}。"),
        ("Body", "{{ suspension_mode }}的原因依照{{ art_suspension_notice }}在网络司法拍卖平台公告。{{ suspension_mode }}期限"
                 "届满或者{{ suspension_mode }}的事由消失后，需要继续拍卖的，本院将在五日内恢复拍卖（{{ art_resume }}）。"),
    ] + _seal_sign("suspension_on_capitals"))


BUILDERS = {
    "announcement": announcement,
    "bidder_notice": bidder_notice,
    "lot_description": lot_description,
    "notice_to_parties": notice_to_parties,
    "notice_to_priority_purchasers": notice_to_priority_purchasers,
    "auction_ruling": auction_ruling,
    "sale_confirmation": sale_confirmation,
    "sale_ruling": sale_ruling,
    "fixed_price_announcement": fixed_price_announcement,
    "fixed_price_ruling": fixed_price_ruling,
    "panel_record": panel_record,
    "registry_notice": registry_notice,
    "handover_record": handover_record,
    "reneged_decision": reneged_decision,
    "offer_in_payment": offer_in_payment,
    "suspension_notice": suspension_notice,
    "difference_notice": difference_notice,
}


def _reproducible(data: bytes) -> bytes:
    """The same bytes for the same template: fixed timestamps in the zip (a rebuild shows no diff)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=(2026, 1, 1, 0, 0, 0))
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, source.read(info.filename))
    return out.getvalue()


def build_bytes() -> dict[str, bytes]:
    """Every template as reproducible DOCX bytes, by file name."""
    built = {}
    for name, builder in BUILDERS.items():
        doc = _new_document()
        builder(doc)
        doc.core_properties.author = "xunpai"
        doc.core_properties.created = doc.core_properties.modified = datetime(2026, 1, 1)
        buffer = io.BytesIO()
        doc.save(buffer)
        built[f"{name}.docx"] = _reproducible(buffer.getvalue())
    return built


def build(out_dir: Path = TEMPLATES) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, data in build_bytes().items():
        path = out_dir / name
        path.write_bytes(data)
        written.append(path)
    return written


if __name__ == "__main__":
    for p in build():
        print(p)
