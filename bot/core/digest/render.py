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
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import partial
from typing import Any

from bot.core.digest.compute import build_digest
from bot.core.digest.display import preview
from bot.core.digest.model import (
    ConversationStats,
    Digest,
    ParticipantStats,
    PassageStats,
    Question,
    ReadingsMatcher,
)
from bot.core.digest.period import zone
from bot.core.errors import SeminarError
from bot.core.models import DIGEST_FORMATS, DIGEST_TABLES, DigestFile, DigestOptions
from bot.core.storage.database import Database

CHART_COLOR = "#2f6fb0"
ALERT_COLOR = "#c0392b"
MAX_CHART_PEOPLE = 20




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
    """A digest time (local ISO) as people read it: "2026-11-02 09:00"."""
    return value[:16].replace("T", " ") if value else ""


def _answered(flag: bool) -> str:
    return "answered" if flag else "UNANSWERED"


def _zone_line(digest: Digest) -> str:
    """Every format states its time zone: days, periods and times are local to it."""
    stamp = digest.period.get("since") or digest.generated_at
    offset = stamp[19:] if stamp and len(stamp) > 19 else ""
    shown = f" (UTC{offset})" if offset and offset not in ("+00:00", "Z") else ""
    return f"Times and days are in {digest.timezone}{shown}."


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
    out = [f"# Discussion digest: {_period_text(digest)}", "", _zone_line(digest), ""]
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
        f"Participants are students; {t['staff']} instructor(s)/TA(s) wrote "
        f"{t['staff_messages']} of the messages and asked {t['prompts']} question(s) to the "
        "class (prompts, not counted as questions).",
        "",
    ]
    if t["opted_out_messages"]:
        out += [f"Plus {t['opted_out_messages']} message(s) by students who opted out of logging.", ""]
    out += ["## Participants", ""]
    out += _md_table(_PEOPLE_HEADERS, _people_rows(digest.participants))
    if digest.staff:
        out += ["", "## Instructors and TAs", ""]
        out += _md_table(_PEOPLE_HEADERS, _people_rows(digest.staff))
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
            ["Text", "Reading", "Where", "References", "Quoted", "Cited", "Bot answers"],
            [[preview(p.text, 160) or "(no longer in the index)", p.reading, p.location,
              p.references, p.quotes, p.citations, p.bot_answers] for p in digest.passages],
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
        out += [f"- [{_md_label(q)}] {q.author}: {q.text}" for q in conv.questions]
    if conv.passages:
        out += ["", "Passages referenced: " + "; ".join(
            f"{p['reading']} ({p['references']})" for p in conv.passages)]
    out.append("")
    return out


def _md_label(q: Question) -> str:
    if q.kind == "prompt":
        return "PROMPT"
    return f"answered: {q.reason}" if q.answered else _answered(False)


# -- CSV --------------------------------------------------------------------------------------


def sheet_time(value: str | None, tz: tzinfo | None = None) -> str:
    """An ISO time as spreadsheets read a date and time: "2026-11-02 15:04:05" in `tz`
    (None: this machine's local time; a stored time without a zone is UTC)."""
    if not value:
        return ""
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")


def csv_tables(digest: Digest) -> dict[str, tuple[list[str], list[list[Any]]]]:
    """Each table of the digest as (headers, rows), in DIGEST_TABLES order: one CSV file per
    table, times in local time as spreadsheets read them (`sheet_time`)."""
    convs = [*digest.threads, *digest.channels]
    t = partial(sheet_time, tz=zone(digest.timezone))
    tables: dict[str, tuple[list[str], list[list[Any]]]] = {
        "totals": (["metric", "value"], [[k, v] for k, v in digest.totals.items()]
                   + [["timezone", digest.timezone]]),
        "participants": (
            ["id", "name", "role", "messages", "words", "threads", "replies", "questions",
             "unanswered_questions", "first_activity", "last_activity", "bot_questions",
             "references", "readings"],
            [[p.id, p.name, p.role, p.messages, p.words, p.threads, p.replies, p.questions,
              p.unanswered_questions, t(p.first_activity), t(p.last_activity), p.bot_questions,
              p.references, "; ".join(p.readings)] for p in (*digest.participants,
                                                             *digest.staff)],
        ),
        "threads": (
            ["id", "name", "kind", "parent", "messages", "participants", "first_message",
             "last_message", "questions", "unanswered", "passages"],
            [[c.id, c.name, c.kind, c.parent, c.messages, len(c.participants), t(c.first_message),
              t(c.last_message), len(c.questions),
              sum(1 for q in c.questions if q.kind == "question" and not q.answered),
              "; ".join(p["passage_id"] for p in c.passages)] for c in convs],
        ),
        "questions": (
            ["conversation", "message_id", "author", "kind", "created_at", "answered", "reason",
             "text"],
            [[q.channel_id, q.message_id, q.author, q.kind, t(q.created_at), q.answered, q.reason,
              q.text] for q in digest.questions],
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
            [[t(g["created_at"]), g["kind"], g["asked_by"], g["query"], g["top_passage"]]
             for g in digest.bot["coverage_gaps"]],
        ),
        "activity": (
            [digest.activity_unit, "messages", "participants"],
            [[a.period, a.messages, a.participants] for a in digest.activity],
        ),
    }
    return {name: tables[name] for name in DIGEST_TABLES}


