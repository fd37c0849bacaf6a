"""Outbound webhooks: subscriptions per API key and the log of their deliveries (core.webhooks)."""

from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from core.webhooks import DeliveryState
from json import dumps, loads
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0021_customs')]

    initial = False

    operations = [
        ops.CreateModel(
            name='WebhookSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('api_key', fields.ForeignKeyField('fahuo.ApiKey', source_field='api_key_id', null=True, db_constraint=True, to_field='id', related_name='webhooks', on_delete=OnDelete.CASCADE)),
                ('channel', fields.CharField(null=True, max_length=32)),
                ('url', fields.CharField(max_length=500)),
                ('secret', fields.CharField(max_length=64)),
                ('events', fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads)),
                ('active', fields.BooleanField(default=True)),
                ('created_by', fields.CharField(max_length=100)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('failing_since', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_subscription', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='WebhookDelivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('subscription', fields.ForeignKeyField('fahuo.WebhookSubscription', source_field='subscription_id', db_constraint=True, to_field='id', related_name='deliveries', on_delete=OnDelete.CASCADE)),
                ('event_id', fields.CharField(max_length=40)),
                ('kind', fields.CharField(max_length=64)),
                ('body', fields.TextField(unique=False)),
                ('state', fields.CharEnumField(default=DeliveryState.PENDING, description='PENDING: pending\nDELIVERED: delivered\nFAILED: failed', enum_type=DeliveryState, max_length=16)),
                ('attempts', fields.IntField(default=0)),
                ('next_try_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('response_code', fields.IntField(null=True)),
                ('error', fields.CharField(null=True, max_length=32)),
                ('error_detail', fields.CharField(null=True, max_length=200)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('last_try_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('delivered_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'webhook_delivery', 'app': 'fahuo', 'unique_together': (('subscription', 'event_id'),), 'indexes': [Index(fields=['state', 'next_try_at'])], 'pk_attr': 'id', 'table_description': "One event (or ping) for one subscription, and how sending it went: the subscription's delivery log."},
            bases=['Model'],
        ),
    ]
