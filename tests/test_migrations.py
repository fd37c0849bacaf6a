"""The shipped migrations describe exactly the models, on the database under test."""

from tortoise import Tortoise
from tortoise.migrations.autodetector import MigrationAutodetector

from core.db import tortoise_config


async def test_models_have_no_changes_missing_from_the_shipped_migrations(db):
    detector = MigrationAutodetector(Tortoise.apps, tortoise_config(db.database_url)["apps"])
    assert await detector.changes() == [], "run: tortoise -c core.db.TORTOISE_ORM makemigrations"
