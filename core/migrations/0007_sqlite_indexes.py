"""Put back, on SQLite, the indexes and the unique (channel, external_ref) constraint that 0003 and 0006 lost.

On SQLite an AlterField rebuilds the table (SQLite cannot alter a column), and the rebuilt `stock_move` and
`sales_order` came back without their indexes. Without the unique pair, intake would no longer be
idempotent under concurrency. PostgreSQL alters columns in place and kept everything; this step skips it.
"""

from tortoise import migrations
from tortoise.migrations import operations as ops

RESTORE = [
    'CREATE UNIQUE INDEX IF NOT EXISTS "uid_sales_order_channel_external_ref" ON "sales_order" ("channel", "external_ref")',
    'CREATE INDEX IF NOT EXISTS "idx_sales_order_status" ON "sales_order" ("status")',
    'CREATE INDEX IF NOT EXISTS "idx_sales_order_created_at" ON "sales_order" ("created_at")',
    'CREATE INDEX IF NOT EXISTS "idx_sales_order_customer_created" ON "sales_order" ("customer_id", "created_at")',
    'CREATE INDEX IF NOT EXISTS "idx_stock_move_document" ON "stock_move" ("document")',
    'CREATE INDEX IF NOT EXISTS "idx_stock_move_product" ON "stock_move" ("product_id")',
]


async def restore(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    for statement in RESTORE:
        await client.execute_script(statement)


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0006_scheduler')]

    initial = False

    operations = [ops.RunPython(restore, ops.RunPython.noop)]
