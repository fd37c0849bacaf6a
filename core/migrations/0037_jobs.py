"""The job queue (core.base.jobs): work for later, claimed row by row. Print jobs and webhook deliveries are sent
through it, so they keep no claim (nor, print jobs, a due time) of their own; those still waiting get their job."""

import json
import re
from datetime import UTC, datetime

from tortoise import fields, migrations
from tortoise.indexes import Index
from tortoise.migrations import operations as ops

from core.base.jobs import JobState


async def _run(client, sql, *values):
    if client.capabilities.dialect != "sqlite":
        counter = iter(range(1, len(values) + 1))
        sql = re.sub(r"\?", lambda _: f"${next(counter)}", sql)
    return await client.execute_query_dict(sql, list(values))


async def queue_waiting_prints(apps, schema_editor):
    """Print jobs still waiting for their printer get their job in the queue, as new ones do."""
    client = schema_editor.client
    now = datetime.now(UTC)
    rows = await _run(client, 'SELECT p."id", p."printer_id", r."code" FROM "print_job" p JOIN "printer" r '
                              'ON r."id" = p."printer_id" WHERE p."state" = \'queued\' ORDER BY p."id"')
    for row in rows:
        await _run(client, 'INSERT INTO "job" ("kind", "key", "lane", "payload", "state", "attempts", "due_at", '
                           '"claimed_by", "last_error", "created_at") VALUES (?, ?, ?, ?, ?, 0, ?, \'\', \'\', ?)',
                   "print", f"print:{row['id']}", f"printer:{row['printer_id']}",
                   json.dumps({"print_job": row["id"], "printer": row["code"]}), "waiting", now, now)


async def queue_waiting_deliveries(apps, schema_editor):
    """Webhook deliveries still pending get their job in the queue, due when they were."""
    client = schema_editor.client
    now = datetime.now(UTC)
    rows = await _run(client, 'SELECT "subscription_id", "event_id", "next_try_at" FROM "webhook_delivery" '
                              'WHERE "state" = \'pending\' ORDER BY "id"')
    for row in rows:
        sub, event = row["subscription_id"], row["event_id"]
        await _run(client, 'INSERT INTO "job" ("kind", "key", "lane", "payload", "state", "attempts", "due_at", '
                           '"claimed_by", "last_error", "created_at") VALUES (?, ?, ?, ?, ?, 0, ?, \'\', \'\', ?)',
                   "webhook", f"webhook:{sub}:{event}", f"webhook:{sub}",
                   json.dumps({"subscription": sub, "event_id": event}), "waiting", row["next_try_at"] or now, now)


async def restore_sqlite_indexes(apps, schema_editor):
    """On SQLite, dropping a column rebuilds the table without its indexes: put back webhook_delivery's."""
    client = schema_editor.client
    if client.capabilities.dialect != "sqlite":
        return
    await client.execute_script('CREATE UNIQUE INDEX IF NOT EXISTS "uid_webhook_del_subscri_event" ON '
                                '"webhook_delivery" ("subscription_id", "event_id")')
    await client.execute_script('CREATE INDEX IF NOT EXISTS "idx_webhook_del_state_next" ON "webhook_delivery" '
                                '("state", "next_try_at")')


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0030_place_codes')]

    initial = False

    operations = [
        ops.CreateModel(
            name='Job',
            fields=[
                ('id', fields.BigIntField(generated=True, primary_key=True, unique=True, db_index=True)),
                ('kind', fields.CharField(max_length=48)),
                ('key', fields.CharField(null=True, unique=True, max_length=160)),
                ('lane', fields.CharField(null=True, max_length=64)),
                ('payload', fields.JSONField(default=dict)),
                ('state', fields.CharEnumField(default=JobState.WAITING, description='WAITING: waiting\nDONE: done\nFAILED: failed', enum_type=JobState, max_length=12)),
                ('attempts', fields.IntField(default=0)),
                ('due_at', fields.DatetimeField(auto_now=False, auto_now_add=False)),
                ('claimed_until', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
                ('claimed_by', fields.CharField(default='', max_length=100)),
                ('last_error', fields.CharField(default='', max_length=500)),
                ('created_at', fields.DatetimeField(auto_now=False, auto_now_add=True)),
                ('finished_at', fields.DatetimeField(null=True, auto_now=False, auto_now_add=False)),
            ],
            options={'table': 'job', 'app': 'fahuo', 'indexes': [Index(fields=['state', 'due_at']), Index(fields=['lane', 'state', 'id'])], 'pk_attr': 'id'},
            bases=['Model'],
        ),
        ops.RunPython(queue_waiting_prints, ops.RunPython.noop),
        ops.RemoveIndex(model_name='PrintJob', name=None, fields=['state', 'next_try_at']),
        ops.RemoveField(model_name='PrintJob', name='claimed_until'),
        ops.RemoveField(model_name='PrintJob', name='next_try_at'),
        ops.AddIndex(model_name='PrintJob', index=Index(fields=['printer_id', 'state'])),
        ops.RunPython(queue_waiting_deliveries, ops.RunPython.noop),
        ops.RemoveField(model_name='WebhookDelivery', name='claimed_until'),
        ops.RunPython(restore_sqlite_indexes, ops.RunPython.noop),
    ]
