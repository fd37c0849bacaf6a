"""Where each shipment's write-back to its shop platform stands (core.channels.write_backs)."""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from core.channels.write_backs import FailureKind, WriteBackState


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0028_time_zones')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ChannelWriteBack',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('channel', fields.CharField(max_length=32)),
                ('order', fields.CharField(max_length=32)),
                ('shipment', fields.CharField(unique=True, max_length=32)),
                ('state', fields.CharEnumField(description='WAITING: waiting\nFAILED: failed\nDONE: done', enum_type=WriteBackState, max_length=16)),
                ('tries', fields.IntField(default=0)),
                ('failure', fields.CharEnumField(null=True, description='REFUSED: refused\nUNAVAILABLE: unavailable\nUNCONFIGURED: unconfigured', enum_type=FailureKind, max_length=16)),
                ('why', fields.CharField(default='', max_length=300)),
                ('updated_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'channel_write_back', 'app': 'fahuo', 'indexes': [Index(fields=['channel', 'state'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
    ]
