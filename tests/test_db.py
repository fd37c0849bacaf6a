"""The hand-written statements of the hot paths write and read the same rows and instances as the ORM; and
transactions that meet others (another process on the same SQLite file, a deadlock on PostgreSQL) end well."""

import asyncio
import sqlite3
from datetime import time
from decimal import Decimal

import pytest
import tortoise
from tortoise import connections
from tortoise.backends.base.client import TransactionalDBClient
from tortoise.exceptions import ValidationError
from tortoise.transactions import in_transaction

from core.base import db as core_db
from core.base.db import (
    add,
    add_if_new,
    change,
    execute,
    fetch,
    from_db,
    insert,
    is_stored,
    lock_rows,
    retry_on_conflict,
    select,
)
from core.base.events import OutboxEvent
from core.orders.customers import Customer
from core.orders.order import Order, OrderLine, OrderStatus, PaymentMethod
from core.stock.catalog import Product
from core.stock.ledger import StockLevel
from tests.factories import a_product


def _columns(instance) -> dict:
    return {name: getattr(instance, name) for name in instance._meta.fields_db_projection}


async def test_add_gives_the_instance_a_read_of_the_row_gives(db):
    customer = await add(Customer, name="Wang Fang", phone="+86 13600000001", city="杭州", lat=30.27)
    order = await add(
        Order, number="SO-TEST-1", channel="api", customer_id=customer.id, recipient="Wang Fang",
        phone="+86 13600000001", city="杭州", line1="西湖路 1 号", total=Decimal("12.50"), created_by="test",
        payment_method=PaymentMethod.COD, review=[{"rule": "all", "outcome": "pass", "reason": "ok"}],
        window_start=time(9, 0), window_end=time(12, 30),
    )
    read = await Order.get(id=order.id)
    assert _columns(order) == _columns(read)
    assert order.status == OrderStatus.SUBMITTED  # the model's default
    assert order.created_at is not None and order.created_at.tzinfo is not None
    assert order.total == Decimal("12.50") and order.window_end == time(12, 30)
    assert _columns(customer) == _columns(await Customer.get(id=customer.id))


async def test_insert_fills_defaults_converts_and_validates_as_create_does(db):
    event_id = await insert(OutboxEvent, kind="order.test", payload={"order": "SO-1", "lines": [1, 2]})
    event = await OutboxEvent.get(id=event_id)
    assert event.payload == {"order": "SO-1", "lines": [1, 2]}
    assert event.dedupe_key is None and event.created_at is not None
    with pytest.raises(ValidationError):
        await insert(OutboxEvent, kind="k" * 65, payload={})
    with pytest.raises(TypeError, match="no column"):
        await insert(OutboxEvent, kind="x", colour="red")
    assert await OutboxEvent.all().count() == 1


async def test_add_if_new_leaves_a_taken_value_alone_without_spoiling_the_transaction(db):
    async with in_transaction():
        first = await add_if_new(Customer, "phone", name="Li Na", phone="+86 13600000002", city="上海")
        again = await add_if_new(Customer, "phone", name="Someone else", phone="+86 13600000002", city="北京")
        assert first is not None and again is None
        await add(Customer, name="Zhao Lei", phone="+86 13600000003", city="上海")  # the transaction goes on
    assert [c.name for c in await Customer.all().order_by("id")] == ["Li Na", "Zhao Lei"]


async def test_plain_statements_use_one_parameter_style_on_every_database(db):
    tea = await a_product("TEA")
    assert await execute('UPDATE "product" SET "weight_g"=? WHERE "sku"=? AND "weight_g"<>?', 750, "TEA", 750) == 1
    assert await execute('UPDATE "product" SET "weight_g"=? WHERE "sku"=? AND "weight_g"<>?', 750, "TEA", 750) == 0
    assert await fetch('SELECT "weight_g" FROM "product" WHERE "id"=?', tea.id) == [{"weight_g": 750}]
    [found] = await select(type(tea), 'SELECT * FROM "product" WHERE "sku"=?', "TEA")
    assert found.id == tea.id and found.weight_g == 750 and found.price == tea.price


