"""Staff may belong to one warehouse (its alerts reach them; none: the whole company), and a van's driver may
have a Telegram chat where the day's route is sent."""

from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0013_customer_checkout')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Staff',
            name='warehouse_id',
            field=fields.IntField(null=True),
        ),
        ops.AddField(
            model_name='Vehicle',
            name='driver_chat',
            field=fields.BigIntField(null=True),
        ),
    ]
