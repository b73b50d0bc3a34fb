"""The OpenAPI 3.1 document of the JSON API (``web.api``), built in code so that it cannot drift from the
module it describes without the tests noticing (they validate every response against it).

The document is also the API's input check: every request body, path and query parameter is validated against
it before any work (``web.api``'s request hook, through ``validator()``: each schema compiled once by
fastjsonschema, a few microseconds a request). A module that adds routes to the API blueprint adds its
operations to ``document()`` (with ``_op(..., body="ItsSchema")``) and its schemas to ``SCHEMAS`` (or through
``register_schemas``), and gets the same checks and the same Chinese messages. Every number has a range and every
string a length; ``title`` names a field in Chinese and ``description`` says what is expected, both used in the
messages (``explain``).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from typing import Any

import fastjsonschema

from tax_baseline.quote import MAX_AREA

STR = {"type": "string"}
SHORT = {"type": "string", "maxLength": 200}
NSTR = {"type": ["string", "null"]}
INT = {"type": "integer"}
ID = {"type": "integer", "minimum": 1, "maximum": 2_147_483_647, "description": "正整数编号"}
NINT = {"type": ["integer", "null"]}
BOOL = {"type": "boolean"}
DATE = {"type": "string", "format": "date", "maxLength": 10, "description": "年-月-日，如 2024-03-15"}
MONEY = {"type": "string", "pattern": r"^-?\d+(\.\d{1,2})?$", "description": "元，十进制字符串，精确到分"}
AREA = {"type": ["string", "number"], "title": "建筑面积", "exclusiveMinimum": 0, "maximum": MAX_AREA,
        "maxLength": 24, "pattern": r"^\s*[0-9０-９]{1,6}([.．][0-9０-９]{1,2})?\s*(㎡|m²|m2|M2|平方米|平米)?\s*$",
        "description": f"建筑面积（平方米），大于 0、不超过 {MAX_AREA}，最多两位小数，如 89.5"}
FLOOR = {"type": ["string", "integer"], "title": "所在层", "minimum": -10, "maximum": 300, "minLength": 1,
         "maxLength": 40, "description": "所在层，如 5、5/18、中楼层(共18层)"}
CASE_NUMBER = {"type": "string", "title": "案号", "maxLength": 60, "description": "案号，如（2026）浙1081执1234号"}
PURPOSE = {"type": "string", "title": "查询用途", "maxLength": 200}
TEXT = {"type": "string", "maxLength": 20_000}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _obj(properties: dict, required: list[str] | None = None, extra: bool = False) -> dict:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": extra}
    if required:
        schema["required"] = required
    return schema


SCHEMAS: dict[str, dict] = {
    "Error": _obj({"error": _obj({"code": STR, "message": STR, "limit": STR, "field": STR,
                                  "candidates": {"type": "array", "items": _ref("Candidate")}},
                                 ["code", "message"])}, ["error"]),
    "Candidate": _obj({"building_id": STR, "address": STR, "score": {"type": "number"}},
                      ["building_id", "address"]),
    "QuoteRequest": _obj({
        "address": {**SHORT, "title": "坐落", "description": "坐落（与 building_id 二选一）"},
        "building_id": {**SHORT, "maxLength": 64, "title": "楼幢编号"}, "floor": FLOOR,
        "orientation": {**SHORT, "maxLength": 20, "title": "朝向"}, "area": AREA,
        "contract_date": {**DATE, "title": "立契时间"}, "valuation_date": {**DATE, "title": "估价时点"},
        "case_number": CASE_NUMBER, "purpose": PURPOSE},
        ["floor", "area", "contract_date", "case_number", "purpose"]),
    "Factor": _obj({"name": STR, "value": STR, "method": STR, "table": STR,
                    "row": {"type": "object", "additionalProperties": True}},
                   ["name", "value", "method", "table", "row"]),
    "QuoteResult": _obj({
        "building_id": STR, "address": STR, "zone_code": STR, "community_code": STR, "floor_low": INT,
        "floor_high": INT, "total_floors": INT, "orientation": NSTR, "area": MONEY, "contract_date": DATE,
        "valuation_date": DATE, "unit_price": MONEY, "total_price": MONEY,
        "breakdown": {"type": "array", "items": _ref("Factor")}, "version": STR,
        "warnings": {"type": "array", "items": STR}, "rounding_rule": STR, "method": STR},
        ["building_id", "address", "unit_price", "total_price", "breakdown", "version", "area",
         "contract_date", "valuation_date", "warnings", "rounding_rule"]),
    "QuoteResponse": _obj({"verification_code": {"type": "string", "pattern": r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$"},
                           "ledger_seq": INT, "case_number": STR, "purpose": STR,
                           "recorded_at": {"type": "string", "format": "date-time"},
                           "result": _ref("QuoteResult")},
                          ["verification_code", "ledger_seq", "case_number", "purpose", "recorded_at", "result"]),
    "BatchUnit": _obj({"building_id": {**SHORT, "maxLength": 64, "title": "楼幢编号"},
                       "address": {**SHORT, "title": "坐落"}, "floor": FLOOR,
                       "orientation": {**SHORT, "maxLength": 20, "title": "朝向"}, "area": AREA,
                       "contract_date": {**DATE, "title": "立契时间"}, "valuation_date": {**DATE, "title": "估价时点"}},
                      ["floor", "area", "contract_date"]),
    "BatchRequest": _obj({"case_number": CASE_NUMBER, "purpose": PURPOSE,
                          "units": {"type": "array", "items": _ref("BatchUnit"), "minItems": 1, "maxItems": 10000}},
                         ["case_number", "purpose", "units"]),
    "BatchResponse": _obj({"ok": INT, "refused": INT, "ledger_seq": INT, "verification_code": STR,
                           "rows": {"type": "array", "items": {"type": "object",
                                                               "additionalProperties": {"type": "string"}}}},
                          ["ok", "refused", "ledger_seq", "verification_code", "rows"]),
    "NextStep": {"type": ["object", "null"], "properties": {
        "name": STR, "due": {"type": ["string", "null"], "format": "date"}, "provisional": BOOL, "reason": STR,
        "article": STR}, "required": ["name", "due", "provisional"], "additionalProperties": False},
    "Evidence": _obj({"filename": STR, "size": INT, "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"}},
                     ["filename", "size", "sha256"]),
    "Objection": _obj({
        "id": INT, "case_number": STR, "report_id": INT, "grounds": {"type": "array", "items": STR},
        "state": STR, "state_name": STR, "admissible": BOOL, "route": NSTR, "assessment": STR,
        "filed_at": {"type": "string", "format": "date-time"}, "next_step": _ref("NextStep"),
        "evidence": {"type": "array", "items": _ref("Evidence")}},
        ["id", "case_number", "report_id", "grounds", "state", "admissible", "filed_at", "next_step", "evidence"]),
    "ObjectionList": _obj({"objections": {"type": "array", "items": _ref("Objection")}}, ["objections"]),
    "ObjectionFiling": _obj({
        "case_number": CASE_NUMBER, "report_id": {**ID, "title": "评估报告编号"},
        "grounds": {"type": "array", "items": {"type": "string", "enum": [
            "basic_facts", "scope", "qualification", "procedure", "standard", "method", "result",
            "negotiation_fraud", "collusion", "false_inquiry", "wrong_handling"]}, "minItems": 1},
        "facts": {**TEXT, "title": "事实"}, "reasons": {**TEXT, "title": "理由"},
        "address_for_service": {**SHORT, "title": "送达地址"},
        "submission_key": {**SHORT, "maxLength": 100, "description": "客户端生成的提交编号；重复提交返回第一次的异议"},
        "received_report_on": {**DATE, "title": "收到报告日期",
                               "description": "收到报告的日期（签收或送达回证上的日期，不是法院发出日期）"},
        "mailed_on": {**DATE, "title": "交邮日期", "description": "邮寄的异议：交邮日期（民诉法第八十五条第四款）"},
        "evidence": {"type": "array", "maxItems": 20, "items": _obj({
            "filename": {**SHORT, "minLength": 1, "title": "文件名"},
            "content_base64": {"type": "string", "maxLength": 70_000_000, "title": "文件内容",
                               "description": "base64 编码的文件内容"},
            "content_type": {**SHORT, "maxLength": 100}}, ["filename", "content_base64"])}},
        ["case_number", "report_id", "grounds", "facts", "reasons"]),
    "FilingResponse": _obj({"created": BOOL, "objection": _ref("Objection")}, ["created", "objection"]),
    "Decision": _obj({"upheld": {**BOOL, "title": "异议是否成立", "description": "true（异议成立）或 false（驳回）"},
                      "summary": {**TEXT, "title": "裁定摘要"}, "decided_on": {**DATE, "title": "裁定日期"},
                      "served_on": {**DATE, "title": "送达日期"}}, ["upheld"]),
    "Publication": _obj({"platform": STR, "status": STR, "remote_id": NSTR, "url": NSTR, "stage": NSTR,
                         "stage_name": STR}, ["platform", "status"]),
    "Lot": _obj({
        "id": INT, "court_code": STR, "lot_code": STR, "case_number": STR, "title": STR, "kind": STR, "round": STR,
        "status": STR, "outcome": NSTR, "reference_price_fen": NINT, "starting_price_fen": NINT,
        "deposit_fen": NINT, "sale_price_fen": NINT, "publications": {"type": "array", "items": _ref("Publication")}},
        ["id", "court_code", "lot_code", "case_number", "title", "status", "starting_price_fen", "publications"]),
    "LotList": _obj({"lots": {"type": "array", "items": _ref("Lot")}}, ["lots"]),
    "PublishRequest": _obj({"platform": {"type": "string", "title": "平台",
                                         "enum": ["local", "ali", "jd", "rmfysszc", "gpai", "caa"]}}),
    "PublishResult": _obj({"lot_id": INT, "lot_code": STR, "result": STR, "result_name": STR, "remote_id": STR,
                           "url": STR, "idempotency_key": STR, "message": STR, "stage": NSTR},
                          ["lot_id", "lot_code", "result", "result_name", "idempotency_key"]),
    "Me": _obj({"username": STR, "role": {"type": "string", "enum": ["judge", "clerk", "party", "admin"]},
                "court_code": NSTR, "case_numbers": {"type": "array", "items": STR}},
               ["username", "role", "court_code", "case_numbers"]),
}


def _json(schema: str) -> dict:
    return {"content": {"application/json": {"schema": _ref(schema)}}}


def _responses(ok: dict[str, tuple[str, str]], errors: tuple[int, ...] = (401, 403)) -> dict:
    names = {400: "请求格式不正确", 401: "未提供有效的接口令牌", 403: "无权操作", 404: "不存在（或无权知道其存在）",
             409: "办理步骤不合法", 413: "请求过大", 422: "被拒绝：原因见 message"}
    out = {status: {"description": text, **_json(schema)} for status, (text, schema) in ok.items()}
    for status in errors:
        out[str(status)] = {"description": names[status], **_json("Error")}
    return out


def _op(summary: str, responses: dict, *, body: str | None = None, params: list | None = None,
        tag: str = "", body_required: bool = True, roles: tuple[str, ...] = (), body_check: bool = True) -> dict:
    op: dict[str, Any] = {"summary": summary, "responses": responses, "security": [{"bearer": []}]}
    if not body_check:
        op["x-body-check"] = "view"  # the view checks the body itself, with its own messages (web/api_vehicles.py)
    if roles:
        op["x-roles"] = list(roles)  # checked before the body: who may not call it learns nothing of its schema
    if tag:
        op["tags"] = [tag]
    if body:
        op["requestBody"] = {"required": body_required, **_json(body)}
    if params:
        op["parameters"] = params
    return op


def _path_id(name: str) -> dict:
    return {"name": name, "in": "path", "required": True, "schema": ID}


def _query(name: str, description: str, schema: dict | None = None) -> dict:
    return {"name": name, "in": "query", "required": False, "schema": schema or {**SHORT, "maxLength": 64},
            "description": description}


# ============================================================ the reference-price procedure (web.api_cases)
# A separate block (issue 12): the case endpoints and their schemas, merged into the document below.
DATE_OR_NULL = {"type": ["string", "null"], "format": "date"}
MONEY_FEN_OR_NULL = {"type": ["integer", "null"], "minimum": 0, "maximum": 10**15, "description": "整数分"}
CASE_SCHEMAS: dict[str, dict] = {
    "Party": _obj({"id": INT, "role": {"type": "string", "enum": ["applicant", "debtor", "interested_party"]},
                   "role_name": STR, "name": STR, "contact": STR, "address_for_service": STR},
                  ["id", "role", "name"]),
    "PartyInput": _obj({"role": {"type": "string", "title": "当事人身份",
                                 "enum": ["applicant", "debtor", "interested_party"]},
                        "name": {**SHORT, "title": "姓名或名称"},
                        "id_number": {**SHORT, "title": "证件号码", "description": "居民身份证号或统一社会信用代码"},
                        "address_for_service": {**SHORT, "title": "送达地址"}, "contact": {**SHORT, "title": "联系方式"}},
                       ["role", "name", "id_number"]),
    "PriceResult": _obj({"id": INT, "kind": STR, "kind_name": STR, "source": STR, "value_fen": NINT,
                         "value_yuan": NSTR, "original_value_fen": NINT, "issued_on": DATE_OR_NULL,
                         "received_on": DATE_OR_NULL, "valid_until": DATE_OR_NULL, "forwarded_on": DATE_OR_NULL,
                         "receipt_code": NSTR}, ["id", "kind", "source", "value_fen"]),
    "ReferencePrice": _obj({"id": INT, "method": STR, "method_name": STR, "value_fen": INT, "value_yuan": STR,
                            "fixed_on": DATE, "fixed_by": STR, "valid_until": DATE_OR_NULL,
                            "basis": {"type": "array", "items": INT}, "reason": STR,
                            "objection_window_due": DATE_OR_NULL, "open_objections": INT, "replaced_by": STR,
                            "usable": {"type": ["object", "null"], "properties": {"ok": BOOL, "reason": STR},
                                       "additionalProperties": False}},
                           ["id", "method", "value_fen", "fixed_on", "fixed_by"]),
    "Property": _obj({"id": INT, "name": STR, "kind": STR, "kind_name": STR, "address": STR, "building_id": NSTR,
                      "seized_on": DATE_OR_NULL, "appraisal_firms": {"type": "array", "items": STR},
                      "results": {"type": "array", "items": _ref("PriceResult")},
                      "reference_price": {"oneOf": [{"type": "null"}, _ref("ReferencePrice")]}},
                     ["id", "name", "kind", "results", "reference_price"]),
    "Case": _obj({"case_number": STR, "court_code": STR, "judge": STR,
                  "parties": {"type": "array", "items": _ref("Party")},
                  "properties": {"type": "array", "items": _ref("Property")}},
                 ["case_number", "court_code", "parties", "properties"]),
    "CaseList": _obj({"cases": {"type": "array", "items": _ref("Case")}}, ["cases"]),
    "CaseRegistration": _obj({"case_number": CASE_NUMBER, "judge": {**SHORT, "title": "承办法官"},
                              "parties": {"type": "array", "title": "当事人", "items": _ref("PartyInput"),
                                          "minItems": 2, "maxItems": 200}},
                             ["case_number", "parties"]),
    "PropertyRegistration": _obj({"name": SHORT, "kind": {"type": "string", "enum": [
        "real_estate", "vehicle", "movable", "equity", "land", "other"]}, "address": SHORT, "building_id": SHORT,
        "seized_on": DATE}, ["name"]),
    "Negotiation": _obj({"submissions": {"type": "object", "additionalProperties": MONEY_FEN_OR_NULL,
                                         "description": "当事人编号 → 议价结果（整数分；未提交为 null）"},
                         "agreed_on": DATE, "valid_until": DATE}, ["submissions", "agreed_on"]),
    "DirectedInquiry": _obj({"receipt_code": {**SHORT, "description": "本案询价结果（房产或车辆）的校验码"},
                             "valid_until": DATE}, ["receipt_code"]),
    "ReportInput": _obj({"kind": {"type": "string", "enum": ["network_inquiry", "appraisal", "correction"]},
                         "source": SHORT, "value_fen": MONEY_FEN_OR_NULL, "issued_on": DATE, "received_on": DATE,
                         "commissioned_on": DATE, "valid_until": DATE, "forwarded_on": DATE,
                         "extension_requested": BOOL, "corrects_report_id": {**ID, "type": ["integer", "null"]}}, ["kind", "source"]),
    "FixPrice": _obj({"report_id": ID, "network": BOOL}),
    "Admission": _obj({"accept": BOOL, "route": {"type": ["string", "null"], "maxLength": 64}, "reason": TEXT, "decided_on": DATE, "served_on": DATE},
                      ["accept"]),
    "ReviewApplication": _obj({"applied_on": DATE, "mailed_on": DATE}, ["applied_on"]),
    "AgendaItem": _obj({"court_code": STR, "case_number": STR, "subject": STR, "step": STR, "reference": STR,
                        "due": NSTR, "due_label": STR, "article": STR, "overdue": BOOL, "provisional": BOOL,
                        "days_left": NINT, "note": STR}, ["case_number", "subject", "step", "due", "overdue"]),
    "Agenda": _obj({"today": DATE, "items": {"type": "array", "items": _ref("AgendaItem")}}, ["today", "items"]),
}
SCHEMAS.update(CASE_SCHEMAS)


def _case_paths() -> dict:
    case = [{"name": "case_number", "in": "path", "required": True, "schema": STR, "description": "案号"}]
    lot = [_path_id("lot_id")]
    return {
        "/v1/cases": {
            "get": _op("本院执行案件（法官、书记员）", _responses({"200": ("案件", "CaseList")}), tag="案件"),
            "post": _op("登记执行案件及当事人", _responses({"201": ("已登记", "Case")}, (400, 401, 403, 422)),
                        body="CaseRegistration", tag="案件")},
        "/v1/cases/{case_number}": {"get": _op("一个案件：当事人、财产、结果、参考价", _responses(
            {"200": ("案件", "Case")}, (401, 403, 404, 422)), params=case, tag="案件")},
        "/v1/cases/{case_number}/properties": {"post": _op("登记处置财产", _responses(
            {"201": ("已登记", "Property")}, (400, 401, 403, 404, 422)), body="PropertyRegistration", params=case,
            tag="案件")},
        "/v1/properties/{lot_id}/negotiation": {"post": _op("登记议价结果（全部当事人一致，第四条）", _responses(
            {"201": ("议价结果", "PriceResult")}, (400, 401, 403, 404, 422)), body="Negotiation", params=lot,
            tag="参考价")},
        "/v1/properties/{lot_id}/directed-inquiry": {"post": _op("本案询价结果作为定向询价结果（第五条、第六条）",
                                                                 _responses({"201": ("定向询价结果", "PriceResult")},
                                                                            (400, 401, 403, 404, 422)),
                                                                 body="DirectedInquiry", params=lot, tag="参考价")},
        "/v1/properties/{lot_id}/reports": {"post": _op("登记网络询价报告、评估报告或补正说明", _responses(
            {"201": ("结果", "PriceResult")}, (400, 401, 403, 404, 422)), body="ReportInput", params=lot,
            tag="参考价")},
        "/v1/properties/{lot_id}/reference-price": {
            "post": _op("确定参考价（记录确定人、依据、日期）", _responses(
                {"201": ("参考价", "ReferencePrice")}, (400, 401, 403, 404, 422)), body="FixPrice", params=lot,
                tag="参考价"),
            "get": _op("现行参考价；给出 announce_on、bidding_end 时说明能否据以发布（第二十二条、第二十七条）",
                       _responses({"200": ("参考价", "ReferencePrice")}, (401, 403, 404, 422)),
                       params=[*lot, _query("announce_on", "拍卖公告日期"), _query("bidding_end", "竞价结束日期")],
                       tag="参考价")},
        "/v1/objections/{objection_id}/admission": {"post": _op("受理审查：立案或裁定不予受理（法官）", _responses(
            {"200": ("异议", "Objection")}, (400, 401, 403, 404, 409, 422)), body="Admission",
            params=[_path_id("objection_id")], tag="异议")},
        "/v1/objections/{objection_id}/review": {"post": _op("登记复议申请（逾期的被拒绝并说明原因）", _responses(
            {"200": ("异议", "Objection")}, (400, 401, 403, 404, 409, 422)), body="ReviewApplication",
            params=[_path_id("objection_id")], tag="异议")},
        "/v1/agenda": {"get": _op("本院待办期限", _responses({"200": ("期限", "Agenda")}), tag="案件")},
    }
# ============================================================ end of the reference-price block


def document() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {"title": "询拍 xunpai 接口", "version": "1.0",
                 "description": "即时询价、批量询价、异议、拍卖标的。令牌由管理员在“用户”页面签发。金额：询价结果为元的"
                                "十进制字符串（精确到分）；标的金额为整数分。"},
        "servers": [{"url": "/api"}],
        "components": {"schemas": {**SCHEMAS, **VEHICLE_SCHEMAS},
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "paths": {
            **VEHICLE_PATHS,
            "/v1/me": {"get": _op("当前令牌对应的账户", _responses({"200": ("账户", "Me")}, (401,)), tag="账户")},
            "/v1/quote": {"post": _op("即时询价（定向询价，记入台账）", _responses(
                {"200": ("询价结果", "QuoteResponse")}, (400, 401, 403, 422)), body="QuoteRequest", tag="询价", roles=("judge",))},
            "/v1/quote-batch": {"post": _op("批量询价（整批计为一次查询）", _responses(
                {"200": ("逐行结果", "BatchResponse")}, (400, 401, 403, 413, 422)), body="BatchRequest",
                tag="询价", roles=("judge",))},
            "/v1/objections": {
                "get": _op("异议列表（法官：本院；当事人：本人）", _responses({"200": ("异议", "ObjectionList")},
                                                                 (401, 403, 422)),
                           params=[_query("case_number", "只列该案号", CASE_NUMBER)], tag="异议",
                           roles=("judge", "party")),
                "post": _op("提出异议（当事人）", _responses(
                    {"201": ("已登记", "FilingResponse"), "200": ("此前已登记（重复提交）", "FilingResponse")},
                    (400, 401, 403, 404, 422)), body="ObjectionFiling", tag="异议", roles=("party",))},
            "/v1/objections/{objection_id}": {"get": _op("一件异议", _responses(
                {"200": ("异议", "Objection")}, (401, 403, 404)), params=[_path_id("objection_id")], tag="异议",
                roles=("judge", "party"))},
            "/v1/objections/{objection_id}/decision": {"post": _op("作出异议裁定（法官）", _responses(
                {"200": ("裁定后的异议", "Objection")}, (400, 401, 403, 404, 409, 422)), body="Decision",
                params=[_path_id("objection_id")], tag="异议", roles=("judge",))},
            "/v1/lots": {"get": _op("本院标的列表（书记员）", _responses({"200": ("标的", "LotList")}, (401, 403, 422)),
                                    params=[_query("status", "draft | queued | published | ended", {
                                        "type": "string", "title": "状态",
                                        "enum": ["", "draft", "queued", "published", "ended"]})], tag="标的",
                                    roles=("clerk",))},
            "/v1/lots/{lot_id}": {"get": _op("一个标的", _responses({"200": ("标的", "Lot")}, (401, 403, 404)),
                                             params=[_path_id("lot_id")], tag="标的", roles=("clerk",))},
            "/v1/lots/{lot_id}/publish": {"post": _op("一键发布（幂等：重试不会重复发布）", _responses(
                {"200": ("发布结果", "PublishResult")}, (401, 403, 404, 422)), body="PublishRequest", body_required=False,
                params=[_path_id("lot_id")], tag="标的", roles=("clerk",))},
            **_case_paths(),
        },
    }


# ================================================================ vehicles (web/api_vehicles.py) ===============
# The vehicle quote's schemas and paths, merged into the document above (``**VEHICLE_SCHEMAS``,
# ``**VEHICLE_PATHS``); kept apart so that the quote path of web/api.py and this block change independently.

_V_TEXT_OR_NUMBER = {"type": ["string", "number"]}
_V_YUAN = {"type": "string", "pattern": r"^\d+$", "description": "元，整数的十进制字符串"}
_V_NYUAN = {"type": ["string", "null"], "pattern": r"^\d+$", "description": "元，整数的十进制字符串（无区间时为 null）"}

VEHICLE_SCHEMAS: dict[str, dict] = {
    "VehicleQuoteRequest": _obj({
        "name": {**STR, "description": "车型名称（登记证书或挂牌名称），如“宝马5系 2020款 530Li 领先型”"},
        "registration": {**STR, "description": "上牌时间：2021-03、2021年3月、2021年、未上牌"},
        "mileage": {**_V_TEXT_OR_NUMBER, "description": "表显里程：“4.5万公里”或公里数 45000"},
        "city": {**STR, "description": "所在城市，如 银川"},
        "valuation_date": {**DATE, "description": "估价日期（默认今天）"},
        "new_price": {**_V_TEXT_OR_NUMBER, "description": "新车含税价：“34.17万”或元数；车系未见时必填"},
        "gearbox": {"type": "string", "enum": ["自动", "手动"]},
        "inspection": {**STR, "description": "检测结果，如“3处异常”“无异常”"},
        "case_number": {**STR, "description": "案号，如（2026）宁0122执1234号（须为本院案件）"},
        "purpose": {**STR, "description": "询价用途，如 确定财产处置参考价"}},
        ["name", "registration", "mileage", "case_number", "purpose"]),
    "VehicleFactor": _obj({"name": STR, "level": STR, "multiplier": STR, "source": STR},
                          ["name", "level", "multiplier", "source"]),
    "VehicleComparable": _obj({"record_id": STR, "name": STR, "city": STR, "month": STR, "age_months": INT,
                               "mileage_km": {"type": "number"}, "price": STR, "adjustment": STR,
                               "adjusted_price": STR, "distance": {"type": "number"}},
                              ["record_id", "price", "adjustment", "adjusted_price"]),
    "VehicleQuoteResult": _obj({
        "name": STR, "brand": STR, "series_name": STR, "model_year": NINT, "trim": STR, "registration": STR,
        "age_months": INT, "mileage_km": {"type": "number"}, "city": STR, "valuation_date": DATE,
        "new_price": MONEY, "new_price_source": STR, "value": _V_YUAN, "value_fen": INT, "retention": STR,
        "level": {"type": "string", "enum": ["series", "brand"],
                  "description": "series：按车系估价；brand：车辆表中没有该车系，按品牌与类别水平估价（区间较宽）"},
        "level_name": STR, "interval_low": _V_NYUAN, "interval_high": _V_NYUAN, "interval_source": STR,
        "factors": {"type": "array", "items": _ref("VehicleFactor")},
        "comparables": {"type": "array", "items": _ref("VehicleComparable")},
        "curve": {"type": "object", "additionalProperties": True,
                  "description": "历史价格曲线：history（各月价值）、by_age（按车龄）、observed（记录点）"},
        "table_name": STR, "version": STR, "warnings": {"type": "array", "items": STR}, "method": STR,
        "rounding_rule": STR},
        ["name", "brand", "series_name", "value", "value_fen", "new_price", "level", "factors", "version",
         "warnings", "method", "rounding_rule"]),
    "VehicleQuoteResponse": _obj({
        "verification_code": {"type": "string", "pattern": r"^[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}$"},
        "ledger_seq": INT, "case_number": STR, "purpose": STR, "recorded_at": {"type": "string", "format": "date-time"},
        "issued_on": DATE, "issuer": STR, "value_fen": INT, "result": _ref("VehicleQuoteResult")},
        ["verification_code", "ledger_seq", "case_number", "purpose", "recorded_at", "issued_on", "issuer",
         "value_fen", "result"]),
    "VehicleError": _obj({"error": _obj({
        "code": STR, "message": STR, "ledger_seq": NINT, "limit": STR,
        "fields": {"type": "object", "additionalProperties": STR, "description": "字段名 → 该字段的中文说明"},
        "candidates": {"type": "array", "items": STR, "description": "车辆表中相近的车系"}},
        ["code", "message"])}, ["error"]),
}


def _vehicle_responses(ok: tuple[str, str], errors: dict[int, str]) -> dict:
    out = {"200": {"description": ok[0], **_json(ok[1])}}
    for status, schema in errors.items():
        names = {400: "请求体不是 JSON 对象", 401: "未提供有效的接口令牌", 403: "无权操作", 404: "不存在（或无权知道其存在）",
                 422: "被拒绝：原因见 message，逐项说明见 fields"}
        out[str(status)] = {"description": names[status], **_json(schema)}
    return out


VEHICLE_PATHS: dict[str, dict] = {
    "/v1/vehicle-quote": {"post": _op("车辆估价（网络询价式，记入台账，附历史价格曲线与校验码）", _vehicle_responses(
        ("估价结果", "VehicleQuoteResponse"), {400: "VehicleError", 401: "Error", 403: "Error", 422: "VehicleError"}),
        body="VehicleQuoteRequest", tag="车辆估价", body_check=False)},
    "/v1/vehicle-quote/{code}": {"get": _op("按校验码读取本院的一次车辆估价", _vehicle_responses(
        ("估价结果", "VehicleQuoteResponse"), {401: "Error", 403: "Error", 404: "Error"}),
        params=[{"name": "code", "in": "path", "required": True, "schema": STR}], tag="车辆估价")},
}
# ================================================================ end of the vehicle block =====================


# ---------------------------------------------------------------- the input check

def register_schemas(schemas: dict[str, dict]) -> None:
    """Add a module's schema blocks to the document (before the first request; names must be new)."""
    clash = set(schemas) & set(SCHEMAS)
    if clash:
        raise ValueError(f"schemas defined twice: {sorted(clash)}")
    SCHEMAS.update(schemas)
    _checks.cache_clear()
    validator.cache_clear()


