"""``xunpai case …`` and ``xunpai price …``: register a case, its parties and its property, and run the
reference-price procedure (参考价规定): 议价, 定向询价 from a quote receipt asked within the case, 网络询价 reports
and their mean, 委托评估 with the firm lottery, fixing the reference price, and what a lot may be sold on.

Each command parses its input, calls one service of ``xunpai.services.procedure`` and prints in Chinese; a
refusal is a Chinese message and exit code 2, and nothing is changed.
"""

from __future__ import annotations

import click

from auction import objections as rules
from auction import reference_price as rp
from tax_baseline.money import InvalidAmount, parse_yuan
from xunpai.cli.support import echo_json, fail, typed_date, unit_of_work
from xunpai.cli.support import required_date as _date
from xunpai.services import objections as objection_service
from xunpai.services import procedure as service
from xunpai.storage.ledger import now_local
from xunpai.storage.models.procedure import PARTY_ROLES, PROPERTY_KINDS

ROLE_WORDS = {"申请执行人": "applicant", "被执行人": "debtor", "利害关系人": "interested_party",
              "applicant": "applicant", "debtor": "debtor", "interested_party": "interested_party"}
KIND_WORDS = {name: key for key, name in PROPERTY_KINDS.items()} | {key: key for key in PROPERTY_KINDS}


def _fen(text: str | None, what: str) -> int:
    try:
        value = parse_yuan(text)
    except InvalidAmount as exc:
        fail(f"{what}：{exc}")
    if value is None or value <= 0:
        fail(f"请填写{what}（元，最多两位小数），如 1280000.00。")
    return value


def _party(text: str) -> service.PartyInput:
    """``身份,姓名或名称,证件号码[,送达地址[,电话]]``"""
    parts = [p.strip() for p in text.replace("，", ",").split(",")]
    if len(parts) < 3:
        fail(f"当事人“{text}”格式不对；应为 身份,姓名或名称,证件号码[,送达地址[,电话]]，"
             "身份为 申请执行人、被执行人 或 利害关系人。")
    role = ROLE_WORDS.get(parts[0])
    if role is None:
        fail(f"当事人身份“{parts[0]}”不正确；应为 申请执行人、被执行人 或 利害关系人。")
    return service.PartyInput(role, parts[1], parts[2], parts[3] if len(parts) > 3 else "",
                              parts[4] if len(parts) > 4 else "")


def _run(call):
    try:
        return call()
    except (service.ProcedureError, rules.IllegalTransition, rp.ReferencePriceError) as exc:
        fail(str(exc))


def _yuan(fen: int | None) -> str:
    return "—" if fen is None else f"{rp.yuan(fen)} 元"


# ================================================================ case

@click.group("case")
def case_group() -> None:
    """执行案件：登记案件、当事人和处置财产，查看案件的参考价程序。"""


@case_group.command("register")
@click.argument("case_number")
@click.option("--court", "court_code", required=True, help="法院代字，如 浙1099")
@click.option("--party", "parties", multiple=True, required=True,
              help="当事人：身份,姓名或名称,证件号码[,送达地址[,电话]]（可多次；至少一名申请执行人和一名被执行人）")
@click.option("--judge", default="", help="承办法官用户名")
@click.option("--by", "actor", required=True, help="登记人（法官或书记员）用户名")
def register(case_number: str, court_code: str, parties: tuple[str, ...], judge: str, actor: str) -> None:
    """登记执行案件及其当事人。"""
    checked = [_party(p) for p in parties]
    case = _run(lambda: service.create_case(unit_of_work(), court_code, case_number, checked, actor=actor,
                                            now=now_local(), judge=judge))
    click.echo(f"已登记案件{case.case_number}：当事人 {len(checked)} 名，承办法官 {case.judge or '未指定'}。")


