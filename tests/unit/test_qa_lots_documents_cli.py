"""Product QA of `xunpai lots documents`: a clerk rendering an exported lot got an unsigned ruling silently."""

import json

from click.testing import CliRunner

from auction.lot import court_to_dict, lot_to_dict
from auction.lot_examples import example_court, example_real_estate_lot
from xunpai.cli import main
from xunpai.cli import support as cli_support


def test_documents_without_court_info_say_what_was_left_blank(tmp_path, monkeypatch):
    monkeypatch.setenv("XUNPAI_DATA_DIR", str(tmp_path / "data"))  # an empty database: no stored court profile
    monkeypatch.setattr(cli_support, "_engine", None)
    lot = example_real_estate_lot()
    bare = tmp_path / "lot.json"  # what `xunpai lots export` writes: the lot, no court
    bare.write_text(json.dumps({"lot": lot_to_dict(lot)}, ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["lots", "documents", str(bare), "-o", str(tmp_path / "a")])
    assert result.exit_code == 0, result.output
    # before: nothing said that the ruling had no 审判长/审判员 and the announcement no account; then they were
    # made with "—" in their place; now they are not made, and each says what it lacks
    assert "未制作拍卖裁定书：法院信息缺少合议庭成员" in result.output and "本院账户" in result.output
    assert "--court" in result.output and "法院信息”页" in result.output
    full = tmp_path / "full.json"
    full.write_text(json.dumps({"lot": lot_to_dict(lot), "court": court_to_dict(example_court())},
                               ensure_ascii=False), encoding="utf-8")
    result = CliRunner().invoke(main, ["lots", "documents", str(full), "-o", str(tmp_path / "b")])
    assert result.exit_code == 0 and "提示" not in result.output and "未制作" not in result.output


def test_a_fixed_price_sale_plan_shows_the_advance_payment():
    # before: the text said 起拍价 and 竞价时间 and left out the 变卖预缴款 (the full price, paid up front)
    result = CliRunner().invoke(main, ["lots", "plan", "--reference-price", "1200000", "--kind", "real_estate",
                                       "--round", "fixed_price_sale", "--announce-on", "2027-01-20",
                                       "--previous-starting-price", "672000"])
    assert result.exit_code == 0, result.output
    assert "变卖价　　672,000.00元" in result.output and "变卖预缴款　672,000.00元" in result.output
    assert "变卖期" in result.output and "起拍价" not in result.output
