"""Platform adapters: the table maps the same lot onto each platform's fields, in exact amounts."""

import io
import json
import zipfile
from datetime import date

import pytest

from auction.demo_lots import real_estate_row, vehicle_row
from auction.lot_sheet import COLUMNS, prepare_row, restore_lot
from auction.platforms import Attachment, PlatformError, TablePlatform, catalog, get_platform, read_package
from auction.platforms.fields import field_fen, listing_fields

ANNOUNCE = date(2026, 12, 1)


def _lot(row):
    cells = {k: "" for k in COLUMNS}
    cells.update(row)
    prepared = prepare_row(2, cells)
    return restore_lot(prepared.content)


@pytest.fixture
def house():
    return _lot(real_estate_row(7, ANNOUNCE))


def test_every_listed_platform_is_configuration():
    assert {"ali", "jd", "rmfysszc", "gpai", "caa", "local"} <= set(catalog())
    assert catalog()["ali"].name == "阿里拍卖"


def test_ali_package_has_the_ali_fields_in_exact_yuan(house):
    package = get_platform("ali", outbox="/nonexistent").build_package(house, house.plan, None)
    plan = house.plan
    assert package.fields["起拍价"] == f"{plan.starting_price_fen // 100}.{plan.starting_price_fen % 100:02d}"
    assert package.fields["保证金"] == f"{plan.deposit_fen // 100}.{plan.deposit_fen % 100:02d}"
    assert package.fields["评估价"] == f"{plan.reference_price_fen // 100}.00"
    assert package.fields["竞价周期"] == 24 and package.fields["延时周期"] == 5
    assert "变卖预缴款" not in package.fields  # only for a fixed-price sale
    assert set(package.tabs) <= {"竞买公告", "竞买须知", "标的物介绍", "附件", "视频", "预约看样"}
    assert package.tabs["预约看样"]["arrangement"] == "周三下午统一看样"


def test_fixed_price_sale_carries_prepayment_and_period(house):
    from auction.listing_plan import plan_listing

    plan = plan_listing("1000000", "real_estate", "fixed_price_sale", ANNOUNCE, previous_starting_price="560000")
    package = get_platform("ali", outbox="/x").build_package(house, plan, None)
    assert package.fields["变卖预缴款"] == "560000.00"
    assert package.fields["变卖周期"] == 60


def test_jd_fields_and_status_codes(house):
    jd = get_platform("jd", outbox="/x")
    package = jd.build_package(house, house.plan, None)
    fen = house.plan.starting_price_fen
    assert package.fields["minPrice"] == f"{fen // 100}.{fen % 100:02d}"
    assert {"assessmentPrice", "ensurePrice", "priceLowerOffset"} <= set(package.fields)
    assert [jd.decode_status(c) for c in (0, 1, 2, 5, 6, 7)] == [
        "announced", "bidding", "ended", "withdrawn", "suspended", "terminated"]
    with pytest.raises(PlatformError, match="状态码“3”未知"):
        jd.decode_status(3)


def test_local_package_keeps_integer_fen(house):
    package = get_platform("local", base_url="http://127.0.0.1:1").build_package(house, house.plan, None)
    assert package.fields["starting_price_fen"] == house.plan.starting_price_fen
    assert isinstance(package.fields["deposit_fen"], int)


def test_documents_are_sorted_into_tabs_and_zipped_reproducibly(house):
    docs = [Attachment("拍卖公告.pdf", b"%PDF-announcement", "announcement"),
            Attachment("竞买须知.docx", b"notice", "bidder_notice")]
    platform = get_platform("gpai", outbox="/x")
    first = platform.build_package(house, house.plan, docs)
    second = platform.build_package(house, house.plan, docs)
    assert first.to_zip() == second.to_zip()
    assert first.tabs["拍卖公告"] == ["拍卖公告.pdf"] and first.tabs["竞买须知"] == ["竞买须知.docx"]
    manifest, files = read_package(first.to_zip())
    assert manifest["fields"]["起拍价"] == first.fields["起拍价"]
    assert files["拍卖公告.pdf"] == b"%PDF-announcement"


def test_a_tampered_attachment_is_refused(house):
    package = get_platform("caa", outbox="/x").build_package(house, house.plan, {"拍卖公告": b"original"})
    source = zipfile.ZipFile(io.BytesIO(package.to_zip()))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        out.writestr("manifest.json", source.read("manifest.json"))
        out.writestr("attachments/拍卖公告", b"changed")
    with pytest.raises(PlatformError, match="哈希不一致"):
        read_package(buffer.getvalue())


def test_outbox_publish_is_idempotent_by_key(house, tmp_path):
    platform = TablePlatform("ali", outbox=tmp_path)
    package = platform.build_package(house, house.plan, None)
    first = platform.publish(package, "key-1")
    again = platform.publish(package, "key-1")
    assert first.created and not again.created and first.remote_id == again.remote_id
    assert len(list(tmp_path.glob("*.zip"))) == 1
    assert json.loads(zipfile.ZipFile(tmp_path / "ali-key-1.zip").read("manifest.json"))["platform"] == "ali"


def test_unknown_platform_is_refused_with_the_known_list():
    with pytest.raises(PlatformError, match="未知的拍卖平台“taobao”.*ali（阿里拍卖）"):
        get_platform("taobao")


def test_listing_fields_refuse_float_money():
    with pytest.raises(TypeError, match="floats"):
        field_fen(1.1, key="starting_price")
    fields = listing_fields({"starting_price": "1200000.005", "case_number": "（2018）浙1081执1234号"})
    assert fields["starting_price_fen"] == 120000001  # half-up to the fen
    assert fields["court_code"] == "浙1081"


def test_vehicle_lot_maps_too():
    car = _lot(vehicle_row(3, ANNOUNCE))
    package = get_platform("rmfysszc", outbox="/x").build_package(car, car.plan, None)
    assert package.fields["拍卖轮次"] == "first_auction"
    assert package.fields["起拍价"].endswith(".00")
