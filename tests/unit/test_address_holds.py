"""The address rule holds an order only where a person must settle where the goods go; a phone of another
province (unless the setting says so) and an address ending at a landmark are notes staff see, not holds."""

from __future__ import annotations

from typing import Any

import pytest

from core.base.i18n import render
from core.base.settings import Settings
from core.orders.order import AddressIn, Order
from core.orders.review import Outcome, ends_at_landmark, judge_address

DEFAULT = Settings(_env_file=None)  # type: ignore[call-arg]
STRICT = Settings(_env_file=None, hold_phone_region=True)  # type: ignore[call-arg]


def _order_from(text: str) -> Order:
    address = AddressIn.model_validate({"text": text})
    fields: dict[str, Any] = address.model_dump(include={"recipient", "phone", "province", "city", "district",
                                                         "line1", "postcode"})
    return Order(id=1, number="SO-1", adcode=address.adcode,
                 address_doubts=[{"key": d.key, "params": d.params} for d in address.doubts], **fields)


def test_the_phone_rule_is_off_by_default():
    assert DEFAULT.hold_phone_region is False


def test_a_beijing_phone_sending_to_hangzhou_is_not_held_by_default_but_noted():
    order = _order_from("张三 13800138000 浙江省杭州市西湖区文三路90号")
    result = judge_address(order, DEFAULT)
    assert result.outcome == Outcome.PASS
    assert result.said is not None
    assert "138 0013 8000" in str(render(result.said, "zh")) and "北京" in str(render(result.said, "zh"))


def test_with_the_phone_rule_on_a_phone_of_another_province_holds_the_order():
    result = judge_address(_order_from("张三 13800138000 浙江省杭州市西湖区文三路90号"), STRICT)
    assert (result.outcome, result.reason.split(" is from")[0]) == (Outcome.HOLD, "phone 138 0013 8000")


@pytest.mark.parametrize("text", ["李四 13912345678 江苏省苏州市吴中区东吴小区",
                                  "王五 13800138000 北京市朝阳区望京SOHO",
                                  "赵六 13800138000 北京市海淀区清华大学紫荆公寓"])
def test_an_address_ending_at_a_landmark_is_not_held_and_staff_see_a_note(text: str):
    result = judge_address(_order_from(text), DEFAULT)
    assert result.outcome == Outcome.PASS
    assert "地址以地点" in str(render(result.said, "zh")) and "not a street number" in result.reason


def test_an_address_with_no_street_at_all_is_still_held():
    assert judge_address(_order_from("张三 13800138000 北京市朝阳区"), DEFAULT).outcome == Outcome.HOLD


@pytest.mark.parametrize(("line", "landmark"), [
    ("漕溪北路88号", False), ("七莘路3009弄12号302室", False), ("丽泽路16号院2号楼", False), ("1 Bench Rd", False),
    ("建国路88号SOHO现代城A座1201", False), ("望京SOHO", True), ("东吴小区", True), ("浙江大学紫金港校区", True),
    ("中关村软件园二期", True)])
def test_a_landmark_is_a_line_without_a_house_number(line: str, landmark: bool):
    assert ends_at_landmark(line) is landmark
