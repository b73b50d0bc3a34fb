"""The lot (标的物) as the platforms show it: plain dataclasses, JSON in and out, and the check that every
mandatory disclosure is there before publishing.

What a listing must disclose: 网拍规定 art. 12 (announcement), art. 13 (information published with it),
art. 14 (warnings); for real estate the survey sheet (调查情况表) and, since 2024 (法〔2024〕238号), an on-site
inspection and a tax disclosure; for vehicles the check of registration, emission standard, mileage and
traffic violations (RULES.md section 6).

Conventions: money is integer fen (``*_fen``); a list that is ``None`` means "not yet stated" (a missing
disclosure), an empty list means "stated: there is none" (e.g. no known defects).
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from auction import case_number as case_numbers
from auction.listing_plan import ListingPlan, PropertyKind
from auction.plain_data import PlainDataError, from_plain, to_plain


class LotDataError(PlainDataError):
    """A lot's data cannot be read; the message names the field and what is expected."""


# --- parts -----------------------------------------------------------------------------------------------


@dataclass
class Contact:
    """联系人."""

    name: str
    phone: str
    role: str = ""  # e.g. 承办法官, 书记员, 辅助机构


@dataclass
class BankAccount:
    """法院指定账户 (网拍规定 art. 13 item 8)."""

    bank: str
    account_name: str
    account_number: str


@dataclass
class CourtInfo:
    """The court that sells: letterhead, contacts, supervision, accounts, the collegial panel (合议庭,
    网拍规定 art. 27) that signs rulings."""

    name: str
    address: str = ""
    contacts: list[Contact] = field(default_factory=list)
    supervision_phone: str = ""
    account: BankAccount | None = None
    judges: list[str] = field(default_factory=list)  # 审判长 first
    clerk: str = ""
    seal_text: str = ""  # 印章文字, e.g. 浙江省温岭市人民法院（印）

    def missing(self) -> list[str]:
        """The Chinese names of what the documents need and the profile lacks (empty: complete)."""
        out = []
        if not self.name.strip():
            out.append("法院名称")
        if self.account is None or not (self.account.bank and self.account.account_name and self.account.account_number):
            out.append("本院账户（开户行、户名、账号）")
        if len([j for j in self.judges if j.strip()]) < 3:
            out.append("合议庭成员（至少三人，审判长在前）")
        if not self.clerk.strip():
            out.append("书记员")
        if not self.supervision_phone.strip():
            out.append("监督电话")
        if not self.contacts or not all(c.name.strip() and c.phone.strip() for c in self.contacts):
            out.append("联系人及电话")
        return out


class PartyRole(enum.StrEnum):
    APPLICANT = "applicant"
    DEBTOR = "debtor"
    INTERESTED_PARTY = "interested_party"

    @property
    def label(self) -> str:
        return {"applicant": "申请执行人", "debtor": "被执行人", "interested_party": "利害关系人"}[self]


@dataclass
class Party:
    """当事人 with the state of the notice (网拍规定 art. 16)."""

    role: PartyRole
    name: str
    address: str = ""
    notified_on: date | None = None
    notice_method: str = ""  # 直接送达, 邮寄送达, 电子送达 ...
    unreachable_reason: str = ""  # 无法通知的理由 (then posted on the platform for 5 days)
    waived: bool = False  # 书面明确放弃权利
    posted_on: date | None = None  # 无法通知的，在网络司法拍卖平台公示之日 (网拍规定 art. 16 para. 1)

    @property
    def notice_state_stated(self) -> bool:
        return self.notified_on is not None or bool(self.unreachable_reason and self.posted_on) or self.waived


@dataclass
class PriorityPurchaser:
    """优先购买权人 with the nature of the right and the rank the court confirmed (网拍规定 arts. 19, 21)."""

    name: str
    right: str  # 共有人, 承租人, 股东 ...
    rank: int = 1
    address: str = ""
    notified_on: date | None = None
    unreachable_reason: str = ""
    waived: bool = False
    posted_on: date | None = None  # 无法通知的，在平台公示之日 (网拍规定 art. 16 para. 1)


