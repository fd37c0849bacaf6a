from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0007_sqlite_indexes')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ConsumerCursor',
            name='failing_since',
            field=fields.DatetimeField(null=True, auto_now=False, auto_now_add=False),
        ),
    ]