@case_group.command("add-property")
@click.argument("case_number")
@click.option("--name", required=True, help="财产名称，如 东辉公寓1幢501室住宅")
@click.option("--kind", default="房产", show_default=True, help="财产类型：" + "、".join(PROPERTY_KINDS.values()))
@click.option("--address", default="", help="坐落地址（房产按此在基准表中查找楼幢）")
@click.option("--building-id", default="", help="基准表的楼幢编号（知道时填写）")
@click.option("--unit", "unit_label", default="", help="室号")
@click.option("--seized-on", help="查封日期 YYYY-MM-DD（参考价规定第一条：查封后三十日内启动）")
@click.option("--by", "actor", required=True, help="登记人用户名")
def add_property(case_number, name, kind, address, building_id, unit_label, seized_on, actor) -> None:
    """登记案件的处置财产（标的物）；房产在当前基准表中有对应楼幢时关联之。"""
    if kind not in KIND_WORDS:
        fail(f"财产类型“{kind}”不正确；应为 {'、'.join(PROPERTY_KINDS.values())} 之一。")
    lot = _run(lambda: service.add_lot(unit_of_work(), case_number, name, seized_on=typed_date(seized_on, "查封日期"),
                                       actor=actor, now=now_local(), kind=KIND_WORDS[kind], address=address,
                                       building_id=building_id, unit_label=unit_label))
    linked = f"，已关联基准表楼幢 {lot.building_id}" if lot.building_id else ""
    click.echo(f"已登记财产 #{lot.id} {lot.name}（{PROPERTY_KINDS[lot.kind]}）{linked}。")


@case_group.command("list")
@click.option("--court", "court_code", help="法院代字；不填则列出全部法院")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def list_cases(court_code: str | None, as_json: bool) -> None:
    """列出已登记的执行案件。"""
    rows = _run(lambda: service.cases(unit_of_work(), court_code))
    if as_json:
        echo_json([{"case_number": c.case_number, "court_code": c.court_code, "judge": c.judge,
                    "parties": len(c.parties), "properties": len(c.lots)} for c in rows])
        return
    if not rows:
        click.echo("尚未登记案件。")
    for c in rows:
        click.echo(f"{c.case_number}  {c.court_code}  承办法官 {c.judge or '—'}  当事人 {len(c.parties)}  财产 {len(c.lots)}")


def case_summary(case_number: str) -> dict:
    """What ``case show`` prints (also its JSON): parties, property, results and the price in force."""
    uow = unit_of_work()
    case = service.get_case(uow, case_number)
    out = {"case_number": case.case_number, "court_code": case.court_code, "judge": case.judge,
           "parties": [{"id": p.id, "role": p.role, "role_name": PARTY_ROLES[p.role], "name": p.name,
                        "contact": p.contact, "address_for_service": p.address_for_service} for p in case.parties],
           "properties": []}
    for lot in case.lots:
        found = service.price_state(uow, lot.id)
        price = None
        if found:
            record, state = found
            price = {"id": record.id, "method": record.method, "method_name": rp.METHOD_NAMES[rp.Method(record.method)],
                     "value_fen": record.value_fen, "value": rp.yuan(record.value_fen), "fixed_on": record.fixed_on,
                     "fixed_by": record.fixed_by, "valid_until": record.valid_until, "reason": record.reason,
                     "objection_window_due": state.objection_window_due
                     if state.objection_window_due and state.objection_window_due.year < 9999 else None,
                     "open_objections": state.open_objections, "replaced_by": state.replaced_by}
        out["properties"].append({
            "id": lot.id, "name": lot.name, "kind": lot.kind, "kind_name": PROPERTY_KINDS.get(lot.kind, lot.kind),
            "building_id": lot.building_id, "seized_on": lot.seized_on, "appraisal_firms": lot.appraisal_firms,
            "results": [{"id": r.id, "kind": r.kind, "kind_name": rules.REPORT_KIND_NAMES[rules.ReportKind(r.kind)],
                         "source": r.source, "value_fen": r.value_fen,
                         "value": rp.yuan(r.corrected_value_fen or r.value_fen) if r.value_fen else None,
                         "issued_on": r.issued_on, "received_on": r.received_on, "valid_until": r.valid_until,
                         "forwarded_on": r.forwarded_on, "receipt_code": r.receipt_code} for r in lot.reports],
            "reference_price": price})
    return out