class OccupancyStatus(enum.StrEnum):
    VACANT = "vacant"
    DEBTOR = "debtor"
    TENANT = "tenant"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"vacant": "空置", "debtor": "被执行人占用", "tenant": "承租人占用", "other": "他人占用"}[self]


@dataclass
class Occupancy:
    """占有使用情况."""

    status: OccupancyStatus
    occupant: str = ""
    vacated: bool | None = None  # 是否腾空; None: not known yet
    handover: str = ""  # 交付方式, e.g. 法院负责腾退交付 / 现状交付
    note: str = ""


@dataclass
class Lease:
    """租赁情况."""

    tenant: str
    start: date | None = None
    end: date | None = None
    rent: str = ""
    rent_paid_until: date | None = None
    note: str = ""


class EncumbranceType(enum.StrEnum):
    SEIZURE = "seizure"
    MORTGAGE = "mortgage"
    PLEDGE = "pledge"
    OTHER = "other"

    @property
    def label(self) -> str:
        return {"seizure": "查封", "mortgage": "抵押", "pledge": "质押", "other": "其他权利负担"}[self]


@dataclass
class Encumbrance:
    """权利负担: 查封 (by whom, which case), 抵押 (holder, secured amount)."""

    type: EncumbranceType
    holder: str
    reference: str = ""
    amount_fen: int | None = None
    rank: int | None = None
    note: str = ""


@dataclass
class TaxItem:
    """One tax or fee of the transfer and who pays it (网拍规定 arts. 13 item 9, 30)."""

    name: str  # 增值税, 个人所得税, 契税, 土地增值税, 印花税, 交易手续费 ...
    payer: str  # 买受人, 被执行人, 依法由相应主体承担
    estimate_fen: int | None = None
    note: str = ""


@dataclass
class TaxDisclosure:
    """税费及承担方式."""

    summary: str  # e.g. 标的物过户所涉及的税费由买卖双方依照法律规定各自承担
    items: list[TaxItem] = field(default_factory=list)
    arrears: str = ""  # 物业费、水电燃气等欠费


@dataclass
class Viewing:
    """看样安排 (网拍规定 art. 14 item 4: sold as is, viewing on request)."""

    arrangement: str
    contact: str = ""
    phone: str = ""
    address: str = ""
    appointment_required: bool = True


@dataclass
class Attachment:
    """A photo, video or document shown with the listing."""

    title: str
    path: str
    kind: str = "photo"  # photo, video, document
    sha256: str = ""


@dataclass
class SurveySheet:
    """调查情况表 of a real-estate lot, with the 2024 on-site inspection (现场勘验)."""

    property_nature: str = ""  # 房屋性质: 商品房, 房改房, 经济适用房 ...
    certificate_number: str = ""
    use: str = ""  # 用途
    building_area_m2: Decimal | None = None
    inner_area_m2: Decimal | None = None
    land_area_m2: Decimal | None = None
    total_floors: int | None = None
    floor: int | None = None
    year_built: int | None = None
    orientation: str = ""
    layout: str = ""  # 户型, e.g. 三室两厅一卫
    lifts_per_unit: int | None = None  # 0 = no lift
    households_per_floor: int | None = None
    land_use_type: str = ""  # 出让, 划拨
    land_term_end: date | None = None
    remaining_land_term: str = ""  # 土地剩余年限 as stated, e.g. 约 48 年
    decoration: str = ""
    household_registration: str = ""  # 户籍迁出情况
    special_reminders: list[str] = field(default_factory=list)
    inspected_on: date | None = None
    inspectors: list[str] = field(default_factory=list)
    inspection_findings: str = ""


