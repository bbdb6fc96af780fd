"""The layout docs/architecture.md promises, checked on the source so it cannot drift.

Imports are read from the syntax tree, lazy (function-level) and TYPE_CHECKING imports
included: a cycle hidden inside a function is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

BOT = Path(__file__).resolve().parents[1] / "bot"
SURFACES = ("bot.discord_app", "bot.slack_app", "bot.cli", "bot.cli_digest", "bot.cli_discord",
            "bot.console", "bot.formatting")


def module_name(path: Path) -> str:
    parts = path.relative_to(BOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def import_graph() -> dict[str, set[str]]:
    """Module -> the bot modules it imports (`from bot.x import y` counts bot.x.y when it is a
    module, else bot.x)."""
    modules = {module_name(p): p for p in BOT.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(a.name for a in node.names if a.name.split(".")[0] == "bot")
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                if node.module.split(".")[0] != "bot":
                    continue
                for alias in node.names:
                    sub = f"{node.module}.{alias.name}"
                    targets.add(sub if sub in modules else node.module)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (found := visit(nxt)):
                return found
        stack.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state and (found := visit(start)):
            return found
    return None


def test_no_import_cycles_in_bot() -> None:
    # Package __init__ modules re-export their package, so an edge into a package is an edge
    # into its __init__: a cycle through one is still reported.
    assert find_cycle(import_graph()) is None


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None


def test_core_is_a_few_modules_over_subpackages() -> None:
    core = BOT / "core"
    top_modules = [p for p in core.glob("*.py") if p.name != "__init__.py"]
    subpackages = [p for p in core.iterdir() if (p / "__init__.py").is_file()]
    assert len(top_modules) <= 8, sorted(p.name for p in top_modules)
    assert len(subpackages) >= 3


def test_core_never_imports_a_surface() -> None:
    for name, targets in import_graph().items():
        if name.startswith("bot.core"):
            assert all(t.startswith("bot.core") for t in targets), (name, targets)


def test_surfaces_see_only_the_service_its_models_errors_and_presentation() -> None:
    allowed = {"bot.core.service", "bot.core.models", "bot.core.errors", "bot.core.presentation"}
    graph = import_graph()
    for name, targets in graph.items():
        if name.startswith(SURFACES):
            core = {t for t in targets if t.startswith("bot.core")}
            assert core <= allowed, (name, sorted(core - allowed))
