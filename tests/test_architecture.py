"""The package's shape (issue 14): no import cycles, and no function-local import hiding one."""

import ast
import importlib
import pathlib
import subprocess
import sys

import rubric_dsl

PACKAGE = pathlib.Path(rubric_dsl.__file__).resolve().parent
ROOT = PACKAGE.parent


def module_name(path: pathlib.Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(module: str, node: ast.Import | ast.ImportFrom) -> set[str]:
    """The rubric_dsl modules an import statement loads."""
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        if node.level:
            package = module if MODULES[module].name == "__init__.py" else module.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{node.module}" if node.module else package
        else:
            base = node.module or ""
        # `from package import module` loads the module; `from module import name` the module
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in node.names]
    return {name for name in names if name in MODULES}


def imports_of(module: str) -> tuple[set[str], set[str]]:
    """(imports run when the module loads, imports inside functions)."""
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    at_load: set[str] = set()
    local: set[str] = set()
    functions = [n for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))]
    inside = {id(n) for f in functions for n in ast.walk(f) if n is not f}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            (local if id(node) in inside else at_load).update(imported(module, node) - {module})
    return at_load, local


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycles():
    graph = {m: imports_of(m)[0] for m in MODULES}
    assert cycles(graph) == []


def test_no_function_local_import_hides_a_cycle():
    # A local import may defer a slow or optional dependency; moved to the top it must not close a loop.
    graph = {m: set.union(*imports_of(m)) for m in MODULES}
    assert cycles(graph) == []


def test_the_import_test_sees_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert imported("rubric_dsl.engine.program", ast.parse("from .plan import ZERO").body[0]) == {"rubric_dsl.engine.plan"}
    assert imported("rubric_dsl.engine.plan", ast.parse("from ..language import nodes as n").body[0]) == {"rubric_dsl.language.nodes"}


def test_every_module_imports_first_and_alone():
    # Each module imported first, in a fresh interpreter state: an order-dependent cycle shows up as an ImportError.
    script = (
        "import importlib, sys\n"
        f"for name in {sorted(MODULES)!r}:\n"
        "    for loaded in [m for m in sys.modules if m == 'rubric_dsl' or m.startswith('rubric_dsl.')]:\n"
        "        del sys.modules[loaded]\n"
        "    importlib.import_module(name)\n"
    )
    result = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr


def test_every_module_opens_with_what_it_owns():
    missing = [m for m, path in MODULES.items() if not (ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or "").strip()]
    assert missing == []


def test_importlib_finds_the_same_modules():
    for name in MODULES:
        assert importlib.util.find_spec(name) is not None, name
