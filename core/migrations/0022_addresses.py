"""Every order's address is placed: the district's administrative code, and what a person should check about
the address as it was read (no district found, a postcode or a phone of another province)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0024_webhooks')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Order',
            name='adcode',
            field=fields.CharField(default='', max_length=12),
        ),
        ops.AddField(
            model_name='Order',
            name='address_doubts',
            field=fields.JSONField(default=list),
        ),
    ]
