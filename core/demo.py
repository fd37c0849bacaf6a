"""A realistic demo data set: three warehouses with aisles of bins, a catalogue, stock, customers, staff,
carriers and the Shanghai vans."""

from __future__ import annotations

import asyncio
import io
import random
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from datetime import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw
from tortoise.transactions import in_transaction

from core.base.auth import Role, Staff, add_api_key
from core.base.errors import Conflict
from core.base.fonts import image_font
from core.base.i18n import phrase
from core.base.passwords import hash_password, off_loop
from core.base.regions import place_code
from core.base.settings import CarrierAccount
from core.orders.customers import Customer, e164
from core.orders.order import ServiceLevel
from core.shipping.carriers import CarrierIn, RatesIn, save_carrier
from core.shipping.fleet import VehicleIn, save_vehicle
from core.stock.catalog import Category, GoodsClass, Product, Supplier
from core.stock.ledger import MoveReason, move_stock
from core.stock.replenishment import ReorderRule
from core.stock.warehouses import Location, LocationKind, Warehouse, create_warehouse, virtual_location

G = GoodsClass
# sku, English, Chinese, class, grams, price, supplier
CATALOGUE = [
    ("TEA-LJ-250", "Longjing green tea 250 g", "西湖龙井 250克", G.NORMAL, 300, "168.00", "HZTEA"),
    ("TEA-PE-357", "Pu-erh cake 357 g", "普洱茶饼 357克", G.NORMAL, 400, "238.00", "HZTEA"),
    ("TEA-TG-125", "Tieguanyin oolong 125 g", "铁观音 125克", G.NORMAL, 160, "98.00", "HZTEA"),
    ("TEA-JS-100", "Jasmine pearls 100 g", "茉莉龙珠 100克", G.NORMAL, 130, "76.00", "HZTEA"),
    ("TEA-BH-200", "Black tea Dianhong 200 g", "滇红 200克", G.NORMAL, 230, "88.00", "HZTEA"),
    ("TEA-GIFT-01", "Tea gift box", "茶叶礼盒", G.FRAGILE, 1800, "588.00", "HZTEA"),
    ("CER-CUP-6", "Celadon cups, set of 6", "青瓷茶杯六只装", G.FRAGILE, 900, "128.00", "JDZ"),
    ("CER-POT-01", "Yixing clay teapot", "宜兴紫砂壶", G.FRAGILE, 650, "398.00", "JDZ"),
    ("CER-BOWL-4", "Blue-and-white bowls, set of 4", "青花碗四只装", G.FRAGILE, 1600, "158.00", "JDZ"),
    ("CER-PLATE-8", "Porcelain plates, set of 8", "瓷盘八只装", G.FRAGILE, 3200, "268.00", "JDZ"),
    ("CER-VASE-S", "Small vase", "小花瓶", G.FRAGILE, 700, "188.00", "JDZ"),
    ("KIT-WOK-32", "Carbon-steel wok 32 cm", "碳钢炒锅 32厘米", G.NORMAL, 1900, "159.00", "FSKIT"),
    ("KIT-CLEAVER", "Chef's cleaver", "厨师菜刀", G.NORMAL, 520, "129.00", "FSKIT"),
    ("KIT-STEAM-3", "Bamboo steamer, 3 tiers", "三层竹蒸笼", G.NORMAL, 1100, "69.00", "FSKIT"),
    ("KIT-CHOP-10", "Chopsticks, 10 pairs", "筷子十双装", G.NORMAL, 280, "29.00", "FSKIT"),
    ("KIT-RICE-5L", "Rice cooker 5 L", "电饭煲 5升", G.NORMAL, 4200, "499.00", "FSKIT"),
    ("FOOD-SOY-1L", "Light soy sauce 1 L", "生抽 1升", G.LIQUID, 1150, "23.00", "GDFOOD"),
    ("FOOD-VIN-500", "Zhenjiang vinegar 500 ml", "镇江香醋 500毫升", G.LIQUID, 620, "15.00", "GDFOOD"),
    ("FOOD-OIL-5L", "Peanut oil 5 L", "花生油 5升", G.LIQUID, 4700, "119.00", "GDFOOD"),
    ("FOOD-CHILI", "Chili crisp 280 g", "香辣脆油辣椒 280克", G.NORMAL, 400, "12.00", "GDFOOD"),
    ("FOOD-RICE-5", "Jasmine rice 5 kg", "香米 5公斤", G.NORMAL, 5050, "69.00", "GDFOOD"),
    ("FOOD-NOOD-1", "Dried noodles 1 kg", "挂面 1公斤", G.NORMAL, 1050, "18.00", "GDFOOD"),
    ("COLD-DUMP-1", "Frozen dumplings 1 kg", "速冻水饺 1公斤", G.COLD, 1100, "39.00", "SHCOLD"),
    ("COLD-BUN-12", "Frozen pork buns, 12", "速冻肉包 12只", G.COLD, 900, "32.00", "SHCOLD"),
    ("COLD-TANG-1", "Frozen tangyuan 1 kg", "速冻汤圆 1公斤", G.COLD, 1050, "28.00", "SHCOLD"),
    ("COLD-MOON-4", "Ice-cream mooncakes, 4", "冰皮月饼四只装", G.COLD, 500, "88.00", "SHCOLD"),
    ("HAZ-LIB-20K", "Power bank 20000 mAh", "充电宝 20000毫安", G.HAZARDOUS, 420, "149.00", "SZELEC"),
    ("HAZ-LIGHTER", "Gas lighter refill", "打火机补充气", G.HAZARDOUS, 300, "19.00", "SZELEC"),
    ("ELEC-LAMP-01", "Desk lamp", "台灯", G.NORMAL, 1300, "139.00", "SZELEC"),
    ("ELEC-FAN-01", "Desk fan", "台式风扇", G.NORMAL, 2100, "119.00", "SZELEC"),
    ("ELEC-KETTLE", "Electric kettle 1.7 L", "电热水壶 1.7升", G.NORMAL, 1400, "99.00", "SZELEC"),
    ("ELEC-CABLE-2", "USB-C cable 2 m", "USB-C 数据线 2米", G.NORMAL, 90, "29.00", "SZELEC"),
    ("HOME-TOWEL-2", "Cotton towels, 2", "纯棉毛巾两条装", G.NORMAL, 450, "49.00", "SZELEC"),
    ("HOME-UMBR-01", "Folding umbrella", "折叠伞", G.NORMAL, 380, "59.00", "SZELEC"),
]
# the shop's shelves: code, English, Chinese, the SKU prefixes on it, the colour of its pictures
CATEGORIES = [
    ("TEA", "Tea", "茶叶", ("TEA",), "#4d7c0f"), ("CERAMICS", "Tea ware & porcelain", "茶具瓷器", ("CER",), "#1e40af"),
    ("KITCHEN", "Kitchen", "厨房用品", ("KIT",), "#9a3412"), ("PANTRY", "Pantry", "粮油调味", ("FOOD",), "#a16207"),
    ("FROZEN", "Frozen food", "冷冻食品", ("COLD",), "#0e7490"),
    ("ELECTRIC", "Electrics", "电器数码", ("ELEC", "HAZ"), "#6d28d9"),
    ("HOME", "Home", "家居日用", ("HOME",), "#be185d"),
]
SUPPLIERS = [
    ("HZTEA", "Hangzhou Tea Co. 杭州茶业", 3), ("JDZ", "Jingdezhen Porcelain 景德镇瓷器", 7),
    ("FSKIT", "Foshan Kitchenware 佛山厨具", 5), ("GDFOOD", "Guangdong Foods 广东食品", 2),
    ("SHCOLD", "Shanghai Cold Chain Foods 上海冷链食品", 2), ("SZELEC", "Shenzhen Electronics 深圳电子", 4),
]
WAREHOUSES = [
    ("SH", "Shanghai Qingpu DC", "上海青浦仓", "上海", "上海", "青浦区华新镇 88 号", 31.15, 121.12),
    ("GZ", "Guangzhou Baiyun DC", "广州白云仓", "广东", "广州", "白云区太和镇 16 号", 23.32, 113.35),
    ("BJ", "Beijing Daxing DC", "北京大兴仓", "北京", "北京", "大兴区旧宫镇 5 号", 39.80, 116.45),
]
CUSTOMERS = [
    ("王芳 Wang Fang", "+86 13800000001", "上海", "上海", "徐汇区漕溪北路 201 号", "200030", 31.19, 121.44),
    ("李伟 Li Wei", "+86 13800000002", "北京", "北京", "朝阳区建国路 88 号", "100022", 39.91, 116.46),
    ("陈静 Chen Jing", "+86 13800000003", "广东", "深圳", "南山区科技园 9 号", "518057", 22.54, 113.95),
    ("刘洋 Liu Yang", "+86 13800000004", "四川", "成都", "武侯区人民南路 4 号", "610041", 30.63, 104.07),
    ("张敏 Zhang Min", "+86 13800000005", "浙江", "杭州", "西湖区文三路 90 号", "310012", 30.28, 120.13),
    ("黄磊 Huang Lei", "+86 13800000006", "湖北", "武汉", "洪山区珞喻路 129 号", "430079", 30.51, 114.36),
    ("Fresh Mart 鲜市超市", "+86 13800000007", "江苏", "南京", "鼓楼区中山路 1 号", "210008", 32.06, 118.78),
    ("赵强 Zhao Qiang", "+86 13800000008", "广东", "广州", "天河区天河路 385 号", "510620", 23.13, 113.32),
]
# a login and the person behind it: papers and the app name the person, not the login
STAFF = [("admin", Role.ADMIN, "林静"), ("manager", Role.MANAGER, "周强"), ("picker", Role.PICKER, "孙丽"),
         ("packer", Role.PACKER, "吴磊"), ("dispatcher", Role.DISPATCHER, "郑浩")]
