"""Which waybills a carrier's system follows by push (renewed when it aborts, else left to the poll), and each
package's own waybill number (a child waybill after the first)."""

from tortoise import fields, migrations
from tortoise.fields.base import OnDelete
from tortoise.migrations import operations as ops

from core.shipping.tracking import Following


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0023_channels')]

    initial = False

    operations = [
        ops.CreateModel(
            name='PushSubscription',
            fields=[
                ('id', fields.IntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('shipment', fields.OneToOneField('fahuo.Shipment', source_field='shipment_id', db_constraint=True, to_field='id', related_name='push_subscription', on_delete=OnDelete.CASCADE)),
                ('state', fields.CharEnumField(default=Following.YES, description='YES: yes\nABORTED: aborted\nENDED: ended', enum_type=Following, max_length=8)),
                ('company', fields.CharField(default='', max_length=32)),
                ('renewals', fields.IntField(default=0)),
                ('updated_at', fields.DatetimeField(auto_now=True, auto_now_add=False)),
            ],
            options={'table': 'push_subscription', 'app': 'fahuo', 'pk_attr': 'id',
                     'table_description': "A carrier's system following one shipment's waybill for fahuo by push (kuaidi100's subscription)."},
            bases=['Model'],
        ),
        ops.AddField(
            model_name='Package',
            name='waybill',
            field=fields.CharField(max_length=64, null=True),
        ),
    ]
