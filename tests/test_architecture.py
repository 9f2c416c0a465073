"""The layout keeps its promises: dependency rules, module size, the documented imports."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MAX_MODULE_LINES = 400
PYTHON_BLOCK = re.compile(r"```python\n(.*?)```", re.DOTALL)


def test_import_contracts_are_kept() -> None:
    """Every contract of pyproject.toml runs and holds (``lint-imports`` prints which broke)."""
    contracts = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))["tool"]["importlinter"]
    expected = len(contracts["contracts"])
    lint_imports = Path(sys.executable).parent / "lint-imports"
    completed = subprocess.run(
        [str(lint_imports), "--config", "pyproject.toml", "--no-cache", "--no-logo"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert f"Contracts: {expected} kept, 0 broken." in completed.stdout, completed.stdout


@pytest.mark.parametrize("package", ["scraper", "cleaners"])
def test_no_module_is_over_the_limit(package: str) -> None:
    sizes = {
        str(path.relative_to(REPO)): len(path.read_text("utf-8").splitlines())
        for path in (REPO / package).rglob("*.py")
    }
    assert sizes, f"no modules found under {package}/"
    too_long = {path: lines for path, lines in sizes.items() if lines > MAX_MODULE_LINES}
    assert not too_long, f"modules over {MAX_MODULE_LINES} lines: {too_long}"


def documented_imports() -> list[str]:
    """The import statements of every Python example in the README and docs/."""
    statements = []
    for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]:
        for block in PYTHON_BLOCK.findall(page.read_text("utf-8")):
            for node in ast.walk(ast.parse(block)):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    statements.append(ast.unparse(node))
    return statements


def test_documented_imports_work() -> None:
    """The public paths the README's examples name stay importable across refactors."""
    statements = documented_imports()
    assert any("scraper" in statement for statement in statements), statements
    for statement in statements:
        exec(statement, {})  # an import statement from our own docs, nothing else
