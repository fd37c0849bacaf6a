"""Each warehouse and each customer may keep a time zone of their own (empty: the company's, from the settings)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0022_addresses')]

    initial = False

    operations = [
        ops.AddField(model_name='Warehouse', name='timezone', field=fields.CharField(default='', max_length=64)),
        ops.AddField(model_name='Customer', name='timezone', field=fields.CharField(default='', max_length=64)),
    ]
