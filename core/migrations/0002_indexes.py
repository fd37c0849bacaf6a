from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.fields.base import OnDelete
from tortoise import fields
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0001_initial')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Order',
            index=Index(fields=['customer_id', 'created_at']),
        ),
        ops.AlterField(
            model_name='OrderEvent',
            name='order',
            field=fields.ForeignKeyField('fahuo.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='history', on_delete=OnDelete.CASCADE),
        ),
        ops.AlterField(
            model_name='OrderLine',
            name='order',
            field=fields.ForeignKeyField('fahuo.Order', source_field='order_id', db_index=True, db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE),
        ),
        ops.AddIndex(
            model_name='PurchaseOrderLine',
            index=Index(fields=['product_id']),
        ),
        ops.AddIndex(
            model_name='Reservation',
            index=Index(fields=['order_line_id']),
        ),
        ops.AddIndex(
            model_name='Reservation',
            index=Index(fields=['transfer_line_id']),
        ),
        ops.AddIndex(
            model_name='StockMove',
            index=Index(fields=['product_id']),
        ),
        ops.AlterField(
            model_name='TransferLine',
            name='transfer',
            field=fields.ForeignKeyField('fahuo.TransferOrder', source_field='transfer_id', db_index=True, db_constraint=True, to_field='id', related_name='lines', on_delete=OnDelete.CASCADE),
        ),
    ]
