from tortoise import migrations
from tortoise.migrations import operations as ops
from tortoise.indexes import Index

class Migration(migrations.Migration):
    dependencies = [('fahuo', '0001_initial')]

    initial = False

    operations = [
        ops.AddIndex(
            model_name='Order',
            index=Index(fields=['customer_id', 'created_at']),
        ),
        ops.AddIndex(
            model_name='OrderEvent',
            index=Index(fields=['order_id']),
        ),
        ops.AddIndex(
            model_name='OrderLine',
            index=Index(fields=['order_id']),
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
        ops.AddIndex(
            model_name='TransferLine',
            index=Index(fields=['transfer_id']),
        ),
    ]
