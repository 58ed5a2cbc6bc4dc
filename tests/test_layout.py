"""The package's layout holds: imports run one way, from the command line down to the oracle, with no circle,
and the parts that only read files (status, help, the API, the tables) never load TensorFlow. docs/code.md
draws the same layers."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

# Lowest first. A module may import from its own group or from a lower layer; groups on one layer are
# independent (diagnostics never import publications, nor the other way).
LAYERS: list[dict[str, tuple[str, ...]]] = [
    {"oracle": ("oracle",)},
    {"base": ("reproduction.errors", "reproduction.io_utils", "reproduction.seeding", "reproduction.provenance",
              "reproduction.progress", "reproduction.plots", "reproduction.config", "reproduction.methods",
              "reproduction.variants", "reproduction.run_log")},
    {"datasets": ("reproduction.datasets",)},
    {"metrics": ("reproduction.metrics",)},
    {"models": ("reproduction.models",)},
    {"training": ("reproduction.training",)},
    {"bench": ("reproduction.bench",)},
    {"sweeps": ("reproduction.sweeps",)},
    {"publications": ("reproduction.publications",), "diagnostics": ("reproduction.diagnostics",)},
    {"interface": ("reproduction.api", "reproduction.cli", "reproduction.__main__", "reproduction")},
]


def _group(module: str) -> tuple[int, str]:
    best: tuple[int, str, int] | None = None  # the longest matching prefix decides
    for rank, groups in enumerate(LAYERS):
        for name, prefixes in groups.items():
            for p in prefixes:
                if (module == p or module.startswith(p + ".")) and (best is None or len(p) > best[2]):
                    best = (rank, name, len(p))
    if best is None:
        raise AssertionError(f"{module} belongs to no layer of tests/test_layout.py: add it where it belongs")
    return best[0], best[1]


def _modules() -> dict[str, Path]:
    out = {}
    for package in ("reproduction", "oracle"):
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(path: Path, module: str, known: set[str]) -> set[str]:
    """Every project module `path` imports, at any depth of the file, except under `if TYPE_CHECKING:`."""
    tree = ast.parse(path.read_text())
    skip = {id(n) for node in ast.walk(tree) if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
            for child in node.body for n in ast.walk(child)}
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            names = [f"{base}.{a.name}" for a in node.names] + [base]
        else:
            continue
        for name in names:
            while name and name not in known:  # `from pkg import submodule` names the submodule
                name = name.rpartition(".")[0]
            if name and name != module:
                found.add(name)
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {m: _imports(p, m, set(modules)) for m, p in modules.items()}


def test_every_import_runs_down_the_layers():
    wrong = []
    for module, imported in _graph().items():
        rank, group = _group(module)
        for target in imported:
            if module.startswith(target + ".") and target in ("reproduction", "oracle"):
                continue  # a package's own __init__ (which imports nothing heavy)
            t_rank, t_group = _group(target)
            if t_rank > rank or (t_rank == rank and t_group != group):
                wrong.append(f"{module} ({group}) imports {target} ({t_group})")
    assert not wrong, "imports against the layers:\n" + "\n".join(sorted(wrong))


def test_no_import_circle_in_the_package():
    graph = _graph()
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    circles: list[list[str]] = []

    def visit(v: str) -> None:  # Tarjan's strongly connected components
        index[v] = low[v] = len(index)
        stack.append(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                circles.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in graph:
        if v not in index:
            visit(v)
    assert not circles, f"import circles: {circles}"


def test_the_layout_test_sees_a_circle_and_an_upward_import(tmp_path):
    """The two checks above can fail: on a made-up pair of modules, each finds what it should."""
    a, b = tmp_path / "a.py", tmp_path / "b.py"
    a.write_text("from reproduction.sweeps import sweep\n")
    b.write_text("import typing\nif typing.TYPE_CHECKING:\n    from reproduction.cli import parser\n")
    known = {"reproduction.sweeps", "reproduction.sweeps.sweep", "reproduction.cli", "reproduction.cli.parser"}
    assert "reproduction.sweeps.sweep" in _imports(a, "reproduction.training.x", known)
    assert _imports(b, "reproduction.training.y", known) == set()
    assert _group("reproduction.training.x")[0] < _group("reproduction.sweeps.sweep")[0]


NO_TENSORFLOW = {
    "help": "from reproduction.cli import build_parser; build_parser()",
    "the API": "import reproduction.api",
    "the tables": "import reproduction.cli, reproduction.datasets.corpus, reproduction.metrics.real_data, "
                  "reproduction.publications.real_world_table, reproduction.publications.table1",
    "a sweep's status": "import reproduction.sweeps.status, reproduction.methods, reproduction.variants",
}


@pytest.mark.parametrize("what", list(NO_TENSORFLOW))
def test_reading_parts_import_no_tensorflow(what):
    code = f"import sys; {NO_TENSORFLOW[what]}; print([m for m in ('tensorflow', 'keras') if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_status_runs_with_tensorflow_unimportable(tmp_path):
    """`reproduce --status` reads files only: it answers even where TensorFlow cannot be imported at all."""
    code = ("import sys; sys.modules['tensorflow'] = None; sys.modules['keras'] = None; "
            "from reproduction.cli import main; "
            f"sys.exit(main(['reproduce', '--status', '--profile', 'smoke', '--runs', {str(tmp_path / 'runs')!r}, "
            f"'--results', {str(tmp_path / 'results')!r}, '--seeds', '0', '--random-seeds', '--methods', 'mle', "
            "'seqgan', 'self-imitation', '--strategies', 'd', '--datasets']))")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert "smoke/seqgan-original-s0" in out.stdout and "not started" in out.stdout


def _compiled_with_autograph(tree: ast.AST) -> list[str]:
    """The `tf.function` uses (decorator, call or bare decorator) that do not pass autograph=False: the decorated
    function's name, or the line of a call."""
    found = []
    decorators = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            decorators.update({id(d): node.name for d in node.decorator_list})
    for node in ast.walk(tree):
        if ast.unparse(node) == "tf.function" and id(node) in decorators:
            found.append(decorators[id(node)])
        if isinstance(node, ast.Call) and ast.unparse(node.func) == "tf.function" and not any(
                k.arg == "autograph" and isinstance(k.value, ast.Constant) and k.value.value is False
                for k in node.keywords):
            found.append(decorators.get(id(node), f"line {node.lineno}"))
    return found


def test_every_compiled_function_is_traced_without_autograph():
    """Our compiled functions' loops run over static lengths and no condition depends on a tensor, so autograph
    has nothing to convert: tracing without it is faster (docs/speed.md) and never re-reads a source file, which
    an edit of a checkout could have changed under a running training. The one exception is the bench's copy of
    the authors' rollout, whose while-loop branches on a tensor as theirs did."""
    found = {str(p.relative_to(ROOT)): _compiled_with_autograph(ast.parse(p.read_text()))
             for p in _modules().values()}
    assert {f: names for f, names in found.items() if names} == {"reproduction/bench/reference.py": ["complete"]}
    made_up = ast.parse("@tf.function\ndef f(): pass\ng = tf.function(lambda: 1)\nh = tf.function(f, autograph=False)")
    assert _compiled_with_autograph(made_up) == ["f", "line 3"]
