"""The indexes the staff's order list and search need at a million orders: each filter with the id it pages by
(a keyset cursor), and the recipient's phone."""

from tortoise import migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0037_jobs')]

    initial = False

    operations = [
        ops.AddIndex(model_name='Order', index=Index(fields=['status', 'id'])),
        ops.AddIndex(model_name='Order', index=Index(fields=['warehouse_id', 'id'])),
        ops.AddIndex(model_name='Order', index=Index(fields=['channel', 'id'])),
        ops.AddIndex(model_name='Order', index=Index(fields=['phone'])),
    ]
