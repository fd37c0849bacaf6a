"""Places compared by code: every way of naming a province, city or district means one division, and a carrier
limited to a region serves exactly the places under it, whichever way either was written."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from core.base.places import gazetteer, read_address, short_name
from core.base.regions import PROVINCES, canonical, codes_of, division, place_code
from core.orders.order import AddressIn
from core.shipping.carriers import Carrier, CarrierIn, carrier_view

FORMS = ("full", "short", "latin", "iso", "iso_prefixed", "adcode")


def _forms(code: str) -> dict[str, str]:
    place = gazetteer().by_code[code]
    iso, latin = next((iso, names[0]) for c, iso, names in PROVINCES if c == code)
    return {"full": place.name, "short": short_name(place.name), "latin": latin, "iso": iso,
            "iso_prefixed": f"CN-{iso}", "adcode": code}


def _carrier(*regions: str, **data: Any) -> Carrier:
    body = CarrierIn.model_validate({"code": "REGION", "name": "Region carrier", "regions": list(regions),
                                     "goods_classes": ["normal"], "max_weight_g": 30_000, "transit_days": 2,
                                     "rates": {"first_kg": "10", "per_kg": "2"}, **data})
    return Carrier(**{**body.model_dump(mode="json"), "cutoff": body.cutoff})


def _a_district_of(province: str) -> str:
    return next(code for code, d in sorted(gazetteer().by_code.items())
                if code[:2] == province[:2] and d.county_level and d.level > 1)


@pytest.mark.parametrize("code", [code for code, _, _ in PROVINCES])
def test_every_province_in_every_name_form_is_one_place(code: str):
    for form, name in _forms(code).items():
        found = division(name)
        assert found is not None and found.adcode == code, (form, name)


@pytest.mark.parametrize("form", FORMS)
@pytest.mark.parametrize("code", [code for code, _, _ in PROVINCES])
def test_a_carrier_limited_to_a_province_in_any_name_form_serves_its_districts_and_no_others(code: str, form: str):
    carrier = _carrier(_forms(code)[form])
    assert carrier.regions == [code]
    assert carrier.serves(_a_district_of(code))
    assert carrier.serves(code)
    elsewhere = "650000" if code != "650000" else "310000"
    assert not carrier.serves(_a_district_of(elsewhere))


def test_a_typed_shanghai_address_is_served_by_a_carrier_that_lists_shanghai_short():
    read = read_address("张三 13800138000 上海市徐汇区漕溪北路88号")
    assert _carrier("上海").serves(read.adcode)
    assert _carrier("Shanghai").serves(place_code("上海", "上海", "徐汇区"))


def test_a_carrier_limited_to_a_city_serves_its_districts_only():
    carrier = _carrier("深圳")
    assert carrier.regions == ["440300"]
    assert carrier.serves(place_code("广东省", "深圳市", "南山区"))
    assert not carrier.serves(place_code("广东省", "广州市", "天河区"))
    assert not carrier.serves("440000")  # somewhere in Guangdong, not known to be Shenzhen


def test_a_carrier_limited_to_a_district_serves_that_district_only():
    carrier = _carrier("上海市徐汇区")
    assert carrier.regions == ["310104"]
    assert carrier.serves(read_address("上海市徐汇区漕溪北路88号").adcode)
    assert not carrier.serves(read_address("上海市浦东新区世纪大道100号").adcode)


def test_a_carrier_answers_its_regions_by_their_canonical_names():
    view = carrier_view(_carrier("上海", "GD", "深圳", "北京市朝阳区", "US"))
    assert view["regions"] == ["上海市", "广东省", "广东省深圳市", "北京市朝阳区", "US"]
    assert view["region_codes"] == ["310000", "440000", "440300", "110105", "US"]


def test_a_zone_factor_named_in_any_form_prices_the_places_under_it():
    carrier = _carrier("*", rates={"first_kg": "10", "per_kg": "2", "zones": {"Xinjiang": "1.8", "乌鲁木齐": "2"}})
    assert carrier.rates["zones"] == {"650000": "1.8", "650100": "2"}
    assert str(carrier.price(place_code("新疆", "喀什地区"), 2000)) == "21.60"
    assert str(carrier.price(place_code("新疆", "乌鲁木齐市"), 2000)) == "24.00"
    assert str(carrier.price("330000", 2000)) == "12.00"


@pytest.mark.parametrize("name", ["Atlantis", "火星", "朝阳区"])
def test_a_region_that_names_no_single_place_is_refused_with_a_reason(name: str):
    with pytest.raises(ValidationError) as refused:
        _carrier(name)
    assert refused.value.errors()[0]["type"] == "invalid.region"


def test_a_place_has_its_province_city_and_district_codes():
    assert codes_of("310104") == codes_of(place_code("Shanghai", "", "徐汇区"))
    assert codes_of("310104").province == "310000" and codes_of("310104").district == "310104"
    assert canonical("310104") == "上海市徐汇区" and canonical("441900") == "广东省东莞市"
    assert place_code("吉林", "长春", "朝阳区") == "220104" and place_code("北京", "", "朝阳区") == "110105"


@pytest.mark.parametrize(("province", "city"), [("SH", "Shanghai"), ("Shanghai", "上海"), ("310000", ""),
                                                ("上海", "上海市"), ("CN-SH", "SH")])
def test_an_address_in_parts_naming_its_province_any_way_is_placed_by_code(province: str, city: str):
    address = AddressIn.model_validate({"recipient": "Li Lei", "phone": "+8613800138000", "province": province,
                                        "city": city, "district": "徐汇区", "line1": "漕溪北路88号"})
    assert (address.adcode, address.postcode, address.doubts) == ("310104", "200030", [])
    assert address.province == (province if province == "上海" else "上海市")  # Chinese kept as written
