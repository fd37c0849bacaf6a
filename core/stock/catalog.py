"""What the company sells, and who supplies it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from tortoise import fields
from tortoise.models import Model

from core.base.db import fits, marks, select
from core.base.errors import UnknownSku


class GoodsClass(StrEnum):
    NORMAL = "normal"
    FRAGILE = "fragile"
    LIQUID = "liquid"
    COLD = "cold"
    HAZARDOUS = "hazardous"


class Supplier(Model):
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=200)
    contact = fields.CharField(max_length=200, default="")
    lead_days = fields.IntField(default=3)
    # Touched (updated) to serialise purchase-order drafting per supplier: a portable row lock.
    draft_lock = fields.IntField(default=0)

    class Meta:
        table = "supplier"


class Category(Model):
    # A shelf of the shop customers browse first (teas, tea ware, …); `position` orders the shelves. (A comment,
    # not a docstring: tortoise would take a docstring for the table's description.)
    id = fields.IntField(primary_key=True)
    code = fields.CharField(max_length=32, unique=True)
    name = fields.CharField(max_length=100)
    name_zh = fields.CharField(max_length=100, default="")
    position = fields.IntField(default=0)

    class Meta:
        table = "category"

    def name_in(self, lang: str) -> str:
        return self.name_zh or self.name if lang == "zh" else self.name


class Product(Model):
    id = fields.IntField(primary_key=True)
    sku = fields.CharField(max_length=64, unique=True)
    barcode = fields.CharField(max_length=32, null=True, unique=True)
    name = fields.CharField(max_length=200)
    name_zh = fields.CharField(max_length=200, default="")
    goods_class = fields.CharEnumField(GoodsClass, max_length=16, default=GoodsClass.NORMAL)
    weight_g = fields.IntField(default=0)
    length_mm = fields.IntField(default=0)
    width_mm = fields.IntField(default=0)
    height_mm = fields.IntField(default=0)
    price = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    active = fields.BooleanField(default=True)
    supplier: fields.ForeignKeyNullableRelation[Supplier] = fields.ForeignKeyField(
        "fahuo.Supplier", related_name="products", null=True, on_delete=fields.SET_NULL
    )
    category: fields.ForeignKeyNullableRelation[Category] = fields.ForeignKeyField(
        "fahuo.Category", related_name="products", null=True, on_delete=fields.SET_NULL
    )
    # a picture for the shop: an https:// address, or a file under the media folder (settings.media_dir)
    image = fields.CharField(max_length=300, default="")
    # what a parcel abroad declares at customs for one unit: the HS (tariff) code, the ISO country it was made
    # in, and its declared value in the shop's currency (the commercial invoice's line)
    hs_code = fields.CharField(max_length=16, default="")
    origin_country = fields.CharField(max_length=2, default="")
    customs_value = fields.DecimalField(max_digits=12, decimal_places=2, null=True)

    class Meta:
        table = "product"

    def __str__(self) -> str:
        return self.sku

    @property
    def declares_customs(self) -> bool:
        """Whether the product can cross a border: it has all three customs facts."""
        return bool(self.hs_code and self.origin_country and self.customs_value is not None)

    def name_in(self, lang: str) -> str:
        """The name a reader of `lang` is shown: the Chinese one for Chinese readers, when there is one."""
        return self.name_zh or self.name if lang == "zh" else self.name


async def products_by_sku(skus: set[str] | list[str]) -> dict[str, Product]:
    """The products named, or UnknownSku for the first one that does not exist."""
    wanted = set(skus)
    found = {p.sku: p for p in await select(  # every order asks this: a plain statement
        Product, f'SELECT * FROM "product" WHERE "sku" IN ({marks(wanted)})', *wanted)}
    for sku in sorted(wanted - found.keys()):
        raise UnknownSku(sku=sku)
    return found


async def product_by_sku(sku: str) -> Product:
    return (await products_by_sku([sku]))[sku]


@dataclass(frozen=True)
class CataloguePage:
    """One page of what is on sale, by SKU; `page` is the one shown (kept within 1…pages)."""

    products: list[Product]
    page: int
    pages: int


ALL_SHELVES = None  # catalogue_page's `shelf` for everything on sale
NO_SHELF = ""  # its `shelf` for what is on sale but on no shelf


@dataclass(frozen=True)
class Shelf:
    """A category with something on sale, as customers browse it; `code` NO_SHELF gathers the rest."""

    code: str
    name: str
    name_zh: str
    products: int

    def name_in(self, lang: str) -> str:
        return self.name_zh or self.name if lang == "zh" else self.name


async def shelves() -> list[Shelf]:
    """The categories that have products on sale, in their order, and the products on no shelf as the last
    one (NO_SHELF, named by the caller); empty when no category is used at all."""
    counts: dict[int | None, int] = {}
    for category_id in await Product.filter(active=True).values_list("category_id", flat=True):
        counts[category_id] = counts.get(category_id, 0) + 1
    used = await Category.filter(id__in=[k for k in counts if k is not None]).order_by("position", "code")
    if not used:
        return []
    found = [Shelf(c.code, c.name, c.name_zh, counts[c.id]) for c in used]
    return found + ([Shelf(NO_SHELF, "", "", counts[None])] if None in counts else [])


async def catalogue_page(page: int, size: int, shelf: str | None = ALL_SHELVES) -> CataloguePage:
    """One page of what is on sale on a shelf (a category's code), on no shelf (NO_SHELF), or everything."""
    on_sale = Product.filter(active=True)
    if shelf == NO_SHELF:
        on_sale = on_sale.filter(category_id__isnull=True)
    elif shelf is not ALL_SHELVES:
        on_sale = on_sale.filter(category__code=shelf)
    pages = max(1, -(-await on_sale.count() // size))
    page = min(max(page, 1), pages)
    products = await on_sale.order_by("sku").offset((page - 1) * size).limit(size)
    return CataloguePage(products, page, pages)


def picture_of(product: Product, media_dir: Path) -> str | Path | None:
    """Where the product's picture is: an https:// address to hand on, a file under `media_dir` to send, or
    None (no picture, or its file is gone or lies outside the media folder)."""
    if not product.image:
        return None
    if product.image.startswith("https://"):
        return product.image
    root = media_dir.resolve()
    path = (root / product.image).resolve()
    return path if path.is_relative_to(root) and path.is_file() else None


async def product_on_sale(product_id: int) -> Product | None:
    """The product while it is on sale; None when it is not (or no longer)."""
    return await Product.get_or_none(id=product_id, active=True)


async def known_products(skus: list[str]) -> dict[str, Product]:
    """The products of these SKUs that exist, by SKU; unknown ones are left out (a cart made before a product
    was removed)."""
    return {p.sku: p for p in await Product.filter(sku__in=[s for s in skus if fits(Product, "sku", s)])}
