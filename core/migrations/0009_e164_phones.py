"""Phones in E.164: customers' and orders' stored phones rewritten as `+8613800001111`.

Before this, the API kept what the shop sent (`+86 138 0000 1111`) and the bot what Telegram sent
(`+8613800001111`), so one person could be two customers. Customers whose phones turn out to be the same
number are merged into the oldest of them (lowest id): it keeps its own name, address, language and terms,
takes over the others' orders and, when it has none, their Telegram link; it stays blocked if any of them was
blocked. The others are deleted. Each merge is logged. A phone that is not a valid number is left as it was.

Self-contained on purpose (only `phonenumbers`): a migration must not change when the application's code does.
"""

import logging
import re

import phonenumbers
from tortoise import migrations
from tortoise.migrations import operations as ops

log = logging.getLogger("fahuo.migrations")


def _e164(raw):
    try:
        number = phonenumbers.parse(raw, "CN")
    except phonenumbers.NumberParseException:
        return raw
    if not phonenumbers.is_valid_number(number):
        return raw
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


async def _run(client, sql, *values):
    if client.capabilities.dialect != "sqlite":
        counter = iter(range(1, len(values) + 1))
        sql = re.sub(r"\?", lambda _: f"${next(counter)}", sql)
    return await client.execute_query_dict(sql, list(values))


async def _merge(client, keeper, twins):
    for twin in twins:
        await _run(client, 'UPDATE "sales_order" SET "customer_id"=? WHERE "customer_id"=?', keeper["id"], twin["id"])
        if twin["telegram_id"] is not None and keeper["telegram_id"] is None:
            await _run(client, 'UPDATE "customer" SET "telegram_id"=NULL WHERE "id"=?', twin["id"])
            await _run(client, 'UPDATE "customer" SET "telegram_id"=? WHERE "id"=?', twin["telegram_id"], keeper["id"])
            keeper["telegram_id"] = twin["telegram_id"]
        if twin["blocked"] and not keeper["blocked"]:
            await _run(client, 'UPDATE "customer" SET "blocked"=? WHERE "id"=?', True, keeper["id"])
            keeper["blocked"] = True
        await _run(client, 'DELETE FROM "customer" WHERE "id"=?', twin["id"])


async def normalise_phones(client):
    """Rewrite the phones; returns the merges made as (kept customer id, [merged ids])."""
    rows = await _run(client, 'SELECT "id", "phone", "telegram_id", "blocked" FROM "customer" '
                              'WHERE "phone" IS NOT NULL ORDER BY "id"')
    groups = {}
    for row in rows:
        groups.setdefault(_e164(row["phone"]), []).append(dict(row))
    merges = []
    for phone, (keeper, *twins) in groups.items():
        if twins:
            await _merge(client, keeper, twins)
            merges.append((keeper["id"], [t["id"] for t in twins]))
            log.warning("customers %s share the phone %s: merged into customer %s, the oldest",
                        [t["id"] for t in twins], phone, keeper["id"])
        if keeper["phone"] != phone:
            await _run(client, 'UPDATE "customer" SET "phone"=? WHERE "id"=?', phone, keeper["id"])
    for row in await _run(client, 'SELECT DISTINCT "phone" FROM "sales_order"'):
        if (phone := _e164(row["phone"])) != row["phone"]:
            await _run(client, 'UPDATE "sales_order" SET "phone"=? WHERE "phone"=?', phone, row["phone"])
    return merges


async def forward(apps, schema_editor):
    await normalise_phones(schema_editor.client)


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0008_failing_since')]

    initial = False

    operations = [ops.RunPython(forward, ops.RunPython.noop)]
