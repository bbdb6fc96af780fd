from __future__ import annotations

import pytest

from bot.core.errors import SeminarError
from bot.slack_app.digest_command import DEFAULT_FORMAT, DEFAULT_SINCE, parse_digest_text


def test_defaults_are_last_week_as_markdown_for_this_workspace() -> None:
    request = parse_digest_text("")
    assert request.fmt == DEFAULT_FORMAT
    assert (request.options.since, request.options.until) == (DEFAULT_SINCE, None)
    assert request.options.guild_id is None and not request.options.anonymize


def test_words_in_any_order() -> None:
    request = parse_digest_text("anon <#C0SEM|seminar> html 2026-11-01..2026-11-15")
    opts = request.options
    assert request.fmt == "html" and opts.anonymize
    assert opts.channel == "C0SEM"
    assert (opts.since, opts.until) == ("2026-11-01", "2026-11-15")
    assert parse_digest_text("#seminar 2w").options.channel == "seminar"


def test_unknown_words_are_refused() -> None:
    with pytest.raises(SeminarError, match="Use `/digest"):
        parse_digest_text("7d everything")