@functools.cache
def validator(schema: str) -> Callable[[Any], Any]:
    """The compiled check of one schema of the document (raises ``fastjsonschema.JsonSchemaValueException``)."""
    return fastjsonschema.compile({"$ref": f"#/components/schemas/{schema}",
                                   "components": {"schemas": document()["components"]["schemas"]}})


class Check:
    """What the document says a request of one operation must carry: its body's schema, its parameters'."""

    def __init__(self, operation: dict):
        body = operation.get("requestBody")
        if operation.get("x-body-check") == "view":
            body = None
        self.body = body["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1] if body else None
        self.body_required = bool(body and body.get("required"))
        self.roles = tuple(operation.get("x-roles", ()))
        self.path_params: list[tuple[str, dict, Callable]] = []
        self.query_params: list[tuple[str, dict, Callable]] = []
        for param in operation.get("parameters", []):
            entry = (param["name"], param["schema"], fastjsonschema.compile(param["schema"]))
            (self.path_params if param["in"] == "path" else self.query_params).append(entry)


@functools.cache
def _checks() -> dict[tuple[str, str], Check]:
    return {(path, method.upper()): Check(operation) for path, operations in document()["paths"].items()
            for method, operation in operations.items()}


_RULE_ARGUMENT = re.compile(r"<(?:[^:<>]+:)?([^<>]+)>")


def check_for(rule: str, method: str) -> Check | None:
    """The check of the operation served by a Flask rule (``/v1/objections/<int:objection_id>``), or None when
    the document does not describe it."""
    return _checks().get((_document_path(rule), method))


@functools.cache
def _document_path(rule: str) -> str:
    """The document's path of a Flask rule (asked at every API request; the rules are few and fixed)."""
    return _RULE_ARGUMENT.sub(r"{\1}", rule)


TYPE_NAMES = {"string": "文本", "integer": "整数", "number": "数", "boolean": "true 或 false", "object": "对象",
              "array": "数组", "null": "null"}
FORMAT_NAMES = {"date": "日期（年-月-日，如 2024-03-15）", "date-time": "时间（如 2024-03-15T09:30:00）"}


def _field(path: list) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if str(part).isdigit() else (f".{part}" if out else str(part))
    return out


def _shown(value: Any) -> str:
    if isinstance(value, str):
        text = value if len(value) <= 40 else value[:40] + "…"
        return f"“{text}”"
    if isinstance(value, bool) or value is None:
        return {True: "true", False: "false", None: "null"}[value]
    if isinstance(value, int | float):
        return repr(value)
    return TYPE_NAMES["object" if isinstance(value, dict) else "array"]


def _named(name: str, schema: dict) -> str:
    return f"{name}（{schema['title']}）" if schema.get("title") else name


def explain(exc: fastjsonschema.JsonSchemaValueException, root: str = "") -> tuple[str, str]:
    """The field and the Chinese message of a failed check: what is wrong, and what is expected."""
    path = list(exc.path[1:]) if exc.path else []
    if root:
        path = [root, *path]
    field = _field(path)
    schema = exc.definition if isinstance(exc.definition, dict) else {}
    value, rule, limit = exc.value, exc.rule, exc.rule_definition
    label = _named(field, schema) if field else "请求体"
    expected = schema.get("description", "")
    inside = f"{field} 中" if field else "请求体中"
    if rule == "required":
        missing = [name for name in limit if not (isinstance(value, dict) and name in value)] or list(limit)
        props = schema.get("properties", {})
        return _field([*path, missing[0]]), f"{inside}缺少 {'、'.join(_named(m, props.get(m, {})) for m in missing)}。"
    if rule == "additionalProperties":
        props = schema.get("properties", {})
        extra = [name for name in value if name not in props] if isinstance(value, dict) else []
        return (_field([*path, extra[0]]) if extra else field,
                f"{inside}有未定义的字段 {'、'.join(map(str, extra))}；可用的字段为 {'、'.join(props)}。")
    if rule == "type":
        types = limit if isinstance(limit, list) else [limit]
        message = f"{label}应为{'或'.join(TYPE_NAMES.get(t, t) for t in types)}，收到 {_shown(value)}。"
    elif rule in ("maximum", "exclusiveMaximum"):
        message = f"{label}{'不能大于' if rule == 'maximum' else '应小于'} {limit}，收到 {_shown(value)}。"
    elif rule in ("minimum", "exclusiveMinimum"):
        message = f"{label}{'不能小于' if rule == 'minimum' else '应大于'} {limit}，收到 {_shown(value)}。"
    elif rule == "maxLength":
        message = f"{label}太长：最多 {limit} 个字符，收到 {len(value)} 个。"
    elif rule == "minLength":
        message = f"{label}不能为空。" if limit == 1 else f"{label}至少 {limit} 个字符。"
    elif rule == "maxItems":
        message = f"{label}最多 {limit} 项，收到 {len(value)} 项。"
    elif rule == "minItems":
        message = f"{label}至少应有 {limit} 项。"
    elif rule == "enum":
        message = f"{label}应为以下之一：{'、'.join(str(v) for v in limit if v != '')}，收到 {_shown(value)}。"
        expected = ""
    elif rule == "format":
        message = f"{label}应为{FORMAT_NAMES.get(limit, limit)}，收到 {_shown(value)}。"
        expected = ""
    elif rule == "pattern":
        message = f"{label}格式不正确，收到 {_shown(value)}。"
    else:
        message = f"{label}不符合要求，收到 {_shown(value)}。"
    if expected:
        message += f"应为：{expected}。"
    return field, message
