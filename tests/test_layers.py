"""The house stays in order: imports only go down the layers, and no two files import each other.

Read from the code itself (``ast``): every import of a Casework module counts, at the top
of a file, inside a function, or for type checking only. The layers, from the ground up:

1. the kernel (``casework.core``): organizations, programs, teams, staff, sign-in, audit,
   errors, shared view and API helpers. It imports no other app.
2. the client record: the client and case models, and the confidentiality app's
   restrictions and break-glass grants, which the policy reads.
3. the access policy (``casework.access``): the one place that decides.
4. the domain of each app (models, services, queries, forms, tasks), in the order below:
   a service may use the apps below its own, never one above.
5. the pages of each app (views, URLs, API routers, template tags, admin, commands), in
   the same order. A page may show what any app knows (the plan page shows each goal's
   referrals; the directory shows how our referrals to each provider went), so pages
   stand above every app's domain; a page only uses the pages of apps below it.
6. composition (``casework.site``, the root URL configuration and API, the CLI, and each
   app's ``demo.py`` / ``synthetic.py`` pieces, which only the demo agency and the
   generator call): what assembles the whole product.
"""

from __future__ import annotations

import ast
import fnmatch
from collections import defaultdict
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parent.parent / "src"

#: The domain apps, from the ground up. ``alerts`` (how any app tells a person that
#: something needs them) is the monitoring app's alert and its raising, below the apps that
#: raise alerts; the rest of monitoring (tasks, appointments, the sweep) watches plans.
APPS = (
    ("alerts", ("casework.monitoring.models", "casework.monitoring.alerts")),
    ("confidentiality", ("casework.confidentiality",)),
    ("clients", ("casework.clients",)),
    ("assessments", ("casework.assessments",)),
    ("intake", ("casework.intake",)),
    ("plans", ("casework.plans",)),
    ("monitoring", ("casework.monitoring",)),
    ("notes", ("casework.notes",)),
    ("resources", ("casework.resources",)),
    ("consent", ("casework.consent",)),
    ("referrals", ("casework.referrals",)),
)

#: Modules of an app that are its pages and entry points, not its domain.
PAGE_PATTERNS = (
    "*.views",
    "*.views_*",
    "*.urls",
    "*.urls_*",
    "*.api",
    "*.api_*",
    "*.admin",
    "*.templatetags.*",
    "*.management.*",
    "casework.monitoring.ical",
    "casework.referrals.letter",
    "casework.referrals.receiving",
)

COMPOSITION = (
    "casework.site",
    "casework.urls",
    "casework.api",
    "casework.cli",
    "casework.wsgi",
    "casework.asgi",
)
COMPOSITION_PATTERNS = ("casework.*.demo", "casework.*.synthetic")

KERNEL = ("casework", "casework.core", "casework.settings")
CLIENT_RECORD = (
    "casework.clients.models",
    "casework.clients.names",
    "casework.confidentiality.models",
)
POLICY = ("casework.access",)

#: Imports that go up a layer, each with its reason. Keep it empty.
ALLOWED_UPWARD: dict[tuple[str, str], str] = {}


def _under(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def _matches(module: str, patterns: tuple[str, ...]) -> bool:
    return any(fnmatch.fnmatchcase(module, p) for p in patterns)


def layer_of(module: str) -> tuple[int, str]:
    """(height, name) of the layer a module stands on; a higher number stands higher."""
    if _matches(module, COMPOSITION_PATTERNS) or any(_under(module, p) for p in COMPOSITION):
        return 100, "composition"
    if any(_under(module, p) for p in CLIENT_RECORD):
        return 1, "the client record"
    if any(_under(module, p) for p in POLICY):
        return 2, "the access policy"
    page = _matches(module, PAGE_PATTERNS)
    best: tuple[int, str] | None = None
    longest = -1
    for height, (name, prefixes) in enumerate(APPS):
        for prefix in prefixes:
            if _under(module, prefix) and len(prefix) > longest:
                longest = len(prefix)
                best = (height, name)
    if best is not None:
        height, name = best
        if page:
            return 50 + height, f"the pages of {name}"
        return 10 + height, f"the domain of {name}"
    if module in KERNEL or _under(module, "casework.core"):
        return 0, "the kernel"
    raise AssertionError(f"{module} stands on no layer: add it to tests/test_layers.py")


def _modules() -> dict[str, Path]:
    found = {}
    for path in (SRC / "casework").rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def imports() -> dict[str, set[str]]:
    """Each Casework module → the Casework modules it imports (anywhere in the file)."""
    modules = _modules()

    def known(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in modules.items():
        package = module if path.name == "__init__.py" else module.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                    base = ".".join([*anchor, *([base] if base else [])])
                targets = [f"{base}.{alias.name}" for alias in node.names] + [base]
            for target in targets:
                if not target.startswith("casework"):
                    continue
                found = known(target)
                if found is not None and found != module:
                    graph[module].add(found)
                    break
    return graph


def test_every_module_stands_on_a_layer() -> None:
    for module in _modules():
        layer_of(module)


def upward_imports(graph: dict[str, set[str]]) -> list[str]:
    found = []
    for module, targets in sorted(graph.items()):
        for target in sorted(targets):
            (mine, my_name), (theirs, their_name) = layer_of(module), layer_of(target)
            if theirs > mine and (module, target) not in ALLOWED_UPWARD:
                found.append(f"{module} ({my_name}) imports {target} ({their_name})")
    return found


def circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of files that import each other, however indirectly (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph.get(node, ())):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_imports_only_go_down() -> None:
    assert upward_imports(imports()) == []


def test_the_kernel_imports_no_app() -> None:
    outside = {
        (module, target)
        for module, targets in imports().items()
        if _under(module, "casework.core")
        for target in targets
        if not _under(target, "casework.core")
    }
    assert outside == set()


def test_no_import_circles() -> None:
    assert circles(imports()) == []


@pytest.mark.parametrize(
    ("module", "layer"),
    [
        ("casework.core.audit", "the kernel"),
        ("casework.clients.models", "the client record"),
        ("casework.access", "the access policy"),
        ("casework.monitoring.alerts", "the domain of alerts"),
        ("casework.monitoring.services", "the domain of monitoring"),
        ("casework.plans.services", "the domain of plans"),
        ("casework.plans.views", "the pages of plans"),
        ("casework.referrals.urls_receiving", "the pages of referrals"),
        ("casework.resources.templatetags.directory", "the pages of resources"),
        ("casework.plans.demo", "composition"),
        ("casework.site.views", "composition"),
    ],
)
def test_the_layers_are_read_as_documented(module: str, layer: str) -> None:
    assert layer_of(module)[1] == layer


def test_the_checks_find_what_they_look_for() -> None:
    """The checks themselves, on a made-up graph: an upward import and a circle are found."""
    graph = {
        "casework.core.audit": {"casework.plans.models"},
        "casework.plans.services": {"casework.plans.queries"},
        "casework.plans.queries": {"casework.plans.services"},
    }
    assert upward_imports(graph) == [
        "casework.core.audit (the kernel) imports casework.plans.models (the domain of plans)"
    ]
    assert circles(graph) == [["casework.plans.queries", "casework.plans.services"]]


def test_relative_and_lazy_imports_are_read() -> None:
    graph = imports()
    # ``from .models import …`` at the top and a lazy ``from casework… import`` in a function
    assert "casework.core.models" in graph["casework.core.services"]
    assert "casework.access" in graph["casework.plans.services"]