@case_group.command("show")
@click.argument("case_number")
@click.option("--json", "as_json", is_flag=True, help="以 JSON 输出")
def show(case_number: str, as_json: bool) -> None:
    """案件详情：当事人、财产、询价评估结果和现行参考价。"""
    data = _run(lambda: case_summary(case_number))
    if as_json:
        echo_json(data)
        return
    click.echo(f"{data['case_number']}（{data['court_code']}）承办法官 {data['judge'] or '—'}")
    for p in data["parties"]:
        click.echo(f"  {p['role_name']}：{p['name']}  电话 {p['contact'] or '—'}  送达地址 {p['address_for_service'] or '—'}")
    for lot in data["properties"]:
        linked = f"  楼幢 {lot['building_id']}" if lot["building_id"] else ""
        click.echo(f"财产 #{lot['id']} {lot['name']}（{lot['kind_name']}）{linked}")
        for r in lot["results"]:
            click.echo(f"    结果 #{r['id']} {r['source']}{r['kind_name']}：{r['value'] or '—'} 元"
                       f"  出具 {r['issued_on'] or r['received_on'] or '—'}  有效期至 {r['valid_until'] or '—'}")
        price = lot["reference_price"]
        if price:
            click.echo(f"    参考价：{price['value']} 元（{price['method_name']}，{price['fixed_on']} 由 {price['fixed_by']} 确定，"
                       f"有效期至 {price['valid_until'] or '—'}）")
            if price["replaced_by"]:
                click.echo(f"    注意：{price['replaced_by']}")
        else:
            click.echo("    参考价：尚未确定")


# ================================================================ price

@click.group("price")
def price_group() -> None:
    """确定参考价（参考价规定）：议价、定向询价、网络询价、委托评估，确定参考价。"""


def _property_id(uow, case_number: str, property_id: int) -> int:
    return _run(lambda: service.lot_of_case(uow, case_number, property_id)).id


@price_group.command("next-method")
@click.argument("case_number")
@click.argument("property_id", type=int)
@click.option("--party-refuses", is_flag=True, help="一方当事人拒绝议价或者下落不明（第四条）")
@click.option("--has-tax-price", is_flag=True, help="财产有计税基准价、政府定价或政府指导价（第五条）")
@click.option("--needs-inspection", is_flag=True, help="需由专业人员现场勘验或者鉴定（第七条）")
@click.option("--failed", multiple=True, type=click.Choice([m.value for m in rp.Method]), help="已尝试不成的方式")
@click.option("--by", "actor", required=True)
def next_method(case_number, property_id, party_refuses, has_tax_price, needs_inspection, failed, actor) -> None:
    """按法定顺序（第二条）和各方式的条件，确定下一步采用的方式。"""
    uow = unit_of_work()  # one unit of work for the command
    lot_id = _property_id(uow, case_number, property_id)
    facts = rp.PropertyFacts(party_refuses_or_missing=party_refuses, has_tax_or_government_price=has_tax_price,
                             needs_site_inspection=needs_inspection)
    choice = _run(lambda: service.choose_method(uow, lot_id, facts, failed=failed, actor=actor,
                                                now=now_local()))
    name = rp.METHOD_NAMES[choice.method] if choice.method else "另行委托下一顺序评估机构"
    click.echo(f"应采用：{name}（{choice.article}）。{choice.reason}")


@price_group.command("negotiate")
@click.argument("case_number")
@click.argument("property_id", type=int)
@click.option("--submission", "submissions", multiple=True, required=True,
              help="当事人提交的议价结果：当事人姓名或名称=金额（元）；可多次")
