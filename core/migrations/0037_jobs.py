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


async def _job(client, kind, key, lane, payload, due):
    """One waiting job, unless one with its key exists."""
    if await _run(client, 'SELECT 1 FROM "job" WHERE "key" = ?', key):
        return
    await _run(client, 'INSERT INTO "job" ("kind", "key", "lane", "payload", "state", "attempts", "due_at", '
                       '"claimed_by", "last_error", "created_at") VALUES (?, ?, ?, ?, \'waiting\', 0, ?, \'\', \'\', ?)',
               kind, key, lane, json.dumps(payload, ensure_ascii=False), due, datetime.now(UTC))


async def _unread(client, consumer, kind):
    """The events of `kind` the old outbox consumer had not got past: what it still owed."""
    cursor = await _run(client, 'SELECT "last_tx", "last_event_id" FROM "consumer_cursor" WHERE "consumer" = ?',
                        consumer)
    tx, last = (cursor[0]["last_tx"], cursor[0]["last_event_id"]) if cursor else (0, 0)
    rows = await _run(client, 'SELECT "payload" FROM "outbox_event" WHERE "kind" = ? AND ("tx" > ? OR ("tx" = ? '
                              'AND "id" > ?)) ORDER BY "tx", "id"', kind, tx, tx, last)
    return [row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"]) for row in rows]


async def queue_what_the_outbox_owed(apps, schema_editor):
    """What the outbox consumers that did the work before the queue had not done yet becomes jobs, so nothing
    asked for before the upgrade is lost: waybill bookings to try again and cancellations to tell, tracking
    subscriptions of parcels that left (and renewals of ones a carrier stopped), shops' write-backs waiting."""
    client = schema_editor.client
    now = datetime.now(UTC)
    for p in await _unread(client, "waybill_retry", "waybill.request"):
        key = f"waybill.book:{p['shipment']}:{p['attempt']}"
        await _job(client, "waybill.book", key, None, {k: p.get(k) for k in ("shipment", "carrier", "attempt")},
                   datetime.fromisoformat(p["due"]) if p.get("due") else now)
    for p in await _unread(client, "waybill_cancel", "waybill.cancel"):
        key = f"waybill.cancel:{p['carrier']}:{p['waybill']}:{p['shipment']}"
        await _job(client, "waybill.cancel", key, None, p, now)
    for p in await _unread(client, "tracking_subscribe", "shipment.dispatched"):
        key = f"tracking.subscribe:{p['shipment']}:0"
        await _job(client, "tracking.subscribe", key, None, {"shipment": p["shipment"], "company": "", "renewal": 0},
                   now)
    for row in await _run(client, 'SELECT s."number", p."company", p."renewals" FROM "push_subscription" p JOIN '
                                  '"shipment" s ON s."id" = p."shipment_id" WHERE p."state" = \'aborted\''):
        renewal = row["renewals"] + 1
        await _job(client, "tracking.subscribe", f"tracking.subscribe:{row['number']}:{renewal}", None,
                   {"shipment": row["number"], "company": row["company"] or "", "renewal": renewal}, now)
    for row in await _run(client, 'SELECT "channel", "order", "shipment" FROM "channel_write_back" '
                                  'WHERE "state" = \'waiting\''):
        await _job(client, "channel.write_back", f"channel.write_back:{row['shipment']}",
                   f"channel.write_back:{row['channel']}", dict(row), now)


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
        ops.RunPython(queue_what_the_outbox_owed, ops.RunPython.noop),
        ops.RemoveField(model_name='WebhookDelivery', name='claimed_until'),
        ops.RunPython(restore_sqlite_indexes, ops.RunPython.noop),
    ]
