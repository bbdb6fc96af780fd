"""Digest renderers: Markdown to read, CSV for spreadsheets, JSON for tools, HTML with charts.

Every renderer returns `DigestFile`s (name + bytes) so the CLI writes them and the Discord cog
attaches them without knowing any format. The HTML page is self-contained: inline CSS and SVG,
no scripts, no fonts or images fetched, so it opens offline and from an email attachment.
"""

from __future__ import annotations

import csv
import html
import io
import json
import zipfile
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, time, timedelta
from typing import Any

from bot.core.digest.compute import build_digest
from bot.core.digest.model import ConversationStats, Digest, ReadingsMatcher
from bot.core.errors import SeminarError
from bot.core.models import DIGEST_FORMATS, DigestFile, DigestOptions
from bot.core.storage.database import Database

CHART_COLOR = "#2f6fb0"
ALERT_COLOR = "#c0392b"
MAX_CHART_PEOPLE = 30




def digest_files(
    db: Database, opts: DigestOptions, fmt: str, *, matcher: ReadingsMatcher | None = None
) -> list[DigestFile]:
    """The rendered digest as files: what `/digest` attaches and the CLI writes."""
    renderer = _renderer(fmt)  # a bad format fails before the log is read
    return renderer(build_digest(db, opts, matcher=matcher))


def render(digest: Digest, fmt: str) -> list[DigestFile]:
    return _renderer(fmt)(digest)


def _renderer(fmt: str) -> Callable[[Digest], list[DigestFile]]:
    renderer = _RENDERERS.get(fmt.lower().lstrip("."))
    if renderer is None:
        raise SeminarError(f"Unknown digest format {fmt!r}; choose one of {', '.join(DIGEST_FORMATS)}.")
    return renderer


def _last_day(until: str | None) -> str | None:
    """The period's end as people say it: `--until 2026-11-07` ends at 11-08 00:00 but reads
    as "to 2026-11-07"."""
    if not until:
        return None
    moment = datetime.fromisoformat(until)
    if moment.time() == time(0):
        return (moment - timedelta(days=1)).date().isoformat()
    return moment.isoformat(sep=" ", timespec="minutes")[:16]


def base_name(digest: Digest) -> str:
    since = (digest.period["since"] or "start")[:10]
    until = (_last_day(digest.period["until"]) or digest.generated_at or "now")[:10]
    return f"digest-{since}-to-{until}"


def _day(value: str | None) -> str:
    return value[:16].replace("T", " ") if value else ""


def _answered(flag: bool) -> str:
    return "answered" if flag else "UNANSWERED"


# -- JSON -------------------------------------------------------------------------------------


def to_json_dict(digest: Digest) -> dict[str, Any]:
    data = digest.to_dict()
    for conv in (*data["threads"], *data["channels"]):
        conv["participant_names"] = conv["participants"]
        conv["participants"] = len(conv["participants"])
    return data


def render_json(digest: Digest) -> list[DigestFile]:
    text = json.dumps(to_json_dict(digest), ensure_ascii=False, indent=2)
    return [DigestFile(f"{base_name(digest)}.json", text.encode())]


# -- Markdown ---------------------------------------------------------------------------------


def _md_cell(value: Any) -> str:
    return str(value if value is not None else "").replace("|", "\\|").replace("\n", " ")


def _md_table(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md_cell(c) for c in row) + " |" for row in rows]
    return lines


def _period_text(digest: Digest) -> str:
    since = digest.period["since"]
    start = (since[:10] if since and since[11:19] == "00:00:00" else _day(since)) or "the start"
    return f"{start} to {_last_day(digest.period['until']) or 'now'}"


