"""Outbox events carry the id of the transaction that wrote them, so consumers can read in commit-safe order.

On PostgreSQL an id is taken from the sequence before commit: an event whose transaction commits late has a
smaller id than events already read, and "every id above my cursor" skipped it. A trigger stamps each event
with its writing transaction (`pg_current_xact_id()`); a consumer reads only events of transactions older
than every one still open, in (tx, id) order (core.events.committed_after). Events from before this step keep
tx 0 and cursors start at tx 0, so nothing already told is told again. SQLite needs no trigger: its writers
take turns, and ids come in commit order.
"""

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

STAMP = """
CREATE OR REPLACE FUNCTION outbox_event_stamp_tx() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.tx := pg_current_xact_id()::text::bigint;
    RETURN NEW;
END $$;
CREATE TRIGGER outbox_event_stamp_tx BEFORE INSERT ON outbox_event
    FOR EACH ROW EXECUTE FUNCTION outbox_event_stamp_tx();
"""
UNSTAMP = """
DROP TRIGGER IF EXISTS outbox_event_stamp_tx ON outbox_event;
DROP FUNCTION IF EXISTS outbox_event_stamp_tx();
"""


async def stamp(apps, schema_editor):
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(STAMP)


async def unstamp(apps, schema_editor):
    if schema_editor.client.capabilities.dialect == "postgres":
        await schema_editor.client.execute_script(UNSTAMP)


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0010_count_due')]

    initial = False

    operations = [
        ops.AddField(
            model_name='ConsumerCursor',
            name='last_tx',
            field=fields.BigIntField(default=0),
        ),
        ops.AddField(
            model_name='OutboxEvent',
            name='tx',
            field=fields.BigIntField(default=0),
        ),
        ops.AddIndex(
            model_name='OutboxEvent',
            index=Index(fields=['tx', 'id']),
        ),
        ops.RunPython(stamp, unstamp),
    ]
