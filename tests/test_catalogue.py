"""The one message catalogue: every entry speaks English and Chinese with the same parameters, Chinese with
full-width punctuation; every state has a word; every key the bot and the staff app use is there; one
language detector."""

from __future__ import annotations

import json
import re
from enum import StrEnum
from pathlib import Path

import aiohttp
import pytest

from core.base import i18n
from core.base.auth import Role
from core.base.i18n import DEFAULT_LANGUAGE, LANGUAGES, MESSAGES, language_of, placeholders, status_word, text
from core.floor.picking import PickListStatus, TaskState
from core.orders.notifications import Alert
from core.orders.order import OrderStatus, PaymentMethod, PaymentState
from core.orders.review import Outcome
from core.shipping.aftersales import RequestKind, RequestStatus
from core.shipping.shipments import ShipmentStatus
from core.shipping.tracking import TrackingCode
from core.stock.replenishment import PoStatus
from core.stock.transfers import TransferStatus

ROOT = Path(__file__).resolve().parent.parent
STATES: dict[str, type[StrEnum]] = {
    "order": OrderStatus, "shipment": ShipmentStatus, "pick_list": PickListStatus, "pick_task": TaskState,
    "transfer": TransferStatus, "purchase_order": PoStatus, "aftersales": RequestStatus,
    "aftersales_kind": RequestKind, "tracking": TrackingCode, "payment_method": PaymentMethod,
    "payment": PaymentState, "review": Outcome, "role": Role, "alert": Alert,
}
ASCII_MARKS = ",:;!?()"
URL = re.compile(r"[a-z]+://\S+")  # any address: http(s), sqlite, postgres
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _sample(template: str) -> dict[str, float]:
    return {name: 7.5 for name in placeholders(template)}  # a number serves both "{n}" and "{limit:g}"


def test_every_entry_speaks_english_and_chinese_with_the_same_parameters() -> None:
    wrong = [key for key, entry in MESSAGES.items()
             if set(entry) != set(LANGUAGES) or not all(entry.values())
             or placeholders(entry["en"]) != placeholders(entry["zh"])]
    assert wrong == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_entry_renders(lang: str) -> None:
    for key, entry in MESSAGES.items():
        said = text(key, lang, **_sample(entry[lang]))
        assert said and "{" not in said.replace("{{", ""), key


def _ascii_marks_in_chinese(template: str) -> list[str]:
    """ASCII punctuation of a Chinese text outside its placeholders and URLs, and not between two letters or
    digits of a code ("{host}:{port}", "1,000", "A-01")."""
    plain = PLACEHOLDER.sub("x", URL.sub("x", template))
    return [f"{plain[max(i - 6, 0):i + 6]!r}" for i, mark in enumerate(plain) if mark in ASCII_MARKS
            and not (0 < i < len(plain) - 1 and plain[i - 1].isascii() and plain[i - 1].isalnum()
                     and plain[i + 1].isascii() and plain[i + 1].isalnum())]


def test_chinese_uses_full_width_punctuation() -> None:
    found = {key: marks for key, entry in MESSAGES.items() if (marks := _ascii_marks_in_chinese(entry["zh"]))}
    assert found == {}


def test_the_check_for_ascii_punctuation_sees_it_and_leaves_codes_alone() -> None:
    assert _ascii_marks_in_chinese("已收到:{status}") and _ascii_marks_in_chinese("提醒(点击)")
    assert not _ascii_marks_in_chinese("在 {host}:{port} 上，见 https://x.cn/a?b=1，共 1,000 件。")


@pytest.mark.parametrize("kind", STATES)
def test_every_state_has_a_word_in_both_languages(kind: str) -> None:
    missing = [f"{kind}.{state.value}" for state in STATES[kind] if f"status.{kind}.{state.value}" not in MESSAGES]
    assert missing == []


def test_states_are_said_in_the_words_of_the_article() -> None:
    assert status_word("order", OrderStatus.APPROVED, "zh") == "已审核"
    assert status_word("order", OrderStatus.SHIPPED, "zh") == "已发货"
    assert status_word("shipment", ShipmentStatus.DELIVERED, "zh") == "已签收"
    assert status_word("order", OrderStatus.SHIPPED, "en") == "Shipped"