@click.option("--on", "agreed_on", required=True, help="议价结果提交日期 YYYY-MM-DD")
@click.option("--valid-until", help="当事人协商的有效期截止日（不超过一年，第二十七条第二款）")
@click.option("--by", "actor", required=True)
def negotiate(case_number, property_id, submissions, agreed_on, valid_until, actor) -> None:
    """登记当事人议价结果：全部当事人提交的结果一致时为议价结果（参考价规定第四条第二款）。"""
    uow = unit_of_work()  # one unit of work for the command
    case = _run(lambda: service.get_case(uow, case_number))
    lot_id = _property_id(uow, case_number, property_id)
    by_name = {p.name: p.id for p in case.parties}
    values: dict[int, int] = {}
    for item in submissions:
        if "=" not in item:
            fail(f"议价结果“{item}”格式不对；应为 当事人=金额，如 张三=1280000。")
        name, amount = (x.strip() for x in item.split("=", 1))
        if name not in by_name:
            fail(f"“{name}”不是案件{case.case_number}的当事人；当事人为：{'、'.join(by_name)}。")
        values[by_name[name]] = _fen(amount, f"{name}的议价结果")
    report = _run(lambda: service.record_negotiation(uow, lot_id, values, agreed_on=_date(agreed_on, "提交日期"),
                                                     valid_until=typed_date(valid_until, "有效期截止日"),
                                                     actor=actor, now=now_local()))
    click.echo(f"议价成功：结果 #{report.id} {_yuan(report.value_fen)}，有效期至 {report.valid_until}。")


@price_group.command("directed")
@click.argument("case_number")
@click.argument("property_id", type=int)
@click.option("--receipt", "code", required=True, help="本案即时询价（房产或车辆）结果上的校验码，如 1A2B-3C4D-5E6F")
@click.option("--valid-until", help="有效期截止日（不超过出具之日起一年，第二十七条）")
@click.option("--by", "actor", required=True)
def directed(case_number, property_id, code, valid_until, actor) -> None:
    """定向询价：本案中的即时询价结果作为定向询价结果（参考价规定第五条、第六条）。"""
    uow = unit_of_work()  # one unit of work for the command
    lot_id = _property_id(uow, case_number, property_id)
    report = _run(lambda: service.record_directed_inquiry(uow, lot_id, code,
                                                          valid_until=typed_date(valid_until, "有效期截止日"),
                                                          actor=actor, now=now_local()))
    click.echo(f"已登记定向询价结果 #{report.id}：{report.source} {_yuan(report.value_fen)}，"
               f"{report.issued_on} 出具，有效期至 {report.valid_until}。")


@price_group.command("report")
@click.argument("case_number")
@click.argument("property_id", type=int)
@click.option("--kind", required=True, type=click.Choice(["network_inquiry", "appraisal", "correction"]),
              help="network_inquiry 网络询价报告；appraisal 评估报告；correction 补正说明")
@click.option("--source", required=True, help="出具的平台或评估机构")
@click.option("--value", help="结果金额（元）；平台未出具时不填")
@click.option("--issued-on", help="出具日期（有效期自此起算）")
@click.option("--received-on", help="法院收到日期")
@click.option("--commissioned-on", help="委托日期（网络询价：平台收到委托之日）")
@click.option("--valid-until", help="报告载明的有效期截止日")
@click.option("--extension-requested", is_flag=True, help="平台申请了延期（第十一条第二款）")
@click.option("--corrects", "corrects_report_id", type=int, help="补正说明所针对的结果编号")
@click.option("--by", "actor", required=True)
def report(case_number, property_id, kind, source, value, issued_on, received_on, commissioned_on, valid_until,
           extension_requested, corrects_report_id, actor) -> None:
    """登记网络询价报告、评估报告或补正说明。"""
    uow = unit_of_work()  # one unit of work for the command
    lot_id = _property_id(uow, case_number, property_id)
    fen = _fen(value, "结果金额") if value else None
    row = _run(lambda: service.record_report(
        uow, lot_id, kind, source, fen, received_on=typed_date(received_on, "收到日期"),
        commissioned_on=typed_date(commissioned_on, "委托日期"), valid_until=typed_date(valid_until, "有效期截止日"),
        extension_requested=extension_requested, corrects_report_id=corrects_report_id,
        issued_on=typed_date(issued_on, "出具日期"), actor=actor, now=now_local()))
    click.echo(f"已登记结果 #{row.id}：{row.source} {_yuan(row.value_fen)}，有效期至 {row.valid_until or '—'}。")


