"""The shape of the source tree: which parts of vbr/ may import which."""

from __future__ import annotations

import ast
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