DEMO_PASSWORD = "fahuo-demo"
REMOTE = {"新疆": "1.8", "西藏": "2.0", "青海": "1.5"}
CARRIERS = [
    CarrierIn(code="SWIFT", name="Swift Express", name_zh="迅达快递",
              service_level=ServiceLevel.EXPRESS, regions=["*"],
              goods_classes=[G.NORMAL, G.FRAGILE, G.LIQUID], max_weight_g=30_000, transit_days=1,
              rates=RatesIn(first_kg="18", per_kg="6", zones=REMOTE), cutoff=time(17, 0),
              webhook_secret="swift-demo-secret"),
    CarrierIn(code="EAST", name="Eastern Freight", name_zh="东方物流",
              service_level=ServiceLevel.ECONOMY, regions=["*"],
              goods_classes=[G.NORMAL, G.FRAGILE, G.LIQUID, G.HAZARDOUS], max_weight_g=200_000, max_side_mm=3000,
              transit_days=4, rates=RatesIn(first_kg="8", per_kg="1.5", zones=REMOTE), cutoff=time(15, 0)),
    CarrierIn(code="CHILL", name="Coldline", name_zh="冷链速运", service_level=ServiceLevel.STANDARD,
              regions=["上海", "江苏", "浙江", "北京", "广东"], goods_classes=[G.NORMAL, G.COLD], max_weight_g=50_000,
              transit_days=1, rates=RatesIn(first_kg="25", per_kg="5"), cutoff=time(14, 0)),
    CarrierIn(code="STD", name="Standard Post", name_zh="标准快递",
              service_level=ServiceLevel.STANDARD, regions=["*"],
              goods_classes=[G.NORMAL, G.FRAGILE, G.LIQUID], max_weight_g=40_000, transit_days=2,
              rates=RatesIn(first_kg="12", per_kg="3", zones=REMOTE), cutoff=time(16, 0)),
    CarrierIn(code="OWN", name="fahuo vans", name_zh="自有车队", adapter="own_fleet",
              service_level=ServiceLevel.STANDARD,
              regions=["上海"], goods_classes=[G.NORMAL, G.FRAGILE, G.LIQUID, G.COLD], max_weight_g=500_000,
              max_side_mm=3000, transit_days=0, rates=RatesIn(first_kg="6", per_kg="0.5"), cutoff=time(11, 0)),
]
# carriers of real systems, added when the shipper gives a sandbox account for them (FAHUO_CARRIER_ACCOUNTS,
# keyed by the code or the adapter): the demo then books real test waybills
SANDBOX_CARRIERS = [
    CarrierIn(code="SF", name="SF Express (sandbox)", name_zh="顺丰速运（沙箱）", adapter="sf",
              service_level=ServiceLevel.EXPRESS,
              regions=["*"], goods_classes=[G.NORMAL, G.FRAGILE], max_weight_g=30_000, transit_days=1,
              rates=RatesIn(first_kg="23", per_kg="8", zones=REMOTE), cutoff=time(18, 0)),
    CarrierIn(code="YTO", name="YTO via kuaidi100 (sandbox)",
              name_zh="圆通速递，经快递100（沙箱）", adapter="kuaidi100", regions=["*"],
              goods_classes=[G.NORMAL, G.FRAGILE, G.LIQUID], max_weight_g=30_000, transit_days=3,
              rates=RatesIn(first_kg="8", per_kg="2", zones=REMOTE), cutoff=time(17, 0)),
    CarrierIn(code="UPS", name="UPS via karrio (sandbox)", name_zh="UPS，经 karrio（沙箱）", adapter="karrio",
              service_level=ServiceLevel.EXPRESS,
              regions=["WORLD"], goods_classes=[G.NORMAL, G.FRAGILE], max_weight_g=70_000, transit_days=4,
              rates=RatesIn(first_kg="260", per_kg="70"), cutoff=time(16, 0)),
]
# customs facts of the demo products that may go abroad (HS code by SKU prefix; made in China; declared at the
# shop's price): teas and porcelain; the rest cannot be declared, and an order abroad for them is refused
CUSTOMS = {"TEA": "090210", "CER": "691110"}
VANS = [VehicleIn(plate="沪AD1234", warehouse="SH", capacity_kg=800, driver="司机 Ma"),
        VehicleIn(plate="沪AF5678", warehouse="SH", capacity_kg=1200, driver="司机 Qian",
                  shift_start=time(9, 0), shift_end=time(19, 0))]


