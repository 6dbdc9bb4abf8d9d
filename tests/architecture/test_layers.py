"""The package's layers, enforced: each layer imports only the layers below it.

Reads every module's imports (module level and inside functions alike: a
function-level import is still a dependency) with ``ast`` and maps each module
to its layer. An import of a higher layer fails the test, and so does a cycle
between modules. There are no exceptions: a dependency that seems to need one
means the code belongs in another layer (move it down) or the dependency must
be passed in (as ``config.load_study`` takes the query check from ``api``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "untold"

# bottom to top; one number per layer, modules of one layer may import each other
LAYERS: dict[str, int] = {
    "errors": 0,
    "text": 1, "net": 1, "timeutil": 1,
    "models": 2, "config": 2,
    "query": 3,
    "store": 4,
    "extract": 5,
    "collect": 6,
    "analyze": 7, "probe": 7,
    "report": 8,
    "demo": 9,  # the bundled example and its server: built on all of the above
    "api": 10, "spark": 10,
    "cli": 11,
    "web": 12,
    "__main__": 13, "": 13,  # the package itself and ``python -m untold``
}


def layer_of(module: str) -> str:
    """``untold.collect.revisit`` -> ``collect``; ``untold`` itself -> ``""``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else ""


def modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def imports(path: Path, known: set[str]) -> Iterator[str]:
    """The untold modules ``path`` imports (the longest known prefix of each name)."""
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names: list[str] = []
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            # ``from untold import api`` imports untold.api; ``from untold.x import y``
            # imports untold.x (or untold.x.y when y is a module)
            names = [f"{node.module}.{a.name}" for a in node.names] + [node.module]
        for name in names:
            if not name.startswith("untold"):
                continue
            while name not in known and "." in name:
                name = name.rsplit(".", 1)[0]
            if name in known and name != "untold":
                yield name


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    return {m: set(imports(p, known)) - {m} for m, p in mods.items()}


def upward(g: dict[str, set[str]]) -> set[tuple[str, str]]:
    out = set()
    for src, targets in g.items():
        for t in targets:
            a, b = layer_of(src), layer_of(t)
            assert a in LAYERS, f"{src}: layer {a!r} is not in LAYERS"
            assert b in LAYERS, f"{t}: layer {b!r} is not in LAYERS"
            if LAYERS[b] > LAYERS[a]:
                out.add((src, t))
    return out


def cycles(g: dict[str, set[str]]) -> set[tuple[str, ...]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    on: set[str] = set()
    stack: list[str] = []
    out: set[tuple[str, ...]] = set()
    counter = 0
    for root in sorted(g):
        if root in index:
            continue
        work = [(root, iter(sorted(g[root])))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = counter
                    counter += 1
                    stack.append(w)
                    on.add(w)
                    work.append((w, iter(sorted(g.get(w, ())))))
                    break
                if w in on:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        out.add(tuple(sorted(comp)))
    return out


def test_every_module_has_a_layer() -> None:
    assert {layer_of(m) for m in modules()} <= set(LAYERS)


def test_no_upward_import() -> None:
    found = upward(graph())
    assert found == set(), "imports of a higher layer (move the code down, or pass the " \
        "dependency in): " + repr(sorted(found))


def test_no_import_cycle() -> None:
    found = cycles(graph())
    assert found == set(), "import cycles: " + repr(sorted(found))


def test_the_checks_can_fail() -> None:
    g = {"untold.store.a": {"untold.analyze.b"}, "untold.analyze.b": {"untold.store.a"}}
    assert upward(g) == {("untold.store.a", "untold.analyze.b")}
    assert cycles(g) == {("untold.analyze.b", "untold.store.a")}
    assert layer_of("untold.api._probe") == "api" and layer_of("untold.cli") == "cli"
    assert layer_of("untold") == "" and layer_of("untold.store.sqlite.fts") == "store"
