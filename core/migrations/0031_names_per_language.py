"""Warehouses and carriers get a name in each language, as products have (`name` English, `name_zh` Chinese).

Until now one name held both ("Shanghai Qingpu DC 上海青浦仓"), so a reader saw both languages at once. A stored
name that is Latin words followed by Chinese is split there; a name wholly in Chinese becomes the Chinese one
(the English one keeps it too, until someone gives an English name); any other name is left as the English one.

Self-contained on purpose: a migration must not change when the application's code does.
"""

import re

from tortoise import fields, migrations
from tortoise.migrations import operations as ops

CHINESE = re.compile(r"[\u3400-\u9fff]")


def split_name(name):
    """(English, Chinese) of a name that may hold both: "Standard Post 标准快递" → ("Standard Post", "标准快递")."""
    found = CHINESE.search(name)
    if found is None:
        return name, ""
    latin, chinese = name[:found.start()].strip(), name[found.start():].strip()
    if re.search(r"[A-Za-z]", chinese):
        return name, ""  # the languages are mixed some other way: leave it for a person
    if not latin:
        return name, name
    return latin, chinese


async def _run(client, sql, *values):
    if client.capabilities.dialect != "sqlite":
        counter = iter(range(1, len(values) + 1))
        sql = re.sub(r"\?", lambda _: f"${next(counter)}", sql)
    return await client.execute_query_dict(sql, list(values))


async def forward(apps, schema_editor):
    client = schema_editor.client
    for table in ("warehouse", "carrier"):
        for row in await _run(client, f'SELECT "id", "name" FROM "{table}"'):
            en, zh = split_name(row["name"])
            if (en, zh) != (row["name"], ""):
                await _run(client, f'UPDATE "{table}" SET "name"=?, "name_zh"=? WHERE "id"=?', en, zh, row["id"])


class Migration(migrations.Migration):
    dependencies = [('fahuo', '0035_aftersales_outcomes')]

    initial = False

    operations = [
        ops.AddField(model_name='Warehouse', name='name_zh', field=fields.CharField(default='', max_length=200)),
        ops.AddField(model_name='Carrier', name='name_zh', field=fields.CharField(default='', max_length=100)),
        ops.RunPython(forward, ops.RunPython.noop),
    ]