def ean13(body12: str) -> str:
    total = sum(int(d) * (3 if i % 2 else 1) for i, d in enumerate(body12))
    return body12 + str((10 - total % 10) % 10)


@dataclass
class DemoLogins:
    staff: list[tuple[str, str, str]]  # username, role, password
    api_key: str
    sandbox_carriers: list[str]  # codes of the carriers added for the sandbox accounts given


async def _bins(warehouse: Warehouse, zones: dict[str, range], positions: int) -> list[Location]:
    """Double-sided aisles 3 m apart, positions every 1.2 m, cross aisles at both ends."""
    bins = []
    for zone, aisles in zones.items():
        for aisle in aisles:
            for pos in range(1, positions + 1):
                bins.append(Location(
                    warehouse=warehouse, code=f"{zone}-{aisle:02d}-{pos:02d}", kind=LocationKind.BIN, zone=zone,
                    aisle=aisle, x=aisle * 3.0 + (0.6 if pos % 2 else -0.6), y=2.0 + ((pos + 1) // 2) * 1.2,
                ))
    await Location.bulk_create(bins)
    return await Location.filter(warehouse=warehouse, kind=LocationKind.BIN).order_by("id")


def _customs(sku: str, price: str) -> dict[str, Any]:
    hs_code = CUSTOMS.get(sku.split("-")[0])
    return {"hs_code": hs_code, "origin_country": "CN", "customs_value": Decimal(price)} if hs_code else {}


async def is_empty() -> bool:
    """Whether the database is a fresh one: no warehouse yet, so nothing can have been stocked or ordered."""
    return not await Warehouse.exists()


def picture(name: str, name_zh: str, sku: str, colour: str) -> bytes:
    """A plain product picture for the demo shop: its Chinese and English names on its shelf's colour."""
    image = Image.new("RGB", (480, 480), colour)
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((28, 28, 452, 452), radius=36, outline="white", width=4)
    y = 120
    for line in textwrap.wrap(name_zh, 8):
        draw.text((240, y), line, fill="white", font=image_font(52), anchor="mm")
        y += 66
    for line in textwrap.wrap(name, 22):
        draw.text((240, y + 20), line, fill="white", font=image_font(28), anchor="mm")
        y += 38
    draw.text((240, 420), sku, fill="#e5e7eb", font=image_font(24), anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _draw_pictures(media_dir: Path) -> dict[str, str]:
    """Every demo product's picture under `media_dir`/products; returns each SKU's path under `media_dir`."""
    folder = media_dir / "products"
    folder.mkdir(parents=True, exist_ok=True)
    colours = {prefix: colour for *_, prefixes, colour in CATEGORIES for prefix in prefixes}
    paths = {}
    for sku, name, zh, *_ in CATALOGUE:
        (folder / f"{sku}.png").write_bytes(picture(name, zh, sku, colours[sku.split("-")[0]]))
        paths[sku] = f"products/{sku}.png"
    return paths


async def load_demo(seed: int = 7, media_dir: Path | None = None,
                    account: Callable[[str, str], CarrierAccount | None] | None = None) -> DemoLogins:
    """Fill an empty database with the demo set; refuses a database that already has warehouses. With a
    `media_dir`, the products get pictures drawn there. `account` (settings' `carrier_account`) says which
    real carriers have a sandbox account: those are added too."""
    if not await is_empty():
        raise Conflict(detail=phrase("refuse.demo_not_empty"))
    rng = random.Random(seed)
    # hashed side by side before the transaction: argon2 takes a while, and the transaction should not wait
    hashes = await asyncio.gather(*(off_loop(hash_password, DEMO_PASSWORD) for _ in STAFF))
    pictures = await asyncio.to_thread(_draw_pictures, media_dir) if media_dir is not None else {}
    async with in_transaction():
        suppliers = {code: await Supplier.create(code=code, name=name, lead_days=days)
                     for code, name, days in SUPPLIERS}
        shelf = {}
        for position, (code, name, zh, prefixes, _) in enumerate(CATEGORIES):
            category = await Category.create(code=code, name=name, name_zh=zh, position=position)
            shelf.update(dict.fromkeys(prefixes, category))
        products = [
            await Product.create(sku=sku, name=name, name_zh=zh, goods_class=cls, weight_g=grams,
                                 price=Decimal(price), supplier=suppliers[sup], barcode=ean13(f"69{i:010d}"),
                                 category=shelf[sku.split("-")[0]], image=pictures.get(sku, ""),
                                 length_mm=rng.randint(80, 400), width_mm=rng.randint(60, 300),
                                 height_mm=rng.randint(20, 250), **_customs(sku, price))
            for i, (sku, name, zh, cls, grams, price, sup) in enumerate(CATALOGUE, start=1)
        ]
        for code, name, name_zh, province, city, address, lat, lon in WAREHOUSES:
            warehouse = await create_warehouse(code, name, name_zh=name_zh, province=province, city=city,
                                               address=address, lat=lat, lon=lon)
            bins = await _bins(warehouse, {"A": range(1, 5), "B": range(5, 7), "C": range(7, 8)}, 12)
            supplier_loc = await virtual_location(warehouse.id, LocationKind.SUPPLIER)
            for product in products:
                if code != "SH" and rng.random() < 0.35:
                    continue  # the regional warehouses carry part of the range
                qty = rng.choice([4, 12, 25, 40, 60, 120])
                await move_stock(product, supplier_loc, rng.choice(bins), qty, MoveReason.RECEIPT,
                                 document="demo opening stock", actor="demo")
                await ReorderRule.create(product=product, warehouse=warehouse, reorder_point=10, reorder_qty=50)
        for name, phone, province, city, line1, postcode, lat, lon in CUSTOMERS:
            await Customer.create(name=name, phone=e164(phone), province=province, city=city, line1=line1,
                                  postcode=postcode, lat=lat, lon=lon, adcode=place_code(province, city),
                                  credit_limit=Decimal("20000") if "Mart" in name else Decimal(0))
        logins = []
        for (username, role, display), hashed in zip(STAFF, hashes, strict=True):
            await Staff.create(username=username, role=role, password_hash=hashed, display_name=display)
            logins.append((username, role.value, DEMO_PASSWORD))
        key = await add_api_key("shop")
        sandbox = [c for c in SANDBOX_CARRIERS if account is not None and (found := account(c.code, c.adapter))
                   is not None and found.sandbox and found.key.get_secret_value()]
        for carrier in CARRIERS + sandbox:
            await save_carrier(carrier)
        for van in VANS:
            await save_vehicle(van)
    return DemoLogins(staff=logins, api_key=key, sandbox_carriers=[c.code for c in sandbox])