@price_group.command("sent")
@click.argument("report_id", type=int)
@click.option("--on", "forwarded_on", help="向当事人发送之日（第二十一条第一款）")
@click.option("--published-on", help="无法送达时在中国执行信息公开网公示之日（第二十一条第二款）")
@click.option("--by", "actor", required=True)
def sent(report_id, forwarded_on, published_on, actor) -> None:
    """登记报告已发送当事人或已公示。"""
    row = _run(lambda: service.mark_report_sent(unit_of_work(), report_id, forwarded_on=typed_date(forwarded_on, "发送日期"),
                                                published_on=typed_date(published_on, "公示日期"), actor=actor,
                                                now=now_local()))
    click.echo(f"已登记：结果 #{row.id} 发送 {row.forwarded_on or '—'}，公示 {row.published_on or '—'}。")


@price_group.command("firms")
@click.argument("case_number")
@click.argument("property_id", type=int)
@click.option("--agreed", help="当事人协商确定的三家评估机构，按顺序以逗号分隔")
@click.option("--candidates", help="摇号候选评估机构名单，逗号分隔（与 --seed 一起登记承诺）")
@click.option("--seed", help="摇号种子（登记时只记录其承诺值；摇号时再次输入同一种子）")
@click.option("--draw", is_flag=True, help="公开种子并摇号（须先登记候选名单和承诺）")
@click.option("--by", "actor", required=True)
def firms(case_number, property_id, agreed, candidates, seed, draw, actor) -> None:
    """委托评估的评估机构：协商确定，或摇号（参考价规定第十六条）。"""
    uow = unit_of_work()  # one unit of work for the command
    lot_id = _property_id(uow, case_number, property_id)
    now = now_local()
    if agreed:
        names = [n.strip() for n in agreed.replace("，", ",").split(",") if n.strip()]
        lot = _run(lambda: service.set_agreed_firms(uow, lot_id, names, actor=actor, now=now))
        click.echo("已确定评估机构顺序：" + "、".join(lot.appraisal_firms))
    elif draw:
        if not seed:
            fail("摇号时应输入登记承诺时的种子（--seed）。")
        drawn = _run(lambda: service.draw_firm_lottery(uow, lot_id, seed, actor=actor, now=now))
        click.echo("摇号结果（顺序）：" + "、".join(drawn))
    elif candidates and seed:
        names = [n.strip() for n in candidates.replace("，", ",").split(",") if n.strip()]
        commitment = _run(lambda: service.commit_firm_lottery(uow, lot_id, names, seed, actor=actor, now=now))
        click.echo(f"已登记候选名单 {len(names)} 家和种子承诺值 {commitment.seed_digest}；摇号时用 --draw --seed 公开种子。")
    else:
        fail("请用 --agreed 登记协商结果，或用 --candidates 和 --seed 登记摇号承诺，或用 --draw --seed 摇号。")


