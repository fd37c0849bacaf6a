"""What a parcel abroad declares at customs: per product its HS code, country of origin and declared value (the
commercial invoice's lines), and the country of an order's (and a saved) delivery address, China unless given."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0025_loose')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Product',
            name='hs_code',
            field=fields.CharField(default='', max_length=16),
        ),
        ops.AddField(
            model_name='Product',
            name='origin_country',
            field=fields.CharField(default='', max_length=2),
        ),
        ops.AddField(
            model_name='Product',
            name='customs_value',
            field=fields.DecimalField(null=True, max_digits=12, decimal_places=2),
        ),
        ops.AddField(
            model_name='Order',
            name='country',
            field=fields.CharField(default='CN', max_length=2),
        ),
        ops.AddField(
            model_name='SavedAddress',
            name='country',
            field=fields.CharField(default='CN', max_length=2),
        ),
    ]
