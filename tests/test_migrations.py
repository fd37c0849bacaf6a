"""The shipped migrations describe exactly the models, on the database under test."""

import pytest
from tortoise import Tortoise, connections
from tortoise.migrations.autodetector import MigrationAutodetector

from core.db import APP, tortoise_config


@pytest.mark.slow
async def test_models_have_no_changes_missing_from_the_shipped_migrations(db):
    detector = MigrationAutodetector(Tortoise.apps, tortoise_config(db.database_url)["apps"])
    assert await detector.changes() == [], "run: tortoise -c core.db.TORTOISE_ORM makemigrations"


async def test_every_declared_index_and_unique_pair_exists_in_the_database(db):
    """SQLite rebuilds a table to alter a column; a rebuild must not lose what the models declare."""
    conn = connections.get("default")
    for model in Tortoise.apps[APP].values():
        meta = model._meta
        wanted = [tuple(meta.fields_map[f].source_field or f for f in group) for group in meta.unique_together]
        wanted += [tuple(meta.fields_map[f].source_field or f for f in group) for group in meta.indexes
                   if isinstance(group, tuple | list)]
        wanted += [(meta.fields_map[name].source_field or name,) for name, field in meta.fields_map.items()
                   if field.index and not field.pk]
        if not wanted:
            continue
        if conn.capabilities.dialect == "sqlite":
            found = set()
            for index in await conn.execute_query_dict(f'PRAGMA index_list("{meta.db_table}")'):
                columns = await conn.execute_query_dict(f'PRAGMA index_info("{index["name"]}")')
                found.add(tuple(c["name"] for c in columns))
        else:
            rows = await conn.execute_query_dict(
                "SELECT array_agg(a.attname ORDER BY k.n) AS cols FROM pg_index i "
                "CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, n) "
                "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum "
                "WHERE i.indrelid = $1::regclass GROUP BY i.indexrelid", [meta.db_table])
            found = {tuple(r["cols"]) for r in rows}
        for columns in wanted:
            assert columns in found, f"{meta.db_table}: no index on {columns}; found {sorted(found)}"
