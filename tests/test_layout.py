"""The shape of the source tree: which parts of vbr/ may import which."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterable, Mapping
from pathlib import Path

VBR = Path(__file__).resolve().parent.parent / "vbr"
DEVTOOLS = "vbr.devtools"


def module_name(path: Path) -> str:
    parts = path.relative_to(VBR.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imported_modules(source: str, module: str, *, is_package: bool = False) -> set[str]:
    """Every module the source imports, relative imports resolved against `module`; for
    `from a import b` both `a` and `a.b` are listed, since `b` may be a module."""
    package = module if is_package else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                origin = ".".join([*base, node.module] if node.module else base)
            else:
                origin = node.module or ""
            found.add(origin)
            found.update(f"{origin}.{alias.name}" for alias in node.names)
    return found


def imports_devtools(modules: set[str]) -> bool:
    return any(name == DEVTOOLS or name.startswith(DEVTOOLS + ".") for name in modules)


def test_the_import_check_sees_every_way_of_importing_devtools() -> None:
    # Absolute, from-package, from-module and relative forms all count.
    for source in (
        "import vbr.devtools.synthetic",
        "from vbr import devtools",
        "from vbr.devtools.benchmark import PAGES",
        "def f():\n    from ..devtools import synthetic",
    ):
        assert imports_devtools(imported_modules(source, "vbr.recruitment.pdf")), source
    assert not imports_devtools(
        imported_modules("from vbr.recruitment import workflow", "vbr.reports.exports")
    )


def test_no_domain_module_imports_devtools() -> None:
    """Development tooling may use the domain apps; the product must not depend on it."""
    offenders = []
    for path in sorted(VBR.rglob("*.py")):
        module = module_name(path)
        if module == DEVTOOLS or module.startswith(DEVTOOLS + "."):
            continue
        source = path.read_text(encoding="utf-8")
        modules = imported_modules(source, module, is_package=path.name == "__init__.py")
        if imports_devtools(modules):
            offenders.append(module)
    assert offenders == []
    # The walk did find the domain apps (a wrong root would pass with nothing checked).
    assert {"vbr.recruitment.models", "vbr.reports.exports"} <= {
        module_name(path) for path in VBR.rglob("*.py")
    }


# -- Import circles ------------------------------------------------------------------------------
# Modules must not import each other in a circle when they load: whichever is imported first
# sees the other half-made. Imports under `if TYPE_CHECKING:` (for annotations) do not run, and
# an import inside a function runs only when it is called (tasks.py imports the workflow; the
# workflow imports the task it sends inside the function that sends it).


def is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def loaded_imports(
    source: str, module: str, *, is_package: bool = False, inside_functions: bool = False
) -> set[str]:
    """The modules the source imports when it runs: never those under `if TYPE_CHECKING:`,
    and those inside functions only if `inside_functions`."""
    found: set[str] = set()

    def visit(nodes: Iterable[ast.AST]) -> None:
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                found.update(imported_modules(ast.unparse(node), module, is_package=is_package))
            elif isinstance(node, ast.If) and is_type_checking(node.test):
                visit(node.orelse)
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not inside_functions:
                continue
            else:
                visit(ast.iter_child_nodes(node))

    visit(ast.parse(source).body)
    return found


def import_graph(
    sources: Mapping[str, str], *, packages: Collection[str] = (), inside_functions: bool = False
) -> dict[str, set[str]]:
    """Module name → the modules among `sources` that it imports."""
    return {
        module: loaded_imports(
            source, module, is_package=module in packages, inside_functions=inside_functions
        )
        & sources.keys()
        for module, source in sources.items()
    }


def find_circle(graph: Mapping[str, set[str]]) -> list[str]:
    """One circle of imports, as [a, b, …, a], or [] when there is none."""
    done: set[str] = set()
    path: list[str] = []

    def visit(module: str) -> list[str]:
        if module in path:
            return [*path[path.index(module) :], module]
        if module in done:
            return []
        path.append(module)
        for imported in sorted(graph[module]):
            circle = visit(imported)
            if circle:
                return circle
        path.pop()
        done.add(module)
        return []

    for module in sorted(graph):
        circle = visit(module)
        if circle:
            return circle
    return []


def vbr_sources() -> tuple[dict[str, str], set[str]]:
    """Every module under vbr/ with its source, and which of them are packages."""
    sources, packages = {}, set()
    for path in sorted(VBR.rglob("*.py")):
        module = module_name(path)
        sources[module] = path.read_text(encoding="utf-8")
        if path.name == "__init__.py":
            packages.add(module)
    return sources, packages


def test_the_circle_check_sees_circles_and_not_annotations_or_local_imports() -> None:
    tasks, workflow = "vbr.recruitment.tasks", "vbr.recruitment.workflow.summaries"
    both_at_the_top = {
        tasks: "from vbr.recruitment.workflow import summaries",
        workflow: "from ..tasks import render_summary",
    }
    assert find_circle(import_graph(both_at_the_top)) == [tasks, workflow, tasks]
    one_inside_a_function = {
        tasks: "from vbr.recruitment.workflow import summaries",
        workflow: "def send() -> None:\n    from vbr.recruitment.tasks import render_summary",
    }
    assert find_circle(import_graph(one_inside_a_function)) == []
    assert find_circle(import_graph(one_inside_a_function, inside_functions=True)) != []
    roles, candidates = "vbr.recruitment.models.roles", "vbr.recruitment.models.candidates"
    for_annotations_only = {
        roles: "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n    from vbr.recruitment.models.candidates import Application",
        candidates: "from vbr.recruitment.models.roles import Stage",
    }
    assert find_circle(import_graph(for_annotations_only, inside_functions=True)) == []


def test_no_modules_import_each_other_in_a_circle_when_they_load() -> None:
    sources, packages = vbr_sources()
    graph = import_graph(sources, packages=packages)
    assert find_circle(graph) == []
    # The graph does hold the edges that matter here (a wrong walk would find nothing).
    assert "vbr.recruitment.workflow" in graph["vbr.recruitment.tasks"]
    assert "vbr.recruitment.workflow.scoring" in graph["vbr.recruitment.workflow.shadowing"]


def test_recruitment_models_refer_to_each_other_without_a_circle() -> None:
    """Relations are by string ("recruitment.Application") and annotations under
    TYPE_CHECKING, so that no model module needs another that needs it back, not even inside
    a method."""
    sources, packages = vbr_sources()
    prefix = "vbr.recruitment.models."
    models = {module: source for module, source in sources.items() if module.startswith(prefix)}
    graph = import_graph(models, packages=packages, inside_functions=True)
    assert find_circle(graph) == []
    assert {prefix + "roles", prefix + "assessments", prefix + "candidates"} <= graph.keys()
    assert prefix + "assessments" in graph[prefix + "roles"]  # a method's local import counts