def _csv_cell(value: Any) -> Any:
    """Student text that starts like a formula is shown, never run, by spreadsheet programs."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


def render_csv_tables(digest: Digest, names: Sequence[str] = DIGEST_TABLES) -> list[DigestFile]:
    """The tables as CSV files ("digest-...-participants.csv"), each one opening as it is in
    a spreadsheet program: a BOM so accented names read as UTF-8."""
    tables = csv_tables(digest)
    unknown = [n for n in names if n not in tables]
    if unknown:
        raise SeminarError(f"No digest table {unknown[0]!r}; the tables are "
                           f"{', '.join(DIGEST_TABLES)}.")
    base = base_name(digest)
    files = []
    for name in names:
        headers, rows = tables[name]
        text = io.StringIO()
        writer = csv.writer(text)
        writer.writerow(headers)
        writer.writerows([_csv_cell(c) for c in row] for row in rows)
        files.append(DigestFile(f"{base}-{name}.csv", ("\ufeff" + text.getvalue()).encode()))
    return files


def render_csv(digest: Digest) -> list[DigestFile]:
    """Every table in one zip: what a chat attachment or `--out x.zip` holds."""
    buffer = io.BytesIO()
    base = base_name(digest)
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in render_csv_tables(digest):
            archive.writestr(f"{base}/{table.filename.removeprefix(base + '-')}", table.data)
    return [DigestFile(f"{base}-csv.zip", buffer.getvalue())]


# -- HTML -------------------------------------------------------------------------------------

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:60rem;
color:#1d1d1f;line-height:1.45;padding:0 1rem}
h1{font-size:1.6rem;margin-bottom:.2rem}h2{margin-top:2rem;border-bottom:1px solid #ddd}
p.meta{color:#555;margin-top:0}
table{border-collapse:collapse;width:100%;margin:.5rem 0;font-size:.9rem}
th,td{border:1px solid #ddd;padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:#f3f5f8}td.n{text-align:right}
.totals{display:flex;gap:1rem;flex-wrap:wrap}.totals div{border:1px solid #ddd;padding:.5rem 1rem;
border-radius:6px}.totals b{display:block;font-size:1.4rem}
.unanswered{color:#c0392b;font-weight:600}.answered{color:#2e7d32}.prompt{color:#6a4c93}
details{margin:.5rem 0}summary{cursor:pointer;color:#2f6fb0}
blockquote{margin:.5rem 0;padding:.25rem .75rem;border-left:4px solid #2f6fb0;background:#f7f9fc}
.src{color:#555;font-size:.9rem;margin:0 0 .75rem .75rem}
svg text{font-family:system-ui,sans-serif;font-size:11px;fill:#333}
"""
# Lists and tables longer than this show their first rows; the rest open in a <details>.
SHOWN_ROWS = 10


def _e(value: Any) -> str:
    return html.escape(str(value if value is not None else ""), quote=True)


def _html_rows(rows: Iterable[Sequence[Any]], numeric: set[int]) -> list[str]:
    return [
        "<tr>" + "".join(
            f'<td class="n">{_e(c)}</td>' if i in numeric else f"<td>{_e(c)}</td>"
            for i, c in enumerate(row)
        ) + "</tr>"
        for row in rows
    ]


def _table_of(headers: Sequence[str]) -> Callable[[Sequence[str]], str]:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    return lambda rows: (f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
                         "</tbody></table>")


def _html_table(headers: Sequence[str], rows: Iterable[Sequence[Any]], numeric: set[int]) -> str:
    return _table_of(headers)(_html_rows(rows, numeric))


def _collapsed(items: Sequence[str], wrap: Callable[[Sequence[str]], str], what: str) -> str:
    """The first SHOWN_ROWS items, and the rest behind "show all N ..." (no script needed)."""
    if len(items) <= SHOWN_ROWS:
        return wrap(items)
    return (wrap(items[:SHOWN_ROWS]) + f"<details><summary>Show all {len(items)} {_e(what)}"
            "</summary>" + wrap(items) + "</details>")


