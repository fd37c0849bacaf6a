"""Reading free-text Chinese addresses: the test set's accuracy, and the cases people meet most."""

from __future__ import annotations

from bench.addresses import load, wrong
from core.base.places import read_address, written


def test_the_test_set_is_read_to_the_right_district_at_least_98_times_in_100() -> None:
    rows = load()
    missed = wrong(rows)
    assert len(rows) >= 300
    assert 1 - len(missed) / len(rows) >= 0.98, missed[:10]


def test_names_and_phones_are_found_in_pastes_of_any_order() -> None:
    rows = [row for row in load() if row["name"]]
    found = [(read_address(row["text"]).name, read_address(row["text"]).phone) for row in rows]
    right = sum(got == (row["name"], row["phone"]) for got, row in zip(found, rows, strict=True))
    assert right / len(rows) >= 0.95


def test_same_named_districts_are_told_apart_by_the_rest_of_the_text() -> None:
    assert read_address("长春市朝阳区人民大街1号").adcode == "220104"
    assert read_address("北京朝阳区建国路88号").adcode == "110105"
    assert read_address("福州鼓楼区五四路1号").adcode == "350102"
    assert read_address("南京鼓楼区中山路1号").adcode == "320106"
    # nothing but the phone's region says which 朝阳区 (139 0431 … is given out in Changchun)
    assert read_address("朝阳区红旗街8号 王芳 13904310000").city == "长春市"


def test_a_paste_gives_every_part_with_the_districts_centre() -> None:
    read = read_address("收货人：赵六\n手机号码：15011112222\n所在地区：浙江省杭州市西湖区\n"
                        "详细地址：文三路90号 邮编310012")
    assert (read.province, read.city, read.district, read.line) == ("浙江省", "杭州市", "西湖区", "文三路90号")
    assert (read.name, read.phone, read.postcode, read.adcode) == ("赵六", "15011112222", "310012", "330106")
    assert read.lat is not None and 30 < read.lat < 31 and 119 < (read.lon or 0) < 121
    assert read.confidence >= 0.9  # the phone (a Beijing number) disagrees: a little less sure


def test_an_address_without_a_district_says_so_and_is_not_sure() -> None:
    read = read_address("广州市 体育西路1号")
    assert not read.placed and read.city == "广州市"
    assert [d.key for d in read.doubts] == ["address_unplaced"]
    assert read.confidence < 0.5
    assert [d.key for d in read_address("就放门口吧").doubts] == ["address_unplaced"]


def test_a_postcode_or_a_phone_of_another_province_is_a_doubt() -> None:
    assert [d.key for d in read_address("上海市徐汇区漕溪北路201号 510000").doubts] == ["postcode_elsewhere"]
    assert [d.key for d in read_address("上海市徐汇区漕溪北路201号 王芳 13904310000").doubts] == ["phone_elsewhere"]
    assert read_address("上海市徐汇区漕溪北路201号 200030").doubts == []


def test_an_address_on_one_line_names_each_place_once() -> None:
    assert written("上海市", "上海市", "徐汇区", "漕溪北路201号") == "上海市 徐汇区 漕溪北路201号"
    assert written("上海市", "上海", "徐汇区", "漕溪北路201号") == "上海市 徐汇区 漕溪北路201号"
    # an address with no street keeps its text as the line: the place is not said again after itself
    assert written("北京市", "北京市", "朝阳区", "北京市朝阳区") == "北京市 朝阳区"
    assert written("北京市", "北京市", "朝阳区", "北京朝阳区建国路88号") == "北京市 朝阳区 建国路88号"
    assert written("广东省", "广州市", "天河区", "天河路385号", between="") == "广东省广州市天河区天河路385号"
    assert written("", "", "", "Room 1203, 88 Zhangjiang Road") == "Room 1203, 88 Zhangjiang Road"