def test_one_detector_tells_the_language_from_any_source() -> None:
    assert language_of("zh-CN,zh;q=0.9,en;q=0.8") == "zh"  # a browser's Accept-Language
    assert language_of("en-US,zh;q=0.9") == "en"
    assert language_of("fr-FR, zh;q=0.5") == "zh"  # the most preferred language fahuo speaks
    assert language_of("zh-hans") == "zh"  # Telegram's language_code
    assert language_of("zh_CN.UTF-8") == "zh"  # a terminal's locale
    assert language_of("en;q=0, zh;q=0.1") == "zh"
    for nothing in (None, "", "*", "fr", "C.UTF-8"):
        assert language_of(nothing) == DEFAULT_LANGUAGE


def test_every_text_the_bot_says_is_in_the_catalogue() -> None:
    used = {key for path in (ROOT / "bot").glob("*.py")
            for key in re.findall(r"\bsay\(\w+, \"([^\"]+)\"", path.read_text(encoding="utf-8"))}
    assert used and sorted(key for key in used if f"bot.{key}" not in MESSAGES) == []


def _keys_the_app_uses() -> set[str]:
    """Every key the staff app's scripts pass to t(), and the work modes whose names it shows (t(m))."""
    keys: set[str] = set()
    for path in (ROOT / "pwa" / "static").rglob("*.js"):
        if "vendor" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        keys |= set(re.findall(r"\bt\(\"([^\"]+)\"", source))
        modes = re.search(r"const MODES = \{(.*?)\};", source, re.S)
        if modes:
            keys |= set(re.findall(r"\"(\w+)\"", modes.group(1)))
    return keys


async def test_the_staff_app_is_served_every_word_it_uses_in_the_browsers_language(
        http: aiohttp.ClientSession) -> None:
    async with http.get("/texts.json", headers={"Accept-Language": "zh-CN,zh;q=0.9"}) as resp:
        assert resp.status == 200
        served = await resp.json()
    assert served["language"] == "zh"
    used = _keys_the_app_uses()
    assert len(used) > 50
    for lang in LANGUAGES:
        assert sorted(used - set(served["words"][lang])) == []
    assert served["words"]["zh"]["status.order.approved"] == "已审核"
    async with http.get("/texts.json") as resp:
        assert (await resp.json())["language"] == DEFAULT_LANGUAGE


def test_phrases_and_names_inside_a_message_are_said_in_the_readers_language() -> None:
    """The core leaves words as phrases (plain JSON) and names in both languages; text() says them for whoever
    reads the message, however deep they sit."""
    cup = i18n.named("Celadon cup", "青瓷杯")
    expected = i18n.phrase("expect.product", sku="CUP", name=cup, location="A-01-01")
    assert json.loads(json.dumps(expected)) == expected
    assert text("wrong_scan", "zh", expected=expected, got="FH:SKU:TEA") == \
        "扫描错误：应扫描 A-01-01 的商品 CUP（青瓷杯）（收到 FH:SKU:TEA）。"
    assert text("wrong_scan", "en", expected=expected, got="FH:SKU:TEA") == \
        "Wrong scan: expected product CUP (Celadon cup) from A-01-01 (got FH:SKU:TEA)."
    assert i18n.render({"rows": [[cup, 3]]}, "zh") == {"rows": [["青瓷杯", 3]]}
    assert i18n.render(i18n.named("Vase"), "zh") == "Vase"  # no Chinese name: the one it has


def test_an_address_keeps_its_ascii_colon_in_chinese_text() -> None:
    """A host and port (or any "{a}:{b}" of the English) is an address, not a clause: the colon stays ASCII."""
    joined = re.compile(r"\{(\w+)\}:\{(\w+)\}")
    wrong = [key for key, entry in MESSAGES.items() for a, b in joined.findall(entry["en"])
             if f"{{{a}}}:{{{b}}}" not in entry["zh"]]
    assert wrong == []
    assert "127.0.0.1:20010" in text("cli.port", "zh", host="127.0.0.1", port=20010, setting="x", reason="y")
