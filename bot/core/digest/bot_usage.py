"""How the class used the bot: lookups by kind, feedback, and the answers marked not helpful
(the coverage gaps an instructor may want to fill)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from bot.core.digest.display import Display, preview
from bot.core.digest.referenced import result_ids


def bot_usage(queries: Sequence[dict[str, Any]], display: Display) -> dict[str, Any]:
    kinds = Counter(q["kind"] for q in queries)
    gaps = [_gap(q, display) for q in queries if q["feedback"] == "not_helpful"]
    return {
        "questions_asked": kinds.get("ask", 0),
        "citations_looked_up": kinds.get("cite", 0),
        "quotes_looked_up": kinds.get("quote", 0),
        "helpful": sum(1 for q in queries if q["feedback"] == "helpful"),
        "not_helpful": len(gaps),
        "coverage_gaps": gaps,
    }


def _gap(q: dict[str, Any], display: Display) -> dict[str, Any]:
    results = result_ids(q["results"])
    return {
        "kind": q["kind"],
        "query": display.text(preview(q["query"])),
        "asked_by": display.name(q["user_id"]) if q["user_id"] else None,
        "created_at": q["created_at"],
        "top_passage": results[0] if results else None,
    }
