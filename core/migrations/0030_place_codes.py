"""Places by code: warehouses, customers and saved addresses keep the administrative code (adcode) of their
place, as orders do; carriers keep their regions and rate zones as codes, not as the names they were typed
with ("上海" and "上海市" were two places before); a shipment no carrier is allowed to take is `stuck`.

Existing rows are converted: each carrier region or zone named in any form (上海, 上海市, Shanghai, SH) becomes
its code (a country abroad, "*" and "WORLD" stay; a name of no place stays as it was, and is logged); every
order, customer, saved address and warehouse without a code gets the deepest one its province, city and
district name; a packed shipment whose stored choice found no carrier allowed (none failed) becomes stuck.
"""

import json
import logging
import re

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

from core.base.regions import division, place_code
from core.shipping.shipments import ShipmentStatus

log = logging.getLogger("fahuo.migrations")
KEPT = ("*", "WORLD")


def _sql(client, sql):
    if client.capabilities.dialect == "sqlite":
        return sql.replace("::text::jsonb", "")
    counter = iter(range(1, sql.count("?") + 1))
    return re.sub(r"\?", lambda _: f"${next(counter)}", sql)


async def _run(client, sql, *values):
    return await client.execute_query_dict(_sql(client, sql), list(values))


def _json(value):
    return json.loads(value) if isinstance(value, str | bytes) else value


def region_code(name):
    """The code a carrier keeps for a region named any way (as core.shipping.carriers.region_code, at the time
    of this migration)."""
    name = name.strip()
    if name in KEPT:
        return name
    place = division(name)
    if place is not None:
        return place.adcode
    if len(name) == 2 and name.isascii() and name.isalpha():
        return name.upper()
    log.warning("carrier region %r names no place fahuo knows; kept as it was", name)
    return name


async def carriers_by_code(client):
    for row in await _run(client, 'SELECT "id", "regions", "rates" FROM "carrier"'):
        regions = list(dict.fromkeys(region_code(name) for name in _json(row["regions"]) or []))
        rates = _json(row["rates"]) or {}
        if rates.get("zones"):
            rates["zones"] = {region_code(name): factor for name, factor in rates["zones"].items()}
        await _run(client, 'UPDATE "carrier" SET "regions"=?::text::jsonb, "rates"=?::text::jsonb WHERE "id"=?',
                   json.dumps(regions, ensure_ascii=False), json.dumps(rates, ensure_ascii=False), row["id"])


async def places_by_code(client, table, district=True):
    """Give each row of `table` without a code the one its place's names add up to, one update per place."""
    parts = '"province", "city", "district"' if district else '"province", "city"'
    for row in await _run(client, f'SELECT DISTINCT {parts} FROM "{table}" WHERE "adcode" = \'\''):
        names = (row["province"] or "", row["city"] or "", row.get("district") or "")
        code = place_code(*names)
        if code:
            where = ' AND '.join(f'"{p}"=?' for p in ("province", "city", "district")[:3 if district else 2])
            await _run(client, f'UPDATE "{table}" SET "adcode"=? WHERE "adcode" = \'\' AND {where}',
                       code, *names[:3 if district else 2])


async def stuck_shipments(client):
    for row in await _run(client, 'SELECT "id", "choice" FROM "shipment" WHERE "status"=?', "packed"):
        choice = _json(row["choice"]) or {}
        if choice and choice.get("chosen") is None and choice.get("rejected") and not choice.get("fallbacks") \
                and not choice.get("ranked"):
            await _run(client, 'UPDATE "shipment" SET "status"=? WHERE "id"=?', "stuck", row["id"])


async def convert(client):
    await carriers_by_code(client)
    await places_by_code(client, "sales_order")
    await places_by_code(client, "customer")
    await places_by_code(client, "saved_address")
    await places_by_code(client, "warehouse", district=False)
    await stuck_shipments(client)


# On SQLite the AlterField of the shipment's status rebuilds the table, which comes back without its indexes
# (as 0007_sqlite_indexes says); PostgreSQL alters the column in place and keeps them.
RESTORE = [
    'CREATE INDEX IF NOT EXISTS "idx_shipment_order_id" ON "shipment" ("order_id")',
    'CREATE INDEX IF NOT EXISTS "idx_shipment_status" ON "shipment" ("status")',
    'CREATE INDEX IF NOT EXISTS "idx_shipment_waybill" ON "shipment" ("waybill")',
]


async def forward(apps, schema_editor):
    client = schema_editor.client
    if client.capabilities.dialect == "sqlite":
        for statement in RESTORE:
            await client.execute_script(statement)
    await convert(client)


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0029_connections')]

    initial = False

    operations = [
        ops.AddField(model_name='Customer', name='adcode', field=fields.CharField(default='', max_length=12)),
        ops.AddField(model_name='SavedAddress', name='adcode', field=fields.CharField(default='', max_length=12)),
        ops.AddField(model_name='Warehouse', name='adcode', field=fields.CharField(default='', max_length=12)),
        ops.AlterField(
            model_name='Shipment',
            name='status',
            field=fields.CharEnumField(default=ShipmentStatus.PACKED, db_index=True, description='PACKED: packed\nSTUCK: stuck\nBOOKED: booked\nLOADING: loading\nDISPATCHED: dispatched\nDELIVERED: delivered\nCANCELLED: cancelled', enum_type=ShipmentStatus, max_length=16),
        ),
        ops.RunPython(forward, ops.RunPython.noop),
    ]
