"""core/ is grouped by the stages of an order's life, and imports run one way only: a stage may import its own
package and the stages before it, never a later one; no import circle; no import hidden inside a function.
Front ends (bot, pwa, scheduler) import core, never each other, and core imports none of them."""

from __future__ import annotations

import ast
import importlib
from pathlib import Path

from tortoise.models import Model

ROOT = Path(__file__).resolve().parent.parent
CORE = ROOT / "core"
# The order of an order's life; the modules at the top of core/ (reports, demo, lookup) come after all of them.
STAGES = ["base", "stock", "orders", "floor", "shipping", "channels"]
FRONT_ENDS = ["bot", "pwa", "scheduler"]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> list[tuple[str, bool]]:
    """(imported module, at module level?) for every import of the file."""
    found: list[tuple[str, bool]] = []
    tree = ast.parse(path.read_text(encoding="utf-8"))
    top = {id(node) for node in tree.body}
    type_checking = {id(n) for node in tree.body if isinstance(node, ast.If)
                     and "TYPE_CHECKING" in ast.unparse(node.test) for n in ast.walk(node)}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        else:
            continue
        for name in names:
            found.append((name, id(node) in top or id(node) in type_checking))
    return found


def _core_files() -> dict[str, Path]:
    return {_module_name(p): p for p in CORE.rglob("*.py") if "migrations" not in p.parts}


def _rank(module: str) -> int:
    parts = module.split(".")
    if len(parts) >= 2 and parts[1] in STAGES:
        return STAGES.index(parts[1])
    return len(STAGES)  # core's top: reports, demo, lookup


def _core_edges() -> dict[str, set[str]]:
    files = _core_files()
    edges: dict[str, set[str]] = {m: set() for m in files}
    for module, path in files.items():
        for name, _ in _imports(path):
            while name and name not in files:
                name = name.rpartition(".")[0]
            if name and name != module and name.startswith("core."):
                edges[module].add(name)
    return edges


def test_every_core_module_lives_in_a_stage_package_or_at_the_top() -> None:
    for module in _core_files():
        parts = module.split(".")
        assert len(parts) <= 3, module
        assert len(parts) < 3 or parts[1] in STAGES, f"{module}: core's packages are the stages {STAGES}"


def test_no_core_module_imports_a_later_stage() -> None:
    wrong = [f"{m} imports {d}" for m, deps in _core_edges().items() for d in deps if _rank(d) > _rank(m)]
    assert not wrong, "\n".join(sorted(wrong))


def test_core_has_no_import_circle() -> None:
    edges = _core_edges()
    state: dict[str, int] = {}
    circles: list[str] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(edges[node]):
            if state.get(nxt) == 1:
                circles.append(" → ".join([*path[path.index(nxt):], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(edges):
        if node not in state:
            visit(node, [node])
    assert not circles, "\n".join(circles)


def test_no_import_is_hidden_inside_a_function() -> None:
    hidden = [f"{_module_name(p)} imports {name} inside a function"
              for p in [*CORE.rglob("*.py"), *(q for fe in FRONT_ENDS for q in (ROOT / fe).rglob("*.py"))]
              if "migrations" not in p.parts
              for name, at_top in _imports(p) if not at_top and name.split(".")[0] in ("core", *FRONT_ENDS)]
    assert not hidden, "\n".join(hidden)


def test_core_imports_no_front_end_and_front_ends_not_each_other() -> None:
    for package in ["core", *FRONT_ENDS]:
        others = {fe for fe in FRONT_ENDS if fe != package}
        for path in (ROOT / package).rglob("*.py"):
            for name, _ in _imports(path):
                assert name.split(".")[0] not in others, f"{_module_name(path)} imports {name}"


def _front_end_files() -> list[Path]:
    return [*(p for fe in FRONT_ENDS for p in (ROOT / fe).rglob("*.py")), ROOT / "run.py"]


def test_front_ends_never_touch_the_orm() -> None:
    """Public core services own their transaction and every query; the bot, the web app, the scheduler and the
    command line only call them: none of them imports tortoise (its transactions, connections or queries)."""
    touching = [f"{_module_name(p)} imports {name}" for p in _front_end_files()
                for name, _ in _imports(p) if name.split(".")[0] == "tortoise"]
    assert not touching, "\n".join(touching)


QUERY_FREE = [*(p for fe in FRONT_ENDS for p in (ROOT / fe).rglob("*.py")), ROOT / "run.py"]
QUERY_API = {"all", "filter", "exclude", "get", "get_or_none", "get_or_create", "update_or_create", "first",
             "exists", "create", "bulk_create", "bulk_update", "raw", "select_for_update", "annotate"}


def _imported_names(tree: ast.AST) -> dict[str, tuple[str, str]]:
    """name → (module, attribute) for every `from core… import name` of the file, at any depth."""
    return {alias.asname or alias.name: (node.module, alias.name) for node in ast.walk(tree)
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("core")
            for alias in node.names}


def test_views_and_commands_leave_queries_to_core_services() -> None:
    """A view parses, calls one core service and answers: it asks no model for rows (`Order.filter(…)`),
    so lists, filters and the fields of their lines are built, and tested, in core."""
    asked = []
    for path in QUERY_FREE:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = _imported_names(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in QUERY_API
                    and isinstance(node.func.value, ast.Name) and node.func.value.id in names):
                module, attribute = names[node.func.value.id]
                found = getattr(importlib.import_module(module), attribute, None)
                if isinstance(found, type) and issubclass(found, Model):
                    asked.append(f"{_module_name(path)}:{node.lineno} {ast.unparse(node.func)}(…)")
    assert not asked, "\n".join(asked)


def test_the_bot_reads_and_writes_only_through_core_services() -> None:
    """No query, statement or model write in bot/: its handlers call the core's services (the emulator, a stand-in
    for Telegram, has no database at all)."""
    for path in (ROOT / "bot").rglob("*.py"):
        reaching = [name for name, _ in _imports(path) if name.split(".")[0] == "tortoise" or name == "core.base.db"
                    or name.startswith("core.base.db.")]
        assert not reaching, f"{_module_name(path)} imports {reaching}"
        source = path.read_text(encoding="utf-8")
        for word in ("SELECT ", "UPDATE ", "INSERT ", "DELETE ", ".raw(", ".update(", ".create(", ".get_or_none("):
            assert word not in source, f"{_module_name(path)} has {word.strip()}"
