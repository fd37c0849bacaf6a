"""One rule for transactions: a public core service owns its transaction; a helper whose writes belong to its
caller's step is marked `@in_callers_transaction` (it refuses to run outside a transaction). These tests walk the
core's source and prove that every service calls such helpers only inside a transaction it opened, and that no
front end calls one at all."""

from __future__ import annotations

import ast
import importlib
from collections.abc import Iterator
from types import ModuleType

import pytest
from tortoise.transactions import in_transaction

from core.base.db import OutsideTransaction, runs_in_callers_transaction
from core.base.events import OutboxEvent, emit
from tests.test_layers import CORE, ROOT, _front_end_files, _imported_names, _module_name

Function = ast.FunctionDef | ast.AsyncFunctionDef


def _core_modules() -> Iterator[tuple[ModuleType, ast.Module]]:
    for path in sorted(CORE.rglob("*.py")):
        if "migrations" not in path.parts:
            yield importlib.import_module(_module_name(path)), ast.parse(path.read_text(encoding="utf-8"))


def _opens_a_transaction(node: ast.AST) -> bool:
    return isinstance(node, ast.AsyncWith) and any(
        isinstance(item.context_expr, ast.Call) and ast.unparse(item.context_expr.func).endswith("in_transaction")
        for item in node.items)


def _bare_calls(function: Function) -> Iterator[ast.Call]:
    """The calls of `function` made outside any transaction it opens. Nested functions and lambdas are left out:
    they run where they are passed (`apply_once` runs its step in its own transaction)."""
    def walk(node: ast.AST) -> Iterator[ast.Call]:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda) or _opens_a_transaction(child):
                continue
            if isinstance(child, ast.Call):
                yield child
            yield from walk(child)
    yield from walk(function)


def _needs_a_transaction() -> tuple[set[object], dict[object, tuple[str, Function, list[str]]]]:
    """Functions that must run in their caller's transaction: the marked helpers, and the private functions that
    call one (or another such private function) outside a transaction of their own."""
    functions: dict[object, tuple[str, Function]] = {}
    calls: dict[object, list[tuple[object, int]]] = {}
    for module, tree in _core_modules():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                function = getattr(module, node.name)
                functions[function] = (module.__name__, node)
                calls[function] = [(getattr(module, call.func.id), call.lineno) for call in _bare_calls(node)
                                   if isinstance(call.func, ast.Name) and hasattr(module, call.func.id)]
    needs = {f for f in functions if runs_in_callers_transaction(f)}
    while True:
        more = {f for f, (_, node) in functions.items() if f not in needs and node.name.startswith("_")
                and any(callee in needs for callee, _ in calls[f])}
        if not more:
            return needs, {f: (*functions[f], [f"{getattr(callee, '__name__', callee)} (line {line})"
                                               for callee, line in calls[f] if callee in needs])
                           for f in calls if any(callee in needs for callee, _ in calls[f])}
        needs |= more


def test_every_service_calls_helpers_inside_the_transaction_it_opens() -> None:
    needs, callers = _needs_a_transaction()
    bare = [f"{module}.{node.name} calls {', '.join(helpers)}" for f, (module, node, helpers) in callers.items()
            if f not in needs and not node.name.startswith("_")]
    assert not bare, ("these public functions call a helper that runs in the caller's transaction outside any "
                      "transaction: open one around the step, or mark them @in_callers_transaction:\n"
                      + "\n".join(sorted(bare)))


def test_the_core_marks_its_helpers() -> None:
    """The ledger, transfers, allocation and an order's status step are helpers: a front end that calls one bare
    is refused at once, and a service that does is found by the walk above."""
    needs, _ = _needs_a_transaction()
    names = {f"{f.__module__}.{f.__name__}" for f in needs if runs_in_callers_transaction(f)}
    assert {"core.base.events.emit", "core.orders.order.transition", "core.stock.ledger.move_stock",
            "core.orders.allocation.allocate_order", "core.stock.transfers.add_transfer_line"} <= names


def test_front_ends_call_no_helper() -> None:
    """A front end calls services only: every helper it could reach needs a transaction a front end never opens."""
    found = []
    for path in _front_end_files():
        for module, attribute in _imported_names(ast.parse(path.read_text(encoding="utf-8"))).values():
            if runs_in_callers_transaction(getattr(importlib.import_module(module), attribute, None)):
                found.append(f"{path.relative_to(ROOT)} imports {module}.{attribute}")
    assert not found, "\n".join(found)


async def test_a_helper_called_outside_a_transaction_refuses_before_writing(db) -> None:
    with pytest.raises(OutsideTransaction, match="caller's transaction"):
        await emit("test.bare", {})
    async with in_transaction():
        await emit("test.inside", {})
    assert [e.kind for e in await OutboxEvent.all()] == ["test.inside"]
