"""What the company sells, and who supplies it."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

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

    class Meta:
        table = "product"

    def __str__(self) -> str:
        return self.sku

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


async def catalogue_page(page: int, size: int) -> CataloguePage:
    on_sale = Product.filter(active=True)
    pages = max(1, -(-await on_sale.count() // size))
    page = min(max(page, 1), pages)
    products = await on_sale.order_by("sku").offset((page - 1) * size).limit(size)
    return CataloguePage(products, page, pages)


async def product_on_sale(sku: str) -> Product | None:
    """The product with this SKU while it is on sale; None when it is not (or no longer)."""
    return await Product.get_or_none(sku=sku, active=True) if fits(Product, "sku", sku) else None


async def known_products(skus: list[str]) -> dict[str, Product]:
    """The products of these SKUs that exist, by SKU; unknown ones are left out (a cart made before a product
    was removed)."""
    return {p.sku: p for p in await Product.filter(sku__in=[s for s in skus if fits(Product, "sku", s)])}