def render_markdown(digest: Digest) -> list[DigestFile]:
    t = digest.totals
    out = [f"# Discussion digest: {_period_text(digest)}", ""]
    if digest.scope.get("channel"):
        out += [f"Channel: {digest.scope['channel']} (with its threads)", ""]
    if digest.anonymized:
        out += ["Names are replaced by stable pseudonyms.", ""]
    out += [
        "## Totals",
        "",
        *_md_table(
            ["Messages", "Participants", "Threads", "Questions", "Unanswered"],
            [[t["messages"], t["participants"], t["threads"], t["questions"],
              t["unanswered_questions"]]],
        ),
        "",
    ]
    if t["opted_out_messages"]:
        out += [f"Plus {t['opted_out_messages']} message(s) by students who opted out of logging.", ""]
    out += ["## Participants", ""]
    out += _md_table(
        ["Name", "Messages", "Words", "Threads", "Replies", "Questions", "First", "Last",
         "Readings referenced"],
        [[p.name, p.messages, p.words, p.threads, p.replies, p.questions,
          _day(p.first_activity), _day(p.last_activity), "; ".join(p.readings)]
         for p in digest.participants],
    )
    out += ["", "## Threads", ""]
    if not digest.threads:
        out.append("No threads in this period.")
    for conv in digest.threads:
        out += _md_conversation(conv)
    asked_in_channels = [c for c in digest.channels if c.questions]
    if asked_in_channels:
        out += ["", "## Questions asked in channels", ""]
        for conv in asked_in_channels:
            out += _md_conversation(conv)
    out += ["", "## Passages the discussion turned on", ""]
    if digest.passages:
        out += _md_table(
            ["Passage", "Reading", "Where", "References", "Quoted", "Cited", "Bot answers",
             "Text"],
            [[p.passage_id, p.reading, p.location, p.references, p.quotes, p.citations,
              p.bot_answers, p.text[:160]] for p in digest.passages],
        )
    else:
        out.append("No passage of the readings was quoted, cited or used in a bot answer.")
    if digest.readings:
        out += ["", "Readings referenced:", ""]
        out += [f"- {r['title']}: {r['references']}" for r in digest.readings]
    b = digest.bot
    out += [
        "",
        "## Bot usage",
        "",
        f"- Questions asked: {b['questions_asked']}",
        f"- Citations looked up: {b['citations_looked_up']}",
        f"- Quotes looked up: {b['quotes_looked_up']}",
        f"- Answers marked helpful: {b['helpful']}",
        f"- Answers marked not helpful (coverage gaps): {b['not_helpful']}",
    ]
    if b["coverage_gaps"]:
        out += ["", *_md_table(
            ["When", "Asked by", "Question"],
            [[_day(g["created_at"]), g["asked_by"] or "(anonymous)", g["query"]]
             for g in b["coverage_gaps"]],
        )]
    out += ["", f"## Activity per {digest.activity_unit}", ""]
    out += _md_table(
        [digest.activity_unit.capitalize(), "Messages", "Participants"],
        [[a.period, a.messages, a.participants] for a in digest.activity],
    )
    text = "\n".join(out) + "\n"
    return [DigestFile(f"{base_name(digest)}.md", text.encode())]


def _md_conversation(conv: ConversationStats) -> list[str]:
    where = f" (in #{conv.parent})" if conv.parent else ""
    out = [
        f"### {conv.name}{where}",
        "",
        f"{conv.messages} messages from {_day(conv.first_message)} to {_day(conv.last_message)};"
        f" participants: {', '.join(conv.participants) or 'none'}.",
    ]
    if conv.questions:
        out += ["", "Questions:"]
        out += [f"- [{_answered(q.answered)}] {q.author}: {q.text}" for q in conv.questions]
    if conv.passages:
        out += ["", "Passages referenced: " + ", ".join(
            f"{p['passage_id']} ({p['references']})" for p in conv.passages)]
    out.append("")
    return out


# -- CSV --------------------------------------------------------------------------------------


def csv_tables(digest: Digest) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Each table of the digest as (headers, rows): one CSV file per table."""
    convs = [*digest.threads, *digest.channels]
    return {
        "totals": (["metric", "value"], [[k, v] for k, v in digest.totals.items()]),
        "participants": (
            ["id", "name", "messages", "words", "threads", "replies", "questions",
             "unanswered_questions", "first_activity", "last_activity", "bot_questions",
             "references", "readings"],
            [[p.id, p.name, p.messages, p.words, p.threads, p.replies, p.questions,
              p.unanswered_questions, p.first_activity, p.last_activity, p.bot_questions,
              p.references, "; ".join(p.readings)] for p in digest.participants],
        ),
        "threads": (
            ["id", "name", "kind", "parent", "messages", "participants", "first_message",
             "last_message", "questions", "unanswered", "passages"],
            [[c.id, c.name, c.kind, c.parent, c.messages, len(c.participants), c.first_message,
              c.last_message, len(c.questions), sum(1 for q in c.questions if not q.answered),
              "; ".join(p["passage_id"] for p in c.passages)] for c in convs],
        ),
        "questions": (
            ["conversation", "message_id", "author", "created_at", "answered", "text"],
            [[q.channel_id, q.message_id, q.author, q.created_at, q.answered, q.text]
             for q in digest.questions],
        ),
        "passages": (
            ["passage_id", "reading", "location", "references", "quotes", "citations",
             "bot_answers", "threads", "participants", "text"],
            [[p.passage_id, p.reading, p.location, p.references, p.quotes, p.citations,
              p.bot_answers, p.threads, p.participants, p.text] for p in digest.passages],
        ),
        "readings": (
            ["reading_id", "title", "references"],
            [[r["reading_id"], r["title"], r["references"]] for r in digest.readings],
        ),
        "coverage_gaps": (
            ["created_at", "kind", "asked_by", "query", "top_passage"],
            [[g["created_at"], g["kind"], g["asked_by"], g["query"], g["top_passage"]]
             for g in digest.bot["coverage_gaps"]],
        ),
        "activity": (
            [digest.activity_unit, "messages", "participants"],
            [[a.period, a.messages, a.participants] for a in digest.activity],
        ),
    }


def _csv_cell(value: Any) -> Any:
    """Student text that starts like a formula is shown, never run, by spreadsheet programs."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_csv(digest: Digest) -> list[DigestFile]:
    buffer = io.BytesIO()
    base = base_name(digest)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, (headers, rows) in csv_tables(digest).items():
            text = io.StringIO()
            writer = csv.writer(text)
            writer.writerow(headers)
            writer.writerows([_csv_cell(c) for c in row] for row in rows)
            # A BOM so spreadsheet programs read accented names as UTF-8.
            archive.writestr(f"{base}/{name}.csv", "\ufeff" + text.getvalue())
    return [DigestFile(f"{base}-csv.zip", buffer.getvalue())]


