"""Customers at checkout: online payments (the link and the provider's word), saved delivery addresses, and the
language a Telegram chat chose before it was linked to anyone."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from core.orders.payments import PaymentStatus
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0011_login_throttle')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChatLanguage',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('telegram_id', fields.BigIntField(unique=True)),
                ('language', fields.CharField(max_length=8)),
            ],
            options={'table': 'chat_language', 'app': 'fahuo', 'pk_attr': 'id', 'table_description': 'The language a Telegram chat chose with /lang, kept whether or not the chat is linked to anyone yet:'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Payment',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('token', fields.CharField(unique=True, max_length=64)),
                ('order', fields.ForeignKeyField('fahuo.Order', source_field='order_id', db_constraint=True, to_field='id', related_name='payments', on_delete=OnDelete.CASCADE)),
                ('provider', fields.CharField(max_length=32)),
                ('amount', fields.DecimalField(max_digits=14, decimal_places=2)),
                ('currency', fields.CharField(max_length=3)),
                ('status', fields.CharEnumField(default=PaymentStatus.PENDING, description='PENDING: pending\nPAID: paid\nREFUND_DUE: refund_due', enum_type=PaymentStatus, max_length=16)),
                ('provider_ref', fields.CharField(null=True, max_length=64)),
                ('expires_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('paid_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'payment', 'app': 'fahuo', 'indexes': [Index(fields=['order_id'])], 'pk_attr': 'id', 'table_description': 'One attempt to pay an order online: the link the customer was given, and what the provider said.'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='SavedAddress',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('customer', fields.ForeignKeyField('fahuo.Customer', source_field='customer_id', db_constraint=True, to_field='id', related_name='addresses', on_delete=OnDelete.CASCADE)),
                ('recipient', fields.CharField(max_length=100)),
                ('phone', fields.CharField(max_length=32)),
                ('province', fields.CharField(default='', max_length=64)),
                ('city', fields.CharField(max_length=64)),
                ('district', fields.CharField(default='', max_length=64)),
                ('line1', fields.CharField(max_length=300)),
                ('postcode', fields.CharField(default='', max_length=16)),
                ('lat', fields.FloatField(null=True)),
                ('lon', fields.FloatField(null=True)),
                ('fingerprint', fields.CharField(max_length=64)),
                ('last_used_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'saved_address', 'app': 'fahuo', 'unique_together': (('customer', 'fingerprint'),), 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