def nice_ticks(top: int, count: int = 4) -> list[int]:
    """Round axis ticks from 0 to at least `top` (0, 5, 10, 15; 0, 250, 500, ...)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    magnitude = 10 ** max(0, len(str(int(raw))) - 1)
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    step = max(1, int(step))
    ticks = list(range(0, top + step, step))
    return ticks if ticks[-1] >= top else [*ticks, ticks[-1] + step]


def _date_label(period: str, unit: str) -> str:
    day = date.fromisoformat(period)
    return f"{day.day} {day:%b %Y}" if unit == "day" else f"wk {day.day} {day:%b %Y}"


def activity_svg(digest: Digest, width: int = 880, height: int = 280) -> str:
    """Bars of messages per day (or week) on the left axis, active participants as a line on
    the right axis; both axes labelled, dates with the year, in the course's time zone."""
    data = digest.activity
    pad_l, pad_r, pad_b, pad_t = 56, 56, 58, 16
    plot_w, plot_h = width - pad_l - pad_r, height - pad_b - pad_t
    base = pad_t + plot_h
    unit = digest.activity_unit
    parts = [
        f'<svg id="activity-chart" xmlns="http://www.w3.org/2000/svg" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
        f' aria-label="Messages and active participants per {unit}">',
    ]
    if not data:
        parts.append(f'<text x="{width / 2}" y="{height / 2}" text-anchor="middle">'
                     "No messages in this period</text></svg>")
        return "".join(parts)
    m_ticks = nice_ticks(max(a.messages for a in data))
    p_ticks = nice_ticks(max(a.participants for a in data))
    m_top, p_top = m_ticks[-1], p_ticks[-1]
    for t in m_ticks:
        y = base - plot_h * t / m_top
        parts.append(f'<line x1="{pad_l}" y1="{y:.1f}" x2="{pad_l + plot_w}" y2="{y:.1f}"'
                     ' stroke="#e3e6ea"/>'
                     f'<text x="{pad_l - 6}" y="{y + 4:.1f}" text-anchor="end">{t}</text>')
    for t in p_ticks:
        y = base - plot_h * t / p_top
        parts.append(f'<text x="{pad_l + plot_w + 6}" y="{y + 4:.1f}" fill="{ALERT_COLOR}"'
                     f' style="fill:{ALERT_COLOR}">{t}</text>')
    slot = plot_w / len(data)
    bar_w = min(48.0, max(1.0, slot * 0.8))
    label_every = max(1, -(-len(data) // 8))
    points = []
    for i, a in enumerate(data):
        h = plot_h * a.messages / m_top
        cx = pad_l + i * slot + slot / 2
        parts.append(
            f'<rect x="{cx - bar_w / 2:.1f}" y="{base - h:.1f}" width="{bar_w:.1f}"'
            f' height="{h:.1f}" fill="{CHART_COLOR}"><title>{_e(a.period)}: {a.messages}'
            f" messages, {a.participants} participants</title></rect>"
        )
        points.append((cx, base - plot_h * a.participants / p_top))
        if i % label_every == 0:
            parts.append(f'<text x="{cx:.1f}" y="{base + 16}" text-anchor="middle">'
                         f"{_e(_date_label(a.period, unit))}</text>")
    if len(points) > 1:
        parts.append('<polyline fill="none" stroke="' + ALERT_COLOR + '" stroke-width="2" points="'
                     + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
    parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{ALERT_COLOR}"/>' for x, y in points]
    parts += [
        f'<line x1="{pad_l}" y1="{base}" x2="{pad_l + plot_w}" y2="{base}" stroke="#666"/>',
        f'<line x1="{pad_l}" y1="{pad_t}" x2="{pad_l}" y2="{base}" stroke="#666"/>',
        f'<text transform="translate(14 {pad_t + plot_h / 2}) rotate(-90)" text-anchor="middle">'
        "Messages (bars)</text>",
        f'<text transform="translate({width - 12} {pad_t + plot_h / 2}) rotate(90)"'
        f' text-anchor="middle" style="fill:{ALERT_COLOR}">Active participants (line)</text>',
        f'<text x="{pad_l + plot_w / 2}" y="{height - 8}" text-anchor="middle">'
        f"{'Day' if unit == 'day' else 'Week (from Monday)'}, {_e(digest.timezone)}</text>",
        "</svg>",
    ]
    return "".join(parts)


def participation_svg(people: Sequence[ParticipantStats], width: int = 880) -> str:
    """Horizontal bars of messages per person, the busiest first (questions in red), with a
    labelled message axis; the first MAX_CHART_PEOPLE only (the table has everyone)."""
    shown = people[:MAX_CHART_PEOPLE]
    row_h, label_w, pad_b = 22, 200, 40
    height = max(1, len(shown)) * row_h + 10 + pad_b
    ticks = nice_ticks(max([p.messages for p in shown] + [1]))
    top = ticks[-1]
    plot_w = width - label_w - 60
    base = max(1, len(shown)) * row_h + 8
    parts = [
        f'<svg id="participation-chart" xmlns="http://www.w3.org/2000/svg" width="{width}"'
        f' height="{height}" viewBox="0 0 {width} {height}" role="img"'
        ' aria-label="Messages per participant">'
    ]
    for t in ticks:
        x = label_w + plot_w * t / top
        parts.append(f'<line x1="{x:.1f}" y1="4" x2="{x:.1f}" y2="{base}" stroke="#e3e6ea"/>'
                     f'<text x="{x:.1f}" y="{base + 14}" text-anchor="middle">{t}</text>')
    for i, p in enumerate(shown):
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
    if not shown:
        parts.append('<text x="10" y="15">No participants in this period</text>')
    parts.append(f'<line x1="{label_w}" y1="{base}" x2="{label_w + plot_w}" y2="{base}"'
                 ' stroke="#666"/>'
                 f'<text x="{label_w + plot_w / 2}" y="{height - 6}" text-anchor="middle">'
                 "Messages in the period</text></svg>")
    return "".join(parts)


_PEOPLE_HEADERS = ["Name", "Messages", "Words", "Threads", "Replies", "Questions", "First",
                   "Last", "Readings referenced"]


def _people_rows(people: Sequence[ParticipantStats]) -> list[list[Any]]:
    return [[p.name, p.messages, p.words, p.threads, p.replies, p.questions,
             _day(p.first_activity), _day(p.last_activity), "; ".join(p.readings)]
            for p in people]


def _question_item(q: Question, where: str = "") -> str:
    if q.kind == "prompt":
        label = '<span class="prompt">PROMPT</span>'
    else:
        css = "answered" if q.answered else "unanswered"
        label = f'<span class="{css}">{_answered(q.answered)}</span>'
        if q.answered:
            label += f" <small>({_e(q.reason)})</small>"
    place = f" <small>in {_e(where)}, {_e(_day(q.created_at))}</small>" if where else ""
    return f"<li>{label} {_e(q.author)}: {_e(q.text)}{place}</li>"


def _ul(items: Sequence[str]) -> str:
    return "<ul>" + "".join(items) + "</ul>"


def _passage_item(p: PassageStats) -> str:
    where = f", {p.location}" if p.location else ""
    kinds = ", ".join(f"{n} {what}" for n, what in (
        (p.quotes, "quoted"), (p.citations, "cited"), (p.bot_answers, "in bot answers")) if n)
    text = p.text or "(no longer in the index)"
    return (f"<blockquote>{_e(preview(text, 320))}</blockquote>"
            f'<p class="src">{_e(p.reading)}{_e(where)} · {p.references} reference(s)'
            f" ({_e(kinds)}) in {p.threads} conversation(s) by {p.participants} participant(s)</p>")


def render_html(digest: Digest) -> list[DigestFile]:
    t = digest.totals
    title = f"Discussion digest: {_period_text(digest)}"
    body = [f"<h1>{_e(title)}</h1>",
            f'<p class="meta">{_e(_zone_line(digest))}'
            + (f" Channel: {_e(digest.scope['channel'])} (with its threads)."
               if digest.scope.get("channel") else "")
            + (" Names are replaced by stable pseudonyms." if digest.anonymized else "") + "</p>"]
    body.append('<div class="totals">' + "".join(
        f"<div><b>{t[k]}</b>{_e(label)}</div>" for k, label in (
            ("messages", "messages"), ("participants", "students"), ("staff", "staff"),
            ("threads", "threads"), ("questions", "questions"),
            ("unanswered_questions", "unanswered"),
        )
    ) + "</div>")
    if t["opted_out_messages"]:
        body.append(f"<p>Plus {t['opted_out_messages']} message(s) by students who opted out.</p>")
    unanswered = [q for q in digest.questions if q.kind == "question" and not q.answered]
    names = {c.id: c.name for c in (*digest.threads, *digest.channels)}
    body.append("<h2>Unanswered questions</h2>")
    body.append(_collapsed([_question_item(q, names.get(q.channel_id, "")) for q in unanswered],
                           _ul, "unanswered questions")
                if unanswered else "<p>Every question got an answer.</p>")
    body += [
        f"<h2>Activity per {_e(digest.activity_unit)}</h2>",
        activity_svg(digest),
        "<h2>Participation</h2>",
        f"<p>Students by messages, the busiest first (red: questions). {len(digest.participants)}"
        " student(s)"
        + (f"; the chart shows the first {MAX_CHART_PEOPLE}" if len(digest.participants)
           > MAX_CHART_PEOPLE else "") + ".</p>",
        participation_svg(digest.participants),
        f"<details><summary>Show all {len(digest.participants)} students</summary>"
        + _html_table(_PEOPLE_HEADERS, _people_rows(digest.participants), {1, 2, 3, 4, 5})
        + "</details>",
    ]
    if digest.staff:
        body += ["<h2>Instructors and TAs</h2>",
                 _html_table(_PEOPLE_HEADERS, _people_rows(digest.staff), {1, 2, 3, 4, 5})]
        prompts = digest.prompts
        if prompts:
            body.append(_collapsed([_question_item(q, names.get(q.channel_id, ""))
                                    for q in prompts], _ul, "prompts"))
    body.append("<h2>Passages the discussion turned on</h2>")
    if digest.passages:
        body.append(_collapsed([_passage_item(p) for p in digest.passages], "".join,
                               "passages"))
    else:
        body.append("<p>No passage of the readings was quoted, cited or used in a bot answer.</p>")
    if digest.readings:
        body.append("<p>Readings referenced: " + _e("; ".join(
            f"{r['title']} ({r['references']})" for r in digest.readings)) + "</p>")
    body.append("<h2>Threads</h2>")
    if not digest.threads:
        body.append("<p>No threads in this period.</p>")
    else:
        busiest = sorted(digest.threads, key=lambda c: (-c.messages, c.first_message or ""))
        body.append(_collapsed(
            [_thread_row(c) for c in busiest],
            _table_of(["Thread", "In", "Messages", "Participants", "Questions", "Unanswered",
                       "Started"]),
            "threads"))
        asked = [c for c in digest.threads if c.questions]
        if asked:
            body.append(f"<details><summary>Questions in threads ({len(asked)} threads)"
                        "</summary>" + "".join(_html_conversation(c) for c in asked)
                        + "</details>")
    asked_channels = [c for c in digest.channels if c.questions]
    if asked_channels:
        body.append("<h2>Questions asked in channels</h2>")
        body += [_html_conversation(c) for c in asked_channels]
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
        rows = _html_rows([[_day(g["created_at"]), g["asked_by"] or "(anonymous)", g["query"]]
                           for g in b["coverage_gaps"]], set())
        body.append(_collapsed(rows, _table_of(["When", "Asked by", "Question"]), "coverage gaps"))
    page = (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{_e(title)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(body)
        + "</body></html>\n"
    )
    return [DigestFile(f"{base_name(digest)}.html", page.encode())]


def _thread_row(c: ConversationStats) -> str:
    unanswered = sum(1 for q in c.questions if q.kind == "question" and not q.answered)
    cells = [_e(c.name), _e(f"#{c.parent}" if c.parent else ""), str(c.messages),
             str(len(c.participants)), str(len(c.questions)), str(unanswered),
             _e(_day(c.first_message))]
    return "<tr>" + "".join(
        f'<td class="n">{v}</td>' if 2 <= i <= 5 else f"<td>{v}</td>" for i, v in enumerate(cells)
    ) + "</tr>"


def _html_conversation(conv: ConversationStats) -> str:
    where = f" <small>in #{_e(conv.parent)}</small>" if conv.parent else ""
    parts = [
        f"<h3>{_e(conv.name)}{where}</h3>",
        f"<p>{conv.messages} messages, {_e(_day(conv.first_message))} to"
        f" {_e(_day(conv.last_message))}. Participants: {_e(', '.join(conv.participants))}</p>",
    ]
    if conv.questions:
        parts.append(_collapsed([_question_item(q) for q in conv.questions], _ul, "questions"))
    if conv.passages:
        parts.append("<p>Passages referenced: " + _e("; ".join(
            f"{p['reading']} ({p['references']})" for p in conv.passages)) + "</p>")
    return "".join(parts)


_RENDERERS: dict[str, Callable[[Digest], list[DigestFile]]] = {
    "md": render_markdown,
    "markdown": render_markdown,
    "csv": render_csv,
    "json": render_json,
    "html": render_html,
}