@dataclass
class VehicleCheck:
    """The 2024 checks of a vehicle lot: registration, emission standard, mileage, traffic violations."""

    plate_number: str = ""
    vin: str = ""
    brand_model: str = ""
    first_registered_on: date | None = None
    registration_checked_on: date | None = None
    registration_status: str = ""  # 登记状态: 正常, 查封, 抵押 ...
    emission_standard: str = ""  # 国五, 国六b ...
    mileage_km: int | None = None
    violations: list[str] | None = None  # None: not checked; []: none found
    violation_fines_fen: int | None = None
    inspection_valid_until: date | None = None  # 年检有效期
    keys: int | None = None
    documents: str = ""  # 行驶证、登记证书是否随车
    storage_location: str = ""


@dataclass
class SaleResult:
    """What the platform reports after a sale; input of 成交确认书 and 成交裁定书."""

    buyer_name: str
    buyer_id_number: str = ""
    bidder_code: str = ""
    price_fen: int = 0
    sold_at: datetime | None = None
    paid_in_full_on: date | None = None
    ruling_case_number: str = ""  # often the same 执 case
    by_priority_purchaser: bool = False


# --- the lot -----------------------------------------------------------------------------------------


@dataclass
class Lot:
    """标的物 as published: identity, court, price basis, plan, disclosures, media."""

    lot_id: str
    case_number: str
    court_name: str
    title: str
    kind: PropertyKind
    address: str = ""
    location: str = ""  # 区域 / 坐标 as the platform shows it
    description: str = ""
    contacts: list[Contact] = field(default_factory=list)
    parties: list[Party] = field(default_factory=list)
    enforcement_basis: str = ""  # 执行依据, e.g. （2025）浙1081民初123号民事判决书
    reference_price_fen: int | None = None
    reference_price_basis: str = ""  # 评估报告 / 网络询价报告 / 定向询价 / 议价 + its number and date
    plan: ListingPlan | None = None
    platform: str = ""
    bidder_conditions: str = ""  # 竞买人条件 beyond the standard ones (e.g. 限购)
    priority_purchasers: list[PriorityPurchaser] | None = None
    occupancy: Occupancy | None = None
    leases: list[Lease] | None = None
    encumbrances: list[Encumbrance] | None = None
    known_defects: list[str] | None = None
    taxes: TaxDisclosure | None = None
    viewing: Viewing | None = None
    photos: list[Attachment] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    survey: SurveySheet | None = None
    vehicle: VehicleCheck | None = None
    sale: SaleResult | None = None

    def __post_init__(self) -> None:
        if isinstance(self.kind, str):
            self.kind = PropertyKind(self.kind)
        if self.case_number:
            try:
                self.case_number = case_numbers.validate(self.case_number)
            except case_numbers.InvalidCaseNumber as exc:
                raise LotDataError(f"标的物“{self.title or self.lot_id}”：{exc}") from None


# --- mandatory disclosures -------------------------------------------------------------------------


class PlanPrices:
    """The prices of a lot kept elsewhere (a checked sheet row, a stored row), read from its plan, never copied:
    the holder has the domain lot as ``self.lot``."""

    @property
    def reference_price_fen(self) -> int:
        return self.lot.plan.reference_price_fen

    @property
    def starting_price_fen(self) -> int:
        return self.lot.plan.starting_price_fen

    @property
    def deposit_fen(self) -> int:
        return self.lot.plan.deposit_fen


