"""Makes addresses.tsv: real places written in the many shapes customers paste them, with the parts expected.

Run once (`python tests/data/make_addresses.py`); the file is kept, so the test reads the same set every time.
Each place below is checked against the divisions fahuo ships, so an expected part is never a typo.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from core.base.places import gazetteer, short_name

# province, city, district, a street in it
PLACES = [
    ("北京市", "北京市", "东城区", "东直门南大街5号"), ("北京市", "北京市", "朝阳区", "建国路88号SOHO现代城A座1201"),
    ("北京市", "北京市", "海淀区", "中关村大街27号"), ("北京市", "北京市", "丰台区", "丽泽路16号院2号楼"),
    ("北京市", "北京市", "通州区", "新华西街58号"), ("北京市", "北京市", "昌平区", "回龙观西大街9号"),
    ("上海市", "上海市", "黄浦区", "南京东路299号"), ("上海市", "上海市", "浦东新区", "世纪大道100号环球金融中心"),
    ("上海市", "上海市", "徐汇区", "漕溪北路201号"), ("上海市", "上海市", "闵行区", "七莘路3009弄12号302室"),
    ("上海市", "上海市", "静安区", "南京西路1266号恒隆广场"), ("天津市", "天津市", "和平区", "南京路189号"),
    ("天津市", "天津市", "滨海新区", "响螺湾迎宾大道1988号"), ("重庆市", "重庆市", "渝中区", "解放碑民族路166号"),
    ("重庆市", "重庆市", "沙坪坝区", "三峡广场天陈路2号"), ("重庆市", "重庆市", "江北区", "观音桥步行街7号"),
    ("广东省", "广州市", "天河区", "体育西路191号中石化大厦B塔"), ("广东省", "广州市", "越秀区", "北京路328号"),
    ("广东省", "广州市", "番禺区", "市桥街繁华路12号"), ("广东省", "深圳市", "南山区", "科技园科苑路15号"),
    ("广东省", "深圳市", "福田区", "深南大道6008号"), ("广东省", "深圳市", "宝安区", "新安街道宝城67区"),
    ("广东省", "东莞市", "东莞市", "长安镇振安中路88号"), ("广东省", "佛山市", "顺德区", "大良街道德和路3号"),
    ("广东省", "珠海市", "香洲区", "情侣中路47号"), ("广东省", "中山市", "中山市", "石岐区孙文中路9号"),
    ("江苏省", "南京市", "鼓楼区", "中山北路30号"), ("江苏省", "南京市", "玄武区", "珠江路88号新世界中心"),
    ("江苏省", "苏州市", "姑苏区", "观前街18号"), ("江苏省", "苏州市", "昆山市", "前进中路268号"),
    ("江苏省", "无锡市", "梁溪区", "中山路333号"), ("江苏省", "徐州市", "鼓楼区", "淮海东路11号"),
    ("江苏省", "常州市", "武进区", "湖塘镇花园街2号"), ("浙江省", "杭州市", "西湖区", "文三路90号东部软件园"),
    ("浙江省", "杭州市", "余杭区", "五常街道文一西路969号"), ("浙江省", "宁波市", "鄞州区", "天童南路588号"),
    ("浙江省", "温州市", "鹿城区", "人民东路1号"), ("浙江省", "金华市", "义乌市", "福田街道国际商贸城二区"),
    ("福建省", "福州市", "鼓楼区", "五四路158号"), ("福建省", "厦门市", "思明区", "鹭江道8号"),
    ("福建省", "泉州市", "晋江市", "青阳街道世纪大道1号"), ("山东省", "济南市", "历下区", "泉城路180号"),
    ("山东省", "青岛市", "市南区", "香港中路10号"), ("山东省", "烟台市", "芝罘区", "南大街166号"),
    ("河南省", "郑州市", "金水区", "花园路39号"), ("河南省", "开封市", "鼓楼区", "中山路中段1号"),
    ("河南省", "洛阳市", "西工区", "中州中路286号"), ("湖北省", "武汉市", "洪山区", "珞喻路1037号"),
    ("湖北省", "武汉市", "江汉区", "解放大道690号"), ("湖北省", "仙桃市", "仙桃市", "干河街道仙桃大道1号"),
    ("湖南省", "长沙市", "岳麓区", "麓山南路932号"), ("湖南省", "长沙市", "芙蓉区", "五一大道389号"),
    ("四川省", "成都市", "武侯区", "人民南路四段11号"), ("四川省", "成都市", "锦江区", "春熙路南段8号"),
    ("四川省", "绵阳市", "涪城区", "临园路东段66号"), ("陕西省", "西安市", "雁塔区", "小寨西路26号"),
    ("陕西省", "西安市", "碑林区", "东大街118号"), ("辽宁省", "沈阳市", "和平区", "南京北街206号"),
    ("辽宁省", "大连市", "中山区", "人民路23号"), ("辽宁省", "朝阳市", "双塔区", "朝阳大街三段55号"),
    ("吉林省", "长春市", "朝阳区", "人民大街5988号"), ("吉林省", "吉林市", "船营区", "北京路1号"),
    ("吉林省", "延边朝鲜族自治州", "延吉市", "光明街88号"), ("黑龙江省", "哈尔滨市", "南岗区", "西大直街92号"),
    ("黑龙江省", "大庆市", "萨尔图区", "纬二路2号"), ("河北省", "石家庄市", "长安区", "中山东路39号"),
    ("河北省", "保定市", "竞秀区", "朝阳北大街1号"), ("山西省", "太原市", "小店区", "长风街1号"),
    ("内蒙古自治区", "呼和浩特市", "新城区", "中山东路8号"),
    ("内蒙古自治区", "鄂尔多斯市", "东胜区", "鄂尔多斯大街1号"),
    ("广西壮族自治区", "南宁市", "青秀区", "民族大道136号"), ("广西壮族自治区", "桂林市", "秀峰区", "中山中路16号"),
    ("云南省", "昆明市", "五华区", "东风西路11号"), ("云南省", "大理白族自治州", "大理市", "人民路255号"),
    ("贵州省", "贵阳市", "南明区", "中华南路1号"), ("贵州省", "黔东南苗族侗族自治州", "凯里市", "北京东路9号"),
    ("海南省", "海口市", "美兰区", "海甸岛人民大道58号"), ("海南省", "三亚市", "天涯区", "解放路1号"),
    ("安徽省", "合肥市", "蜀山区", "长江西路200号"), ("安徽省", "芜湖市", "镜湖区", "中山北路77号"),
    ("江西省", "南昌市", "东湖区", "八一大道357号"), ("甘肃省", "兰州市", "城关区", "东岗西路638号"),
    ("青海省", "西宁市", "城西区", "五四大街18号"), ("宁夏回族自治区", "银川市", "兴庆区", "解放西街2号"),
    ("新疆维吾尔自治区", "乌鲁木齐市", "天山区", "解放北路88号"),
    ("新疆维吾尔自治区", "喀什地区", "喀什市", "人民东路1号"),
    ("西藏自治区", "拉萨市", "城关区", "北京中路48号"), ("吉林省", "长春市", "南关区", "人民大街2号"),
    ("辽宁省", "朝阳市", "龙城区", "新华路三段1号"), ("福建省", "漳州市", "芗城区", "延安北路21号"),
]
# Written by hand: same-named districts told apart by the rest, streets named after other cities, odd spacing.
HAND = [
    ("朝阳区建国路88号 长春", "吉林省", "长春市", "朝阳区", "", ""),
    ("长春朝阳区人民大街1号", "吉林省", "长春市", "朝阳区", "", ""),
    ("吉林 朝阳区 红旗街8号", "吉林省", "长春市", "朝阳区", "", ""),
    ("北京朝阳区望京街10号", "北京市", "北京市", "朝阳区", "", ""),
    ("福州鼓楼区五一北路1号", "福建省", "福州市", "鼓楼区", "", ""),
    ("福建省鼓楼区东街口3号", "福建省", "福州市", "鼓楼区", "", ""),
    ("徐州鼓楼区中山北路2号", "江苏省", "徐州市", "鼓楼区", "", ""),
    ("开封市鼓楼区自由路6号", "河南省", "开封市", "鼓楼区", "", ""),
    ("宁波江北区人民路5号", "浙江省", "宁波市", "江北区", "", ""),
    ("重庆江北区观音桥1号", "重庆市", "重庆市", "江北区", "", ""),
    ("上海市 黄浦区 南京东路 100 号", "上海市", "上海市", "黄浦区", "", ""),
    ("上海南京西路1266号 静安区", "上海市", "上海市", "静安区", "", ""),
    ("广州市天河区中山大道西55号", "广东省", "广州市", "天河区", "", ""),
    ("深圳南山科技园中区科苑路15号", "广东省", "深圳市", "南山区", "", ""),
    ("浦东世纪大道100号", "上海市", "上海市", "浦东新区", "", ""),
    ("东莞长安镇振安路1号", "广东省", "东莞市", "东莞市", "", ""),
    ("延边州延吉市光明街1号", "吉林省", "延边朝鲜族自治州", "延吉市", "", ""),
    ("新疆乌鲁木齐天山区解放北路1号", "新疆维吾尔自治区", "乌鲁木齐市", "天山区", "", ""),
    ("广西南宁青秀区民族大道1号", "广西壮族自治区", "南宁市", "青秀区", "", ""),
    ("内蒙古呼和浩特新城区中山东路8号", "内蒙古自治区", "呼和浩特市", "新城区", "", ""),
    ("刘洋15800001234辽宁省朝阳市双塔区朝阳大街1号", "辽宁省", "朝阳市", "双塔区", "刘洋", "15800001234"),
    ("江苏省南京市鼓楼区北京西路1号 邮编210008", "江苏省", "南京市", "鼓楼区", "", ""),
    ("湖北仙桃干河街道仙桃大道1号", "湖北省", "仙桃市", "仙桃市", "", ""),
    ("收件人:周杰 电话:13512345678 地址:四川省成都市武侯区人民南路四段11号", "四川省", "成都市", "武侯区", "周杰",
     "13512345678"),
]
SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐许韩冯邓曹彭曾"
            "萧田董潘袁蔡蒋余于杜叶程魏苏吕丁任卢姚沈钟姜崔谭陆汪范廖石金贾")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国文辉鹏飞宇浩然子涵欣怡思雨梓轩晨"
SHAPES = ("full", "no_province", "short", "spaced", "name_phone_first", "glued_name_last", "labels",
          "phone_first_commas", "china_prefix", "district_only", "latin_name", "landline")


def _name(r: random.Random) -> str:
    return r.choice(SURNAMES) + "".join(r.choice(GIVEN) for _ in range(r.choice((1, 2))))


def _mobile(r: random.Random) -> str:
    return f"1{r.choice('3456789')}{r.randrange(10**9):09d}"


def _check(province: str, city: str, district: str) -> str:
    g = gazetteer()
    for place in g.by_code.values():
        names = [p.name for p in g.chain(place)]
        if place.name == district and province in names and (city in names or city == district):
            return place.postcode
    raise SystemExit(f"not a place fahuo knows: {province} {city} {district}")


def _unique(district: str) -> bool:
    return sum(p.name == district for p in gazetteer().by_code.values()) == 1


def shaped(shape: str, place: tuple[str, str, str, str], r: random.Random) -> tuple[str, str, str]:
    """The text, the recipient it names and the phone it gives."""
    province, city, district, street = place
    municipality = province == city
    district_part = "" if district == city else district
    top = province if municipality else province + city
    name, phone = _name(r), _mobile(r)
    if shape == "full":
        return f"{top}{district_part}{street}", "", ""
    if shape == "no_province":
        return f"{city}{district_part}{street}", "", ""
    if shape == "short":
        short_city = short_name(city) if not municipality else ""
        return f"{short_name(province)}{short_city}{district_part}{street}", "", ""
    if shape == "spaced":
        parts = [province] + ([] if municipality else [city]) + ([district_part] if district_part else [])
        return " ".join([*parts, street]), "", ""
    if shape == "name_phone_first":
        return f"{name} {phone} {top}{district_part}{street}", name, phone
    if shape == "glued_name_last":
        return f"{top}{district_part}{street}{name}{phone}", name, phone
    if shape == "labels":
        return (f"收货人：{name}\n手机号码：{phone}\n所在地区：{province} {'' if municipality else city} "
                f"{district_part}\n详细地址：{street}"), name, phone
    if shape == "phone_first_commas":
        return f"{phone}，{name}，{top}{district_part}{street}", name, phone
    if shape == "china_prefix":
        return f"中国{top}{district_part}{street}", "", ""
    if shape == "district_only":
        if district_part and _unique(district):
            return f"{district}{street}", "", ""
        return f"{city}{district_part}{street}", "", ""
    if shape == "latin_name":
        return f"Wang Fang, +86 {phone[:3]} {phone[3:7]} {phone[7:]}, {top}{district_part}{street}", \
            "Wang Fang", phone
    landline = f"0{r.randrange(10, 99)}-{r.randrange(10**7, 10**8)}"
    return f"{top}{district_part}{street} {name} {landline}", name, landline.replace("-", "")


def main() -> None:
    r = random.Random(15)
    rows = []
    for place in PLACES:
        _check(*place[:3])
        for shape in r.sample(SHAPES, 4):
            text, name, phone = shaped(shape, place, r)
            rows.append((shape, text.replace("\n", "\\n"), place[0], place[1], place[2], name, phone))
    rows += [("hand", text.replace("\n", "\\n"), *parts) for text, *parts in HAND]
    out = Path(__file__).with_name("addresses.tsv")
    with out.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, delimiter="\t", lineterminator="\n")
        w.writerow(("shape", "text", "province", "city", "district", "name", "phone"))
        w.writerows(rows)
    print(f"{len(rows)} addresses written to {out}")


if __name__ == "__main__":
    main()