async def test_an_sqlite_transaction_waits_while_another_process_writes_and_then_sees_its_write(db):
    if not db.is_sqlite:
        pytest.skip("about SQLite's file lock")
    await a_product("TEA")  # 500 g
    other = sqlite3.connect(db.database_url.removeprefix("sqlite://").split("?")[0], isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process is writing
    other.execute('UPDATE "product" SET "weight_g" = "weight_g" + 100')

    async def other_commits_soon() -> None:
        await asyncio.sleep(0.3)
        other.execute("COMMIT")

    async def add_a_gram() -> None:
        async with in_transaction():
            tea = await Product.get(sku="TEA")
            await asyncio.sleep(0.5)
            await Product.filter(id=tea.id).update(weight_g=tea.weight_g + 1)

    try:
        await asyncio.gather(add_a_gram(), other_commits_soon())
    finally:
        other.close()
    assert (await Product.get(sku="TEA")).weight_g == 601  # waited for the other write, neither failed nor lost it


async def test_a_service_whose_transaction_loses_a_deadlock_runs_again_whole(db):
    if db.is_sqlite:
        pytest.skip("an SQLite transaction holds the whole file from its start: two cannot deadlock")
    tea, rice = await a_product("TEA"), await a_product("RICE")
    attempts: list[str] = []
    holding: list[str] = []
    both_hold_one = asyncio.Event()

    @retry_on_conflict
    async def weigh(first: Product, then: Product, grams: int) -> None:
        attempts.append(first.sku)
        async with in_transaction():
            await Product.filter(id=first.id).update(weight_g=grams)
            holding.append(first.sku)
            if len(holding) == 2:
                both_hold_one.set()
            await asyncio.wait_for(both_hold_one.wait(), 10)
            await Product.filter(id=then.id).update(weight_g=grams)  # each waits for the row the other holds

    await asyncio.gather(weigh(tea, rice, 600), weigh(rice, tea, 700))
    assert len(attempts) == 3  # PostgreSQL aborted one of the two, which ran again after the other committed
    assert len({p.weight_g for p in await Product.all()}) == 1  # and each ran whole: both rows have one weight


async def test_change_writes_what_the_orm_update_writes_and_counts_the_guarded_rows(db):
    await add(Customer, name="Wang Fang", phone="+86 13600000009", city="杭州")
    customer = await Customer.get(phone="+86 13600000009")
    order = await add(Order, number="SO-TEST-2", channel="api", customer_id=customer.id, recipient="Wang Fang",
                      phone="+86 13600000009", city="杭州", line1="西湖路 1 号", total=Decimal("1.00"),
                      created_by="test", payment_method=PaymentMethod.COD)
    review = [{"rule": "value", "outcome": "hold", "reason": "over the limit"}]
    guard = {"id": order.id, "status": OrderStatus.SUBMITTED}
    assert await change(Order, guard, status=OrderStatus.ON_HOLD, review=review, window_start=time(8, 30)) == 1
    assert await change(Order, guard, status=OrderStatus.APPROVED) == 0  # it is no longer submitted
    read = await Order.get(id=order.id)
    assert (read.status, read.review, read.window_start) == (OrderStatus.ON_HOLD, review, time(8, 30))
    assert from_db(OrderLine, "unit_price", "12.50") == Decimal("12.50")


async def test_lock_rows_names_the_model_and_its_field(db):
    tea = await a_product("TEA")
    async with in_transaction():
        await lock_rows(StockLevel, "product_id", [tea.id])  # FOR UPDATE on PostgreSQL, nothing on SQLite
        assert await StockLevel.filter(product_id=tea.id).count() == 0


# What core.base.db takes from tortoise beyond its public API. An upgrade that moves any of it fails here, by
# name, instead of somewhere in a hot path: check each use in core.base.db against the new version, then move
# the pin (pyproject.toml) and this test together.
TORTOISE_CHECKED = "1.1.9"


async def test_the_tortoise_internals_core_base_db_relies_on_are_where_they_were(db):
    assert tortoise.__version__ == TORTOISE_CHECKED, (
        f"tortoise {tortoise.__version__}: core.base.db uses its private parts as of {TORTOISE_CHECKED}; "
        "check them (this test lists them) and update TORTOISE_CHECKED")
    meta = Order._meta
    assert meta.db_table == "sales_order" and meta.db_pk_column == "id" and meta.pk_attr == "id"
    assert meta.pk.generated and meta.fields_db_projection["customer_id"] == "customer_id"
    assert meta.fields_map["total"].to_python_value("1.50") == Decimal("1.50")
    row = (await fetch('SELECT * FROM "product" WHERE "id"=?', (await a_product("TEA")).id))[0]
    product = Product._init_from_db(**row)  # the row-to-instance step of every read
    assert product.sku == "TEA" and is_stored(product) and not is_stored(Product(sku="NEW"))
    conn = connections.get("default")
    assert callable(conn.executor_class(model=Product, db=conn).execute_select)
    if db.is_sqlite:  # the transaction that begins IMMEDIATE is built from these
        assert isinstance(conn, core_db.WaitingSqliteClient) and hasattr(conn, "_lock")
        opened = conn._in_transaction()
        assert all(hasattr(opened, name) for name in ("_trxlock", "connection", "connection_name", "ensure_connection"))
        async with opened as tx:  # BEGIN IMMEDIATE and its rollback run on the wrapper's aiosqlite connection
            assert isinstance(tx, TransactionalDBClient) and callable(tx._connection.rollback)
