"""List where the package checks its keys (level, vintage, detail, plan, ...).

Keys are checked once, where a user's call enters the package (issue 20); functions below
an entry point receive checked values. A check is one of ``check_choice``, ``check_vintage``,
``check_plan`` and ``Layer.resolve``. Run ``python scripts/entry_points.py`` to print every
call site with the function that holds it; ``tests/test_layout.py`` asserts that each one is
an entry point: a function the package or its module exports (``__all__``), or a public
method of an exported class.
"""

from __future__ import annotations

import ast
import sys
from dataclasses import dataclass
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "chuanyu_geo"
CHECKS = {"check_choice", "check_vintage", "check_plan"}


@dataclass(frozen=True)
class Site:
    module: str  # path inside the package
    line: int
    check: str
    holder: str  # dotted name of the enclosing function (Class.method for methods)
    public: bool


def _check_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Name) and func.id in CHECKS:
        return func.id
    if isinstance(func, ast.Attribute):
        if func.attr in CHECKS:
            return func.attr
        if func.attr == "resolve" and isinstance(func.value, ast.Name) and func.value.id in ("Layer", "cls"):
            return "Layer.resolve"
    return None


def _exported(tree: ast.Module) -> set[str]:
    """The names a module lists in ``__all__`` (a literal list or tuple of strings)."""
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            if isinstance(node.value, ast.List | ast.Tuple):
                return {e.value for e in node.value.elts if isinstance(e, ast.Constant)}
    return set()


def sites(package: Path = PACKAGE) -> list[Site]:
    """Every call of a key check in ``package``, with its enclosing function."""
    trees = {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(package.rglob("*.py"))}
    top = _exported(trees[package / "__init__.py"])
    found = []
    for path, tree in trees.items():
        exported = top | _exported(tree)
        found += _walk(tree, path.relative_to(package).as_posix(), [], exported)
    return found


def _walk(node: ast.AST, module: str, stack: list[ast.AST], exported: set[str]) -> list[Site]:
    found = []
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Call) and (check := _check_name(child)):
            found.append(_site(module, child.lineno, check, stack, exported))
        inner = stack + [child] if isinstance(child, ast.FunctionDef | ast.ClassDef) else stack
        found += _walk(child, module, inner, exported)
    return found


def _site(module: str, line: int, check: str, stack: list[ast.AST], exported: set[str]) -> Site:
    names = [s.name for s in stack if isinstance(s, ast.FunctionDef | ast.ClassDef)]
    holder = ".".join(names) or "<module>"
    # An entry point: an exported function, or a public method of an exported class. The
    # checks themselves (check_vintage calls check_choice) are where checking is defined.
    is_check = names[-1:] in (["check_vintage"], ["check_plan"], ["resolve"]) and (
        len(names) == 1 or names[0] == "Layer"
    )
    public = is_check or (
        len(names) == 1
        and names[0] in exported
        or len(names) == 2
        and isinstance(stack[0], ast.ClassDef)
        and names[0] in exported
        and not names[1].startswith("_")
    )
    return Site(module, line, check, holder, public)


def main() -> int:
    found = sites()
    width = max(len(f"{s.module}:{s.line}") for s in found)
    for s in found:
        flag = "" if s.public else "   <- not an entry point"
        print(f"{s.module + ':' + str(s.line):{width}s}  {s.check:14s} {s.holder}{flag}")
    inner = [s for s in found if not s.public]
    print(f"\n{len(found)} checks; {len(inner)} outside an entry point")
    return 1 if inner else 0


if __name__ == "__main__":
    sys.exit(main())