# -- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;
color:#1d1d1f;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.n{text-align:right}
.totals{display:flex;gap:1rem;flex-wrap:wrap}.totals div{border:1px solid #ddd;padding:.5rem 1rem;
border-radius:6px}.totals b{display:block;font-size:1.4rem}
.unanswered{color:#c0392b;font-weight:600}.answered{color:#2e7d32}
svg text{font-family:system-ui,sans-serif;font-size:11px;fill:#333}
"""


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _html_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: set[int]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join(
        "<tr>" + "".join(
            f'<td class="n">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        ) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def activity_svg(digest: Digest, width: int = 880, height: int = 240) -> str:
    """Bars of messages per day/week, with the number of active participants as dots."""
    data = digest.activity
    pad_l, pad_b, pad_t = 40, 36, 14
    plot_w, plot_h = width - pad_l - 10, height - pad_b - pad_t
    top = max([a.messages for a in data] + [1])
    parts = [
        f'<svg id="activity-chart" xmlns="http://www.w3.org/2000/svg" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="Messages per {digest.activity_unit}">',
        f'<line x1="{pad_l}" y1="{pad_t + plot_h}" x2="{width - 10}" y2="{pad_t + plot_h}"'
        ' stroke="#999"/>',
        f'<text x="{pad_l - 6}" y="{pad_t + 8}" text-anchor="end">{top}</text>',
        f'<text x="{pad_l - 6}" y="{pad_t + plot_h}" text-anchor="end">0</text>',
    ]
    if data:
        slot = plot_w / len(data)
        bar_w = max(1.0, slot * 0.8)
        label_every = max(1, round(len(data) / 12))
        for i, a in enumerate(data):
            h = plot_h * a.messages / top
            x = pad_l + i * slot + (slot - bar_w) / 2
            parts.append(
                f'<rect x="{x:.1f}" y="{pad_t + plot_h - h:.1f}" width="{bar_w:.1f}"'
                f' height="{h:.1f}" fill="{CHART_COLOR}"><title>{_e(a.period)}: {a.messages}'
                f" messages, {a.participants} participants</title></rect>"
            )
            if a.participants:
                cy = pad_t + plot_h - plot_h * min(a.participants, top) / top
                parts.append(
                    f'<circle cx="{x + bar_w / 2:.1f}" cy="{cy:.1f}" r="3" fill="{ALERT_COLOR}"/>'
                )
            if i % label_every == 0:
                parts.append(
                    f'<text x="{x + bar_w / 2:.1f}" y="{height - pad_b + 16}"'
                    f' text-anchor="middle">{_e(a.period[5:])}</text>'
                )
    else:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">'
                     "No messages in this period</text>")
    parts.append("</svg>")
    return "".join(parts)


def participation_svg(digest: Digest, width: int = 880) -> str:
    """Horizontal bars of messages per participant (the busiest first), questions in red."""
    people = digest.participants[:MAX_CHART_PEOPLE]
    row_h, label_w = 22, 200
    height = max(1, len(people)) * row_h + 10
    top = max([p.messages for p in people] + [1])
    plot_w = width - label_w - 60
    parts = [
        f'<svg id="participation-chart" xmlns="http://www.w3.org/2000/svg" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
        ' aria-label="Messages per participant">'
    ]
    for i, p in enumerate(people):
        y = 5 + i * row_h
        w = plot_w * p.messages / top
        qw = plot_w * min(p.questions, p.messages) / top
        parts.append(
            f'<text x="{label_w - 6}" y="{y + 15}" text-anchor="end">{_e(p.name[:28])}</text>'
            f'<rect x="{label_w}" y="{y + 3}" width="{w:.1f}" height="{row_h - 6}"'
            f' fill="{CHART_COLOR}"><title>{_e(p.name)}: {p.messages} messages</title></rect>'
            f'<rect x="{label_w}" y="{y + 3}" width="{qw:.1f}" height="{row_h - 6}"'
            f' fill="{ALERT_COLOR}" opacity="0.8"><title>{p.questions} questions</title></rect>'
            f'<text x="{label_w + w + 6:.1f}" y="{y + 15}">{p.messages}</text>'
        )
    if not people:
        parts.append('<text x="10" y="15">No participants in this period</text>')
    parts.append("</svg>")
    return "".join(parts)


def render_html(digest: Digest) -> list[DigestFile]:
    t = digest.totals
    title = f"Discussion digest: {_period_text(digest)}"
    body = [f"<h1>{_e(title)}</h1>"]
    if digest.scope.get("channel"):
        body.append(f"<p>Channel: {_e(digest.scope['channel'])} (with its threads)</p>")
    if digest.anonymized:
        body.append("<p>Names are replaced by stable pseudonyms.</p>")
    body.append('<div class="totals">' + "".join(
        f"<div><b>{t[k]}</b>{_e(label)}</div>" for k, label in (
            ("messages", "messages"), ("participants", "participants"), ("threads", "threads"),
            ("questions", "questions"), ("unanswered_questions", "unanswered"),
        )
    ) + "</div>")
    if t["opted_out_messages"]:
        body.append(f"<p>Plus {t['opted_out_messages']} message(s) by students who opted out.</p>")
    body += [
        f"<h2>Activity per {_e(digest.activity_unit)}</h2>",
        "<p>Bars: messages; dots: active participants.</p>",
        activity_svg(digest),
        "<h2>Participation</h2>",
        "<p>Blue: messages; red: of which questions.</p>",
        participation_svg(digest),
        _html_table(
            ["Name", "Messages", "Words", "Threads", "Replies", "Questions", "First", "Last",
             "Readings referenced"],
            [[p.name, p.messages, p.words, p.threads, p.replies, p.questions,
              _day(p.first_activity), _day(p.last_activity), "; ".join(p.readings)]
             for p in digest.participants],
            {1, 2, 3, 4, 5},
        ),
        "<h2>Threads</h2>",
    ]
    if not digest.threads:
        body.append("<p>No threads in this period.</p>")
    body += [_html_conversation(c) for c in digest.threads]
    asked = [c for c in digest.channels if c.questions]
    if asked:
        body.append("<h2>Questions asked in channels</h2>")
        body += [_html_conversation(c) for c in asked]
    body.append("<h2>Passages the discussion turned on</h2>")
    if digest.passages:
        body.append(_html_table(
            ["Passage", "Reading", "Where", "References", "Quoted", "Cited", "Bot answers", "Text"],
            [[p.passage_id, p.reading, p.location, p.references, p.quotes, p.citations,
              p.bot_answers, p.text] for p in digest.passages],
            {3, 4, 5, 6},
        ))
    else:
        body.append("<p>No passage of the readings was quoted, cited or used in a bot answer.</p>")
    b = digest.bot
    body += [
        "<h2>Bot usage</h2>",
        "<ul>"
        f"<li>Questions asked: {b['questions_asked']}</li>"
        f"<li>Citations looked up: {b['citations_looked_up']}</li>"
        f"<li>Quotes looked up: {b['quotes_looked_up']}</li>"
        f"<li>Answers marked helpful: {b['helpful']}</li>"
        f"<li>Answers marked not helpful (coverage gaps): {b['not_helpful']}</li></ul>",
    ]
    if b["coverage_gaps"]:
        body.append(_html_table(
            ["When", "Asked by", "Question"],
            [[_day(g["created_at"]), g["asked_by"] or "(anonymous)", g["query"]]
             for g in b["coverage_gaps"]],
            set(),
        ))
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
    return [DigestFile(f"{base_name(digest)}.html", page.encode())]


def _html_conversation(conv: ConversationStats) -> str:
    where = f" <small>in #{_e(conv.parent)}</small>" if conv.parent else ""
    parts = [
        f"<h3>{_e(conv.name)}{where}</h3>",
        f"<p>{conv.messages} messages, {_e(_day(conv.first_message))} to"
        f" {_e(_day(conv.last_message))}. Participants: {_e(', '.join(conv.participants))}</p>",
    ]
    if conv.questions:
        parts.append("<ul>" + "".join(
            f'<li><span class="{"answered" if q.answered else "unanswered"}">'
            f"{_answered(q.answered)}</span> {_e(q.author)}: {_e(q.text)}</li>"
            for q in conv.questions
        ) + "</ul>")
    if conv.passages:
        parts.append("<p>Passages referenced: " + _e(", ".join(
            f"{p['passage_id']} ({p['references']})" for p in conv.passages)) + "</p>")
    return "".join(parts)


_RENDERERS: dict[str, Callable[[Digest], list[DigestFile]]] = {
    "md": render_markdown,
    "markdown": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}
