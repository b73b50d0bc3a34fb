"""Complete example lots (a flat and a car) for the demo, the tests and the benchmark; the names and
numbers are invented."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from auction.listing_plan import AuctionRound, PropertyKind, plan_listing
from auction.lot import (
    Attachment,
    BankAccount,
    Contact,
    CourtInfo,
    Encumbrance,
    EncumbranceType,
    Lease,
    Lot,
    Occupancy,
    OccupancyStatus,
    Party,
    PartyRole,
    PriorityPurchaser,
    SaleResult,
    SurveySheet,
    TaxDisclosure,
    TaxItem,
    VehicleCheck,
    Viewing,
)


def example_court() -> CourtInfo:
    return CourtInfo(
        name="浙江省温岭市人民法院",
        address="浙江省温岭市太平街道万寿路 1 号",
        contacts=[Contact("王法官", "0576-86000001", "承办法官"), Contact("李书记员", "0576-86000002", "书记员")],
        supervision_phone="0576-86000099",
        account=BankAccount("中国工商银行温岭支行", "温岭市人民法院", "1207 0000 0000 0000 123"),
        judges=["张审判长", "王法官", "陈法官"],
        clerk="李书记员",
    )


def _example_lot(kind: PropertyKind, reference_price: Decimal | int | str, announce_on: date, **fields) -> Lot:
    """A lot of the example court with its first-auction plan; ``fields`` are the rest of the lot."""
    plan = plan_listing(reference_price, kind, AuctionRound.FIRST_AUCTION, announce_on)
    court = example_court()
    return Lot(kind=kind, court_name=court.name, contacts=court.contacts, reference_price_fen=plan.reference_price_fen,
               plan=plan, **fields)


def example_real_estate_lot(
    reference_price: Decimal | int | str = "1234567",
    announce_on: date = date(2026, 12, 1),
    *,
    lot_id: str = "WL-2026-0001",
    sold: bool = False,
) -> Lot:
    lot = _example_lot(
        PropertyKind.REAL_ESTATE, reference_price, announce_on,
        lot_id=lot_id,
        case_number="(2026)浙1081执 1234 号",
        title="温岭市太平街道锦园小区 3 幢 2 单元 601 室住宅",
        address="浙江省温岭市太平街道锦园小区 3 幢 2 单元 601 室",
        location="浙江省台州市温岭市太平街道",
        description="钢混结构住宅一套，建筑面积 118.56 平方米，附属车位一个不在本次拍卖范围内。",
        parties=[
            Party(PartyRole.APPLICANT, "温岭市某农村商业银行股份有限公司", "温岭市东辉北路 8 号",
                  notified_on=date(2026, 11, 20), notice_method="直接送达"),
            Party(PartyRole.DEBTOR, "赵某某", "温岭市太平街道锦园小区 3 幢 2 单元 601 室",
                  notified_on=date(2026, 11, 21), notice_method="邮寄送达"),
        ],
        enforcement_basis="（2025）浙1081民初5678号民事判决书",
        reference_price_basis="台州某房地产土地估价有限公司台某评字〔2026〕第0815号评估报告，评估基准日2026年9月30日",
        platform="淘宝网（阿里拍卖）",
        bidder_conditions="竞买人应符合温岭市房产限购政策。",
        priority_purchasers=[PriorityPurchaser("钱某某", "按份共有人", 1, "温岭市城东街道某路 9 号",
                                               notified_on=date(2026, 11, 21))],
        occupancy=Occupancy(OccupancyStatus.TENANT, "孙某某", vacated=False, handover="法院负责腾退后交付"),
        leases=[Lease("孙某某", date(2025, 3, 1), date(2027, 2, 28), "每月 2,500 元", date(2026, 12, 31),
                      "租赁在抵押之后设立，法院将依法除去")],
        encumbrances=[
            Encumbrance(EncumbranceType.SEIZURE, "浙江省温岭市人民法院", "（2026）浙1081执1234号", rank=1),
            Encumbrance(EncumbranceType.MORTGAGE, "温岭市某农村商业银行股份有限公司", "温房他证字第 2019-0001 号",
                        amount_fen=80_000_000, rank=1),
        ],
        known_defects=["卫生间墙面有渗水痕迹", "入户门锁损坏"],
        taxes=TaxDisclosure(
            "标的物过户所涉及的税费由买卖双方依照法律规定各自承担。",
            [TaxItem("增值税及附加", "被执行人", 0), TaxItem("个人所得税", "被执行人", 2_469_134),
             TaxItem("契税", "买受人", 2_592_591), TaxItem("印花税", "买卖双方各自承担")],
            arrears="物业费欠缴 3,120 元，由被执行人承担",
        ),
        viewing=Viewing("每周二、周四上午 9 时至 11 时集中看样，请提前一日预约。", "李书记员", "0576-86000002",
                        "锦园小区 3 幢 2 单元楼下"),
        photos=[Attachment("外观", "photos/wl-2026-0001-1.jpg"), Attachment("客厅", "photos/wl-2026-0001-2.jpg")],
        attachments=[Attachment("评估报告", "docs/wl-2026-0001-appraisal.pdf", "document")],
        survey=SurveySheet(
            property_nature="商品房", certificate_number="浙(2019)温岭市不动产权第0012345号", use="住宅",
            building_area_m2=Decimal("118.56"), inner_area_m2=Decimal("98.20"), total_floors=11, floor=6,
            year_built=2012, orientation="南北", layout="三室两厅两卫", lifts_per_unit=2, households_per_floor=2,
            land_use_type="出让", land_term_end=date(2080, 6, 30), remaining_land_term="约 53 年",
            decoration="简装", household_registration="被执行人户籍尚未迁出",
            special_reminders=["车位不在拍卖范围内", "租赁期间内的租金由承租人直接支付至法院账户"],
            inspected_on=date(2026, 11, 10), inspectors=["王法官", "李书记员"],
            inspection_findings="房屋结构完好，承租人在住，卫生间有渗水痕迹。",
        ),
    )
    if sold:
        lot.sale = SaleResult("周某某", "330000199001011234", "A1234", 91_230_000,
                              datetime(2027, 1, 1, 10, 7, 31), date(2027, 1, 8))
    return lot


def example_vehicle_lot(announce_on: date = date(2026, 12, 1), *, lot_id: str = "WL-2026-V001") -> Lot:
    return _example_lot(
        PropertyKind.VEHICLE, "86000", announce_on,
        lot_id=lot_id,
        case_number="（2026）浙1081执2345号",
        title="浙J·A1234B 小型轿车一辆",
        address="温岭市城北街道某物流园（仓储点）",
        description="2019 年款某品牌 1.5T 自动挡轿车，停放于法院指定仓储点。",
        parties=[Party(PartyRole.APPLICANT, "钱某某", notified_on=date(2026, 11, 20)),
                 Party(PartyRole.DEBTOR, "吴某某", unreachable_reason="下落不明",
                       posted_on=announce_on - timedelta(days=11))],
        enforcement_basis="（2025）浙1081民初6789号民事调解书",
        reference_price_basis="网络询价报告三份的平均值",
        priority_purchasers=[],
        occupancy=Occupancy(OccupancyStatus.VACANT, vacated=True, handover="仓储点现场交付"),
        leases=[],
        encumbrances=[Encumbrance(EncumbranceType.SEIZURE, "浙江省温岭市人民法院", "（2026）浙1081执2345号")],
        known_defects=["左前门有刮痕"],
        taxes=TaxDisclosure("过户税费由买受人承担。", [TaxItem("车辆过户手续费", "买受人")]),
        viewing=Viewing("工作日 9 时至 17 时在仓储点看样，请提前预约。", "仓储点", "0576-86000003"),
        photos=[Attachment("车身", "photos/v001-1.jpg")],
        vehicle=VehicleCheck(
            "浙J·A1234B", "LSVAA4182E2123456", "某品牌 1.5T 轿车", date(2019, 5, 20), date(2026, 11, 12), "查封",
            "国六", 68_400, ["2025年8月 违停 罚款200元"], 20_000, date(2027, 5, 31), 1, "行驶证随车，登记证书缺失",
            "温岭市城北街道某物流园",
        ),
    )
