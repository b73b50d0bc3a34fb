"""The engines behind the pages, imported when a page needs them: if an engine is not installed in this
deployment, its pages answer 503 with a Chinese explanation instead of breaking the whole application."""

from __future__ import annotations

import importlib
from types import ModuleType

from flask import abort, make_response, render_template

ENGINE_NAMES = {
    "xunpai.inquiry_service": "即时询价服务",
    "xunpai.procedure_service": "参考价与异议程序服务",
    "xunpai.publishing_service": "拍卖发布服务",
    "xunpai.outcomes_service": "拍卖结果与统计服务",
    "xunpai.custody_service": "保管与看样服务",
    "xunpai.objection_service": "异议服务",
    "xunpai.service_providers_service": "辅助机构服务",
    "xunpai.baseline_store": "基准表版本库",
}


def service(module: str) -> ModuleType:
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        if exc.name and not module.startswith(exc.name) and exc.name != module:
            raise
        name = ENGINE_NAMES.get(module, module)
        response = make_response(render_template(
            "error.html", status=503, title="功能暂不可用",
            message=f"{name}（{module}）尚未安装在本系统中，此页面暂不能使用。请联系管理员。"), 503)
        abort(response)


def available(module: str) -> bool:
    try:
        importlib.import_module(module)
    except ImportError:
        return False
    return True
