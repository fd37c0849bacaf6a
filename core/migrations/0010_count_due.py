from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0009_e164_phones')]

    initial = False

    operations = [
        ops.AddField(
            model_name='StockLevel',
            name='count_due_since',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
