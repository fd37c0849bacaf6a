"""Where fahuo stands in each channel it pulls orders from (core.channels.pulling)."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0018_printers')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChannelCursor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(unique=True, max_length=32)),
                ('cursor', fields.CharField(default='', max_length=500)),
                ('pulled_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'channel_cursor', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
