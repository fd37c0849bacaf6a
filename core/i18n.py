"""Texts people read, in English and Chinese, keyed by stable codes shared by the API and the bot."""

from __future__ import annotations

from typing import Any

LANGUAGES = ("en", "zh")

MESSAGES: dict[str, dict[str, str]] = {
    "validation_error": {"en": "The request is not valid: {detail}", "zh": "请求无效:{detail}"},
    "bad_json": {"en": "The body is not valid JSON.", "zh": "请求内容不是有效的 JSON。"},
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
    # carrier choice: the reasons kept with a shipment
    "carrier.region": {"en": "does not deliver to {province}", "zh": "不配送到{province}"},
    "carrier.goods": {"en": "does not carry {classes} goods", "zh": "不承运{classes}货物"},
    "carrier.weight": {"en": "takes at most {limit:g} kg per package, this one is {weight:g} kg",
                       "zh": "每件最多 {limit:g} 千克,此件 {weight:g} 千克"},
    "carrier.side": {"en": "takes sides up to {limit} mm, this package has {side} mm",
                     "zh": "边长最多 {limit} 毫米,此件 {side} 毫米"},
    "carrier.level": {"en": "is {level}, the customer asked for {asked}", "zh": "服务等级为{level},客户要求{asked}"},
    "carrier.dearer": {"en": "costs {price}, {best} {best_price}", "zh": "运费 {price},{best} 为 {best_price}"},
    "carrier.slower": {"en": "arrives {arrives}, {best} by {best_arrives}",
                       "zh": "{arrives} 送达,{best} {best_arrives} 即可送达"},
    "carrier.late": {"en": "arrives {arrives}, after the requested {requested}; {best} arrives by {best_arrives}",
                     "zh": "{arrives} 送达,晚于要求的 {requested};{best} {best_arrives} 即可送达"},
    "carrier.by_price": {"en": "lowest price, then arrival", "zh": "运费最低,其次到达最早"},
    "carrier.by_speed": {"en": "fastest arrival, then price", "zh": "最快送达,其次运费最低"},
    "carrier.date_by_price": {"en": "arrives by the requested {requested}, then lowest price",
                              "zh": "在要求的 {requested} 前送达,其次运费最低"},
    "carrier.date_by_speed": {"en": "arrives by the requested {requested}, then fastest arrival",
                              "zh": "在要求的 {requested} 前送达,其次最快送达"},
    "carrier.date_missed": {"en": "no carrier arrives by the requested {requested}: fastest arrival",
                            "zh": "没有承运商能在要求的 {requested} 前送达:选最快送达"},
    "carrier.by_staff": {"en": "chosen by staff", "zh": "由员工指定"},
    "carrier.chosen": {"en": "{carrier}: {basis} ({price} CNY, arrives {arrives})",
                       "zh": "{carrier}:{basis}(运费 {price} 元,{arrives} 送达)"},
    "carrier.none": {"en": "no carrier can take this shipment: {reasons}", "zh": "没有承运商能承运此发运:{reasons}"},
    "unknown_province": {"en": "an unknown province", "zh": "未知省份"},
    "goods.normal": {"en": "normal", "zh": "普通"},
    "goods.fragile": {"en": "fragile", "zh": "易碎"},
    "goods.liquid": {"en": "liquid", "zh": "液体"},
    "goods.cold": {"en": "cold", "zh": "冷链"},
    "goods.hazardous": {"en": "hazardous", "zh": "危险品"},
    "service.economy": {"en": "economy", "zh": "经济"},
    "service.standard": {"en": "standard", "zh": "标准"},
    "service.express": {"en": "express", "zh": "特快"},
}

SEPARATOR = {"en": ", ", "zh": "、"}  # between items of a list inside a sentence


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