@price_group.command("fix")
@click.argument("case_number")
@click.argument("property_id", type=int)
@click.option("--report", "report_id", type=int, help="作为参考价的结果编号（议价、定向询价、评估报告）；网络询价不填")
@click.option("--network", is_flag=True, help="以按期出具的网络询价结果平均值确定参考价（第十三条）")
@click.option("--on", "today", help="确定日期，默认今天")
@click.option("--by", "actor", required=True)
def fix(case_number, property_id, report_id, network, today, actor) -> None:
    """确定参考价：记录确定人、依据和日期；确定后十日内启动变价程序（第三十条）。"""
    uow = unit_of_work()  # one unit of work for the command
    lot_id = _property_id(uow, case_number, property_id)
    day = typed_date(today, "确定日期") or now_local().date()
    if network:
        record = _run(lambda: service.fix_network_reference_price(uow, lot_id, today=day, actor=actor,
                                                                  now=now_local()))
    elif report_id:
        lot = _run(lambda: service.lot_of_case(uow, case_number, property_id))
        if report_id not in {r.id for r in lot.reports}:
            fail(f"结果 #{report_id} 不属于财产 #{property_id}。")
        record = _run(lambda: service.fix_reference_price(uow, report_id, today=day, actor=actor,
                                                          now=now_local()))
    else:
        fail("请用 --report 指定作为参考价的结果，或用 --network 按网络询价平均值确定。")
    click.echo(f"参考价已确定：{_yuan(record.value_fen)}（{record.reason}）有效期至 {record.valid_until or '—'}。")


@price_group.command("for-lot")
@click.argument("case_number")
@click.argument("property_id", type=int)
@click.option("--announce-on", required=True, help="拍卖公告日期")
@click.option("--bidding-end", required=True, help="竞价结束日期")
def for_lot(case_number, property_id, announce_on, bidding_end) -> None:
    """拍卖标的能否以现行参考价发布（异议期、被取代、有效期，参考价规定第二十二条、第二十三条、第二十七条）。"""
    uow = unit_of_work()  # one unit of work for the command
    lot_id = _property_id(uow, case_number, property_id)
    price = _run(lambda: service.reference_price_for_lot(uow, lot_id,
                                                         announce_on=_date(announce_on, "公告日期"),
                                                         bidding_end=_date(bidding_end, "竞价结束日期"),
                                                         today=now_local().date()))
    click.echo(f"可以发布：参考价 {_yuan(price.value_fen)}，依据：{price.basis}")


# ================================================================ objections (paper filings and the judge's decisions)

@click.group("objection")
def objection_group() -> None:
    """异议：登记书面（含邮寄）异议，法官受理审查、不予受理裁定、复议申请与复议期限延长。"""


@objection_group.command("file")
@click.argument("case_number")
@click.argument("report_id", type=int)
@click.option("--id-number", required=True, help="异议人的证件号码（须为案件登记的当事人或利害关系人）")
@click.option("--ground", "grounds", multiple=True, required=True, type=click.Choice([g.value for g in rules.Ground]),
              help="异议事由（可多次）")
@click.option("--facts", required=True, help="事实")
@click.option("--reasons", required=True, help="理由")
@click.option("--address", default="", help="送达地址（不填用登记地址）")
@click.option("--received-on", required=True, help="异议人收到报告的日期（签收或送达回证上的日期）")
@click.option("--mailed-on", help="邮寄的异议：交邮日期（邮戳，民诉法第八十五条第四款）")
@click.option("--arrived-on", help="法院收到异议的日期，默认今天")
@click.option("--key", default="", help="提交编号（同一编号重复登记只记一次）")
@click.option("--by", "actor", required=True, help="登记人用户名")
def file_paper(case_number, report_id, id_number, grounds, facts, reasons, address, received_on, mailed_on,
               arrived_on, key, actor) -> None:
    """登记书面异议；是否受理由法官审查决定（异议复议规定第二条）。"""
    arrived = typed_date(arrived_on, "收到异议日期")
    now = now_local() if arrived is None else now_local().replace(year=arrived.year, month=arrived.month,
                                                                  day=arrived.day)
    result = _run(lambda: objection_service.file_objection(
        unit_of_work(), case_number=case_number, report_id=report_id, id_number=id_number, grounds=list(grounds),
        facts=facts, reasons=reasons, address_for_service=address, received_report_on=_date(received_on, "收到报告日期"),
        mailed_on=typed_date(mailed_on, "交邮日期"), submission_key=key or None, now=now, actor=actor))
    o = result.objection
    click.echo(("已登记" if result.created else "此前已登记，未重复登记：") + f"异议 #{o.id}（{rules.STATE_NAMES[rules.State(o.state)]}）。"
               f"初步审查意见：{o.assessment}")


