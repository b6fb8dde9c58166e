"""The module kit's structural rules (issue 12), checked over the code under laomo/ (migrations and tests
excepted): services stay small, views and API functions stay short, project imports sit at the top.

- no `services.py` (or `services/*.py`) longer than 600 lines;
- no function in a `views.py`, `views/*.py`, `api.py` or `routers_*.py` longer than 40 lines (from its
  `def` line to its last line);
- no function-local `import` / `from ... import` of project code (`laomo.…` or a relative module) unless a
  comment on the same line or the line just above says why (a real import cycle).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]  # laomo/
MAX_SERVICES_LINES = 600
MAX_VIEW_LINES = 40



def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        parts = path.relative_to(ROOT).parts
        if "migrations" in parts or "tests" in parts:
            continue
        yield path


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT.parent))


def _is_services(path: Path) -> bool:
    return path.name == "services.py" or path.parent.name == "services"


def _is_view_file(path: Path) -> bool:
    return (path.name in ("views.py", "api.py") or path.parent.name == "views"
            or (path.name.startswith("routers_") and path.suffix == ".py"))


def _functions(tree):
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node


def _is_project_import(node) -> bool:
    if isinstance(node, ast.ImportFrom):
        return node.level > 0 or (node.module or "").split(".")[0] == "laomo"
    if isinstance(node, ast.Import):
        return any(alias.name.split(".")[0] == "laomo" for alias in node.names)
    return False


def _explained(lines: list[str], lineno: int) -> bool:
    """A comment on the import's line, or a comment heading the block of imports it belongs to (the lines
    between it and the comment are imports or blank)."""
    if "#" in lines[lineno - 1]:
        return True
    for above in reversed(lines[:lineno - 1]):
        text = above.strip()
        if text.startswith("#"):
            return True
        if text and not text.startswith(("from ", "import ")):
            return False
    return False


def _local_imports(tree, lines):
    seen = set()
    for func in _functions(tree):
        for node in ast.walk(func):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and _is_project_import(node):
                if node.lineno not in seen and not _explained(lines, node.lineno):
                    seen.add(node.lineno)
                    yield func.name, node.lineno


def test_no_large_services():
    offenders = []
    for path in _sources():
        if _is_services(path):
            count = len(path.read_text(encoding="utf-8").splitlines())
            if count > MAX_SERVICES_LINES:
                offenders.append(f"{_rel(path)}: {count} lines")
    assert not offenders, f"services over {MAX_SERVICES_LINES} lines:\n" + "\n".join(offenders)


def test_no_long_view_functions():
    offenders = []
    for path in _sources():
        if not _is_view_file(path):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for func in _functions(tree):
            length = func.end_lineno - func.lineno + 1
            if length > MAX_VIEW_LINES:
                offenders.append(f"{_rel(path)}:{func.lineno} {func.name}: {length} lines")
    assert not offenders, f"view/API functions over {MAX_VIEW_LINES} lines:\n" + "\n".join(offenders)


def test_no_unexplained_local_imports():
    offenders = []
    for path in _sources():
        text = path.read_text(encoding="utf-8")
        lines = text.splitlines()
        for name, lineno in _local_imports(ast.parse(text), lines):
            offenders.append(f"{_rel(path)}:{lineno} in {name}")
    assert not offenders, ("function-local imports of project code without a comment saying why:\n"
                           + "\n".join(offenders))
