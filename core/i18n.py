"""Texts people read, in English and Chinese, keyed by stable codes shared by the API and the bot."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    "validation_error": {"en": "The request is not valid: {detail}", "zh": "请求无效:{detail}"},
    "bad_json": {"en": "The body is not valid JSON.", "zh": "请求内容不是有效的 JSON。"},
    "no_route": {"en": "There is nothing at {path}.", "zh": "地址 {path} 不存在。"},
    "method_not_allowed": {
        "en": "{method} is not allowed at {path}; use {allowed}.",
        "zh": "地址 {path} 不支持 {method},请使用 {allowed}。",
    },
    "too_large": {"en": "The request is too large.", "zh": "请求内容过大。"},
    "http_error": {"en": "The request was refused ({status}).", "zh": "请求被拒绝({status})。"},
    "internal": {
        "en": "Something went wrong on our side; nothing was changed. Try again.",
        "zh": "服务器出错,未做任何更改。请重试。",
    },
    "not_found": {"en": "{what} {key} was not found.", "zh": "未找到{what} {key}。"},
    "unknown_sku": {"en": "Unknown product SKU: {sku}.", "zh": "未知的商品编码:{sku}。"},
    "unknown_location": {
        "en": "Location {code} does not exist in warehouse {warehouse}.",
        "zh": "仓库 {warehouse} 中没有库位 {code}。",
    },
    "out_of_stock": {
        "en": "Only {available} of {sku} available at {location}; {wanted} needed.",
        "zh": "{location} 的 {sku} 只有 {available} 件可用,需要 {wanted} 件。",
    },
    "invalid_transition": {
        "en": "{document} is {current}; it cannot be {action}.",
        "zh": "{document} 当前状态为 {current},不能{action}。",
    },
    "unauthorized": {"en": "Sign in first: {detail}", "zh": "请先登录:{detail}"},
    "bad_login": {"en": "Wrong user name or password.", "zh": "用户名或密码错误。"},
    "forbidden": {
        "en": "Your role ({role}) may not {action}.",
        "zh": "您的角色({role})无权{action}。",
    },
    "conflict": {"en": "{detail}", "zh": "{detail}"},
    "wrong_scan": {"en": "Wrong scan: {got}. Expected {expected}.", "zh": "扫描错误:{got}。应扫描 {expected}。"},
    "import_failed": {
        "en": "{count} bad rows; nothing was imported.",
        "zh": "有 {count} 行有误,未导入任何数据。",
    },
}


def text(code: str, lang: str = "en", **params: Any) -> str:
    """The message for `code` in `lang` (English when the language or code is unknown)."""
    catalog = MESSAGES.get(code)
    if catalog is None:
        return params.get("detail", code)
    template = catalog.get(lang) or catalog["en"]
    try:
        return template.format(**params)
    except (KeyError, IndexError):
        return catalog["en"]
