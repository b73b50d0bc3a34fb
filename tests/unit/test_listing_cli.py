"""``xunpai lots plan`` and ``xunpai lots documents`` through the real command line."""

import json

from click.testing import CliRunner

from auction.lot import court_to_dict, lot_to_dict
from auction.lot_examples import example_court, example_vehicle_lot
from xunpai.cli import main
from xunpai.cli.lots import lots_group


def run(*args):
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def test_plan_json_for_a_first_auction():
    result = run("lots", "plan", "--reference-price", "1200000", "--kind", "real_estate", "--round", "first",
                 "--announce-on", "2026-12-01", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["starting_price_fen"] == 84_000_000
    assert data["deposit_fen"] == 8_400_000
    assert data["announcement_days"] == 30
    assert data["bidding_start"] == "2026-12-31T10:00:00"
    assert data["notify_parties_by"] == "2026-11-28"


def test_plan_text_shows_capitals():
    result = run("lots", "plan", "--reference-price", "1200000", "--kind", "vehicle", "--round", "first",
                 "--announce-on", "2026-12-01")
    assert result.exit_code == 0
    assert "人民币捌拾肆万元整" in result.output and "距竞价 15 日" in result.output


def test_refused_plan_exits_1_and_names_the_article():
    result = run("lots", "plan", "--reference-price", "1200000", "--kind", "real_estate", "--round", "second",
                 "--announce-on", "2026-12-01", "--previous-starting-price", "840000", "--starting-price", "671000")
    assert result.exit_code == 1
    assert "网拍规定第二十六条第一款" in result.output


def test_refused_plan_as_json_lists_violations():
    result = run("lots", "plan", "--reference-price", "1200000", "--kind", "real_estate", "--round", "first",
                 "--announce-on", "2026-12-01", "--deposit", "33600", "--json")
    assert result.exit_code == 1
    data = json.loads(result.output[: result.output.rindex("}") + 1])
    assert data["violations"][0]["article"] == "网拍规定第十七条第一款"


def test_bad_date_and_amount_say_what_is_expected():
    result = run("lots", "plan", "--reference-price", "1200000", "--kind", "real_estate", "--round", "first",
                 "--announce-on", "2026/12/32")
    assert result.exit_code == 2 and "YYYY-MM-DD" in result.output
    typed = [run("lots", "plan", "--reference-price", "1200000", "--kind", "real_estate", "--round", "first",
                 "--announce-on", text, "--json") for text in ("2026-12-01", "2026/12/01", "2026年12月1日", "２０２６.１２.１")]
    assert all(r.exit_code == 0 for r in typed) and len({r.output for r in typed}) == 1  # courts' forms, one date
    result = run("lots", "plan", "--reference-price", "12万", "--kind", "real_estate", "--round", "first",
                 "--announce-on", "2026-12-01")
    assert result.exit_code == 2 and "参考价" in result.output


def test_documents_from_a_lot_file(tmp_path):
    lot = example_vehicle_lot()
    path = tmp_path / "lot.json"
    path.write_text(json.dumps({"lot": lot_to_dict(lot), "court": court_to_dict(example_court())},
                               ensure_ascii=False), encoding="utf-8")
    out = tmp_path / "out"
    result = run("lots", "documents", str(path), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert (out / f"{lot.lot_id}-announcement.pdf").is_file()
    assert (out / f"{lot.lot_id}-lot_description.docx").is_file()


def test_documents_refuse_a_malformed_lot_file(tmp_path):
    path = tmp_path / "lot.json"
    data = lot_to_dict(example_vehicle_lot())
    data["kind"] = "boat"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run("lots", "documents", str(path), "-o", str(tmp_path / "out"))
    assert result.exit_code == 2 and "kind" in result.output
    assert not (tmp_path / "out").exists()


def test_the_group_is_exported_for_other_modules():
    assert lots_group.name == "lots"
    assert {"plan", "documents"} <= set(lots_group.commands)


def test_plan_with_a_court_policy_file(tmp_path):
    policy = tmp_path / "policy.json"
    policy.write_text(json.dumps({"name": "温岭", "deposit_ratio": "0.2", "bidding_start_time": "09:30"}),
                      encoding="utf-8")
    result = run("lots", "plan", "--reference-price", "1200000", "--kind", "movable", "--round", "first",
                 "--announce-on", "2026-12-01", "--policy", str(policy), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["deposit_fen"] == 16_800_000 and data["bidding_start"] == "2026-12-16T09:30:00"
    assert data["policy_name"] == "温岭"
    policy.write_text(json.dumps({"first_auction_ratio": "0.6"}), encoding="utf-8")
    result = run("lots", "plan", "--reference-price", "1200000", "--kind", "movable", "--round", "first",
                 "--announce-on", "2026-12-01", "--policy", str(policy))
    assert result.exit_code == 1 and "网拍规定第十条第二款" in result.output
