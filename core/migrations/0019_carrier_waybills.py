"""A carrier's waybill comes with what its label must show (SF's destination route label, coding mappings, the
two-dimension code) and sometimes with its own label drawn; both are kept with the shipment."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0014_staff_warehouse_driver_chat')]

    initial = False

    operations = [
        ops.AddField(
            model_name='Shipment',
            name='routing',
            field=fields.JSONField(default=dict),
        ),
        ops.AddField(
            model_name='Shipment',
            name='carrier_label',
            field=fields.BinaryField(null=True),
        ),
        ops.AddField(
            model_name='Shipment',
            name='carrier_label_format',
            field=fields.CharField(max_length=8, null=True),
        ),
    ]
