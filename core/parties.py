"""Customers: who orders, where they live, and how they may pay."""

from __future__ import annotations

from tortoise import fields
from tortoise.models import Model


class Customer(Model):
    id = fields.IntField(primary_key=True)
    name = fields.CharField(max_length=200)
    phone = fields.CharField(max_length=32, null=True, unique=True)
    email = fields.CharField(max_length=200, default="")
    telegram_id = fields.BigIntField(null=True, unique=True)
    language = fields.CharField(max_length=8, default="zh")
    province = fields.CharField(max_length=64, default="")
    city = fields.CharField(max_length=64, default="")
    district = fields.CharField(max_length=64, default="")
    line1 = fields.CharField(max_length=300, default="")
    postcode = fields.CharField(max_length=16, default="")
    lat = fields.FloatField(null=True)
    lon = fields.FloatField(null=True)
    credit_limit = fields.DecimalField(max_digits=12, decimal_places=2, default=0)
    cod_allowed = fields.BooleanField(default=True)
    partial_shipment = fields.BooleanField(default=False)
    blocked = fields.BooleanField(default=False)
    created_at = fields.DatetimeField(auto_now_add=True)

    class Meta:
        table = "customer"

    def __str__(self) -> str:
        return self.name