def missing_disclosures(lot: Lot) -> list[str]:
    """The Chinese names of the mandatory items the lot still lacks; publishing is blocked unless empty.

    网拍规定 art. 12 (announcement contents), art. 13 (published information), art. 14 (warnings need the
    known defects and encumbrances), art. 16 (notification state); 2024 checks for real estate and vehicles.
    """
    missing: list[str] = []

    def need(ok: object, name: str) -> None:
        if not ok:
            missing.append(name)

    need(lot.case_number, "案号")
    need(lot.court_name, "执行法院")
    need(lot.contacts and all(c.name and c.phone for c in lot.contacts), "法院联系人及电话")
    need(lot.title, "标的物名称")
    need(lot.address or lot.location, "标的物所在地")
    need(lot.description, "标的物介绍")
    need(lot.enforcement_basis, "执行依据")
    need(lot.reference_price_fen, "参考价（评估价）")
    need(lot.reference_price_basis, "参考价确定依据（评估报告或定价依据）")
    plan = lot.plan
    need(plan, "拍卖方案（起拍价、保证金、加价幅度、竞价时间）")
    if plan is not None:
        need(plan.kind == lot.kind, "拍卖方案的标的物类型与标的物一致")
        need(lot.reference_price_fen is None or plan.reference_price_fen == lot.reference_price_fen,
             "拍卖方案的参考价与标的物参考价一致")
    need(lot.parties and any(p.role is PartyRole.DEBTOR for p in lot.parties), "被执行人")
    need(lot.parties and all(p.notice_state_stated for p in lot.parties), "当事人通知情况")
    need(lot.priority_purchasers is not None, "优先购买权人情况")
    if lot.priority_purchasers:
        need(all(p.notified_on or (p.unreachable_reason and p.posted_on) or p.waived
                 for p in lot.priority_purchasers),
             "优先购买权人通知情况")
    need(lot.occupancy is not None, "占有使用情况")
    need(lot.leases is not None, "租赁情况")
    need(lot.encumbrances is not None, "权利负担（查封、抵押等）")
    need(lot.known_defects is not None, "已知瑕疵")
    need(lot.taxes is not None and lot.taxes.summary, "税费及承担方式")
    need(lot.viewing is not None and lot.viewing.arrangement, "看样安排")
    need(lot.photos, "照片或视频")

    if lot.kind is PropertyKind.REAL_ESTATE:
        s = lot.survey
        if s is None:
            missing.append("调查情况表")
        else:
            need(s.property_nature, "调查情况表：房屋性质")
            need(s.use, "调查情况表：用途")
            need(s.building_area_m2, "调查情况表：建筑面积")
            need(s.total_floors and s.floor is not None, "调查情况表：所在楼层/总楼层")
            need(s.year_built, "调查情况表：建成年份")
            need(s.orientation, "调查情况表：朝向")
            need(s.layout, "调查情况表：户型")
            need(s.lifts_per_unit is not None, "调查情况表：梯户情况")
            need(s.land_term_end or s.remaining_land_term, "调查情况表：土地剩余年限")
            need(lot.occupancy is None or lot.occupancy.vacated is not None, "调查情况表：是否腾空")
            need(s.inspected_on, "现场勘验（2024年起不动产必须）")
        need(lot.taxes is None or lot.taxes.items, "税费明细披露（2024年起不动产必须）")
    if lot.kind is PropertyKind.VEHICLE:
        v = lot.vehicle
        if v is None:
            missing.append("车辆核查信息")
        else:
            need(v.plate_number or v.vin, "车辆号牌或车架号")
            need(v.registration_checked_on and v.registration_status, "车辆登记信息核查")
            need(v.emission_standard, "车辆排放标准")
            need(v.mileage_km is not None, "车辆行驶里程")
            need(v.violations is not None, "车辆交通违法情况")
    return missing


# --- JSON --------------------------------------------------------------------------------------------


def lot_to_dict(lot: Lot) -> dict[str, Any]:
    """JSON-safe and stable (field order, ISO dates, Decimal as text, money as integer fen)."""
    return to_plain(lot)


def lot_digest(lot: Lot) -> str:
    """SHA-256 of the lot's canonical JSON: equal lots, equal digests (a sheet row compared with a stored lot)."""
    body = json.dumps(lot_to_dict(lot), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def lot_from_dict(data: dict[str, Any]) -> Lot:
    """The inverse of ``lot_to_dict``; unknown or malformed fields raise ``LotDataError`` naming the field."""
    try:
        return from_plain(Lot, data, "标的物")
    except PlainDataError as exc:
        raise LotDataError(str(exc)) from None


def court_to_dict(court: CourtInfo) -> dict[str, Any]:
    return to_plain(court)


def court_from_dict(data: dict[str, Any]) -> CourtInfo:
    try:
        return from_plain(CourtInfo, data, "法院信息")
    except PlainDataError as exc:
        raise LotDataError(str(exc)) from None