@objection_group.command("admit")
@click.argument("objection_id", type=int)
@click.option("--route", type=click.Choice([r.value for r in rules.Route]), help="审查程序（不填用初步审查的程序）")
@click.option("--on", "decided_on", help="立案日期，默认今天")
@click.option("--by", "actor", required=True)
def admit(objection_id, route, decided_on, actor) -> None:
    """立案。"""
    o = _run(lambda: objection_service.decide_admission(unit_of_work(), objection_id, accept=True, route=route,
                                                        decided_on=typed_date(decided_on, "立案日期") or now_local().date(),
                                                        actor=actor, now=now_local()))
    click.echo(f"异议 #{o.id} 已立案：{rules.ROUTE_NAMES[rules.Route(o.route)]}。")


@objection_group.command("refuse")
@click.argument("objection_id", type=int)
@click.option("--reason", required=True, help="不予受理的理由")
@click.option("--on", "decided_on", help="裁定日期，默认今天")
@click.option("--served-on", help="裁定送达日期（自此起十日内可申请复议）")
@click.option("--by", "actor", required=True)
def refuse(objection_id, reason, decided_on, served_on, actor) -> None:
    """裁定不予受理（送达后十日内可申请复议，异议复议规定第二条第三款）。"""
    o = _run(lambda: objection_service.decide_admission(
        unit_of_work(), objection_id, accept=False, reason=reason,
        decided_on=typed_date(decided_on, "裁定日期") or now_local().date(),
        served_on=typed_date(served_on, "送达日期"), actor=actor, now=now_local()))
    click.echo(f"异议 #{o.id} 已裁定不予受理。")


@objection_group.command("review")
@click.argument("objection_id", type=int)
@click.option("--applied-on", required=True, help="收到复议申请的日期")
@click.option("--mailed-on", help="邮寄的复议申请：交邮日期")
@click.option("--by", "actor", required=True)
def review(objection_id, applied_on, mailed_on, actor) -> None:
    """登记复议申请；逾期的不予登记并说明原因。"""
    _run(lambda: objection_service.apply_for_review(unit_of_work(), objection_id,
                                                    applied_on=_date(applied_on, "复议申请日期"),
                                                    mailed_on=typed_date(mailed_on, "交邮日期"), actor=actor,
                                                    now=now_local()))
    click.echo(f"异议 #{objection_id} 的复议申请已登记。")


@objection_group.command("extend-review")
@click.argument("objection_id", type=int)
@click.option("--days", type=click.IntRange(1, 30), default=30, show_default=True)
@click.option("--approved-by", required=True, help="批准的院长")
@click.option("--approved-on", required=True, help="批准日期")
@click.option("--by", "actor", required=True)
def extend_review(objection_id, days, approved_by, approved_on, actor) -> None:
    """登记经院长批准延长复议审查期限（执行程序解释第八条，不超过三十日）。"""
    _run(lambda: objection_service.extend_review(unit_of_work(), objection_id, days=days,
                                                 approved_on=_date(approved_on, "批准日期"), approved_by=approved_by,
                                                 actor=actor, now=now_local()))
    click.echo(f"异议 #{objection_id} 的复议审查期限已延长 {days} 日。")


commands = [case_group, price_group, objection_group]
