from tortoise import migrations
from tortoise.migrations import operations as ops
import functools
from json import dumps, loads
from tortoise import fields

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0004_login_links')]

    initial = False

    operations = [
        ops.CreateModel(
            name='ConsumerCursor',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('consumer', fields.CharField(unique=True, max_length=32)),
                ('last_event_id', fields.BigIntField(default=0)),
            ],
            options={'table': 'consumer_cursor', 'app': 'fahuo', 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.CreateModel(
            name='Delivery',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('event_id', fields.BigIntField()),
                ('recipient', fields.CharField(max_length=64)),
                ('outcome', fields.CharField(default='sent', max_length=16)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
            ],
            options={'table': 'delivery', 'app': 'fahuo', 'unique_together': (('event_id', 'recipient'),), 'pk_attr': 'id', 'table_description': 'One event told to one recipient: the unique pair is what keeps a message from being sent twice.'},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Staff',
            name='muted_alerts',
            field=fields.JSONField(default=list, encoder=functools.partial(dumps, separators=(',', ':')), decoder=loads),
        ),
    ]
