"""What an approved after-sales request does: the units approved, money back (due until paid), the order that
sends the goods again, the goods to come back."""

from tortoise import fields, migrations
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0032_order_lists')]

    initial = False

    operations = [
        ops.AddField(model_name='AfterSalesRequest', name='approved_lines', field=fields.JSONField(null=True)),
        ops.AddField(model_name='AfterSalesRequest', name='remedy', field=fields.CharField(default='', max_length=16)),
        ops.AddField(model_name='AfterSalesRequest', name='refund_amount',
                     field=fields.DecimalField(null=True, max_digits=14, decimal_places=2)),
        ops.AddField(model_name='AfterSalesRequest', name='refund_state',
                     field=fields.CharField(default='', max_length=16)),
        ops.AddField(model_name='AfterSalesRequest', name='replacement',
                     field=fields.CharField(default='', max_length=32)),
        ops.AddField(model_name='AfterSalesRequest', name='send_back', field=fields.BooleanField(default=False)),
    ]
