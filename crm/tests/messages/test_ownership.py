"""crm.messages is the one owner of the `communications` row: no other package inserts, updates
or deletes it, by the ORM, by Core or by SQL text. A static check over crm/src (the AST of every
module), so it fails the moment another package writes the table, whatever the test data."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "crm"
OWNER = SRC / "messages"
# Where the table is defined: the model and its Core handle, which write nothing.
DEFINITIONS = {SRC / "models" / "communication.py", SRC / "models" / "__init__.py", SRC / "tables.py"}

TARGETS = {"Communication", "communications_table"}
WRITE_CALLS = {"insert", "update", "delete", "upsert", "insert_ignoring_conflicts"}
WRITE_SQL = re.compile(r"\b(insert\s+into|update|delete\s+from)\s+communications\b", re.IGNORECASE)


def _names_of_the_table(tree: ast.AST) -> set[str]:
    """The names a module gives the model or its table: imported as themselves or under an alias,
    and simple aliases (`C = Communication`, `T = cast(Table, Communication.__table__)`)."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names.update(alias.asname or alias.name for alias in node.names if alias.name in TARGETS)
    changed = True
    while changed:
        changed = False
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign) and _refers(node.value, names):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id not in names:
                        names.add(target.id)
                        changed = True
    return names


def _refers(node: ast.AST, names: set[str]) -> bool:
    """The expression is the model or table itself (a name, `X.__table__`, `cast(Table, X…)`)."""
    if isinstance(node, ast.Name):
        return node.id in names
    if isinstance(node, ast.Attribute) and node.attr == "__table__":
        return _refers(node.value, names)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id == "cast":
        return any(_refers(arg, names) for arg in node.args)
    return False


def _call_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def writes_in(source: str) -> Iterator[tuple[int, str]]:
    """(line, what) for each write of communications in a module's source."""
    tree = ast.parse(source)
    names = _names_of_the_table(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            name = _call_name(node)
            if name in WRITE_CALLS and any(_refers(arg, names) for arg in node.args):
                yield node.lineno, f"{name}(communications)"
            elif (
                name in ("insert", "update", "delete")
                and isinstance(node.func, ast.Attribute)
                and _refers(node.func.value, names)
            ):
                yield node.lineno, f"communications.{name}()"
            elif isinstance(node.func, ast.Name) and node.func.id in names:
                yield node.lineno, "a new Communication (ORM insert)"
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and WRITE_SQL.search(node.value):
            yield node.lineno, f"SQL text: {WRITE_SQL.search(node.value).group(0)!r}"  # type: ignore[union-attr]


def modules() -> list[Path]:
    return sorted(p for p in SRC.rglob("*.py") if p not in DEFINITIONS)


def test_only_the_messages_package_writes_communications() -> None:
    outside = [
        f"{path.relative_to(SRC.parent)}:{line}: {what}"
        for path in modules()
        if OWNER not in path.parents
        for line, what in writes_in(path.read_text())
    ]
    assert outside == [], "communications is written outside crm/messages:\n" + "\n".join(outside)


def test_the_check_finds_the_owners_own_writes() -> None:
    """Not vacuous: the same check finds every kind of write the owner really makes — the queue's
    INSERTs, the claims' UPDATEs and the receipts' statements (Core and SQL text)."""
    found = {path.name: list(writes_in(path.read_text())) for path in modules() if OWNER in path.parents}
    kinds = {name: {what.split("(")[0].split(":")[0] for _, what in writes} for name, writes in found.items()}
    assert {"communications.insert", "insert_ignoring_conflicts"} <= kinds["queue.py"]
    assert "update" in kinds["claims.py"]
    assert {"update", "SQL text"} <= kinds["receipts.py"]


@pytest.mark.parametrize(
    "source",
    [
        "from crm.models import Communication\nx = update(Communication).values(state='x')",
        "from crm.models import Communication as M\nx = delete(M)",
        "from crm.models import Communication\nT = cast(Table, Communication.__table__)\nx = T.update()",
        "from crm.tables import communications_table\nx = communications_table.insert()",
        "from crm.tables import communications_table as t\nx = insert_ignoring_conflicts(s, t, ['id'])",
        "from crm.tables import communications_table\nx = upsert(s, communications_table, ['id'], ['state'])",
        "from crm.tables import communications_table\nx = postgresql.insert(communications_table)",
        "from crm.models import Communication\nsession.add(Communication(communication_id='c'))",
        "q = text('UPDATE communications SET state = 1')",
        "q = '''insert into   communications (id) values (1)'''",
        "q = f'DELETE FROM communications WHERE id = {n}'",
    ],
)
def test_the_check_catches_each_way_of_writing(source: str) -> None:
    assert list(writes_in(source)) != []


@pytest.mark.parametrize(
    "source",
    [
        "from crm.models import Communication\nx = select(Communication.id).where(Communication.state == 'q')",
        "from crm.models import Campaign\nx = update(Campaign).values(status='done')",
        "q = text('SELECT * FROM communications')",
        "q = text('UPDATE campaigns SET status = 1')",
    ],
)
def test_reads_and_other_tables_are_not_writes(source: str) -> None:
    assert list(writes_in(source)) == []
