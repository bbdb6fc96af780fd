"""The slack-bolt app: slash commands, buttons and channel logging over `SeminarService`.

Every command acks first and works after: Slack wants an answer within 3 seconds, and a search
or a permission check may take longer. In Socket Mode bolt runs listeners on its worker threads
(`process_before_response=False`), so `ack()` reaches Slack at once while the work goes on off
the socket's thread; tests build the app with `process_before_response=True` to make dispatch
synchronous. Answers go out through the command's or button's `response_url`, which works in
any channel and needs no extra scope; only /digest's files travel differently, to the
instructor's direct messages.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Literal

from slack_bolt import Ack, App, BoltContext, Respond
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.core.errors import PermissionDenied, SeminarError
from bot.core.models import Reading
from bot.core.presentation import ResultView, readings_view, result_view
from bot.slack_app import blocks
from bot.slack_app.ask_text import parse_ask_text
from bot.slack_app.catch_up import CatchUp, catch_up_on_hello
from bot.slack_app.digest_command import parse_digest_text, send_privately
from bot.slack_app.events import PLATFORM, Delete, Store, classify, thread_info
from bot.slack_app.permissions import is_instructor

if TYPE_CHECKING:
    from bot.core.service import CourseScope, SeminarService
    from bot.settings import Settings

log = logging.getLogger(__name__)

# /cite and /quote: the heading of the notification, and how the answer is laid out.
LOOKUPS: dict[str, tuple[str, Callable[[ResultView], list[blocks.Block]]]] = {
    "cite": ("References matching", blocks.cite_blocks),
    "quote": ("Quote", blocks.quote_blocks),
}
CHANNEL_ID_RE = re.compile(r"^[CGD][A-Z0-9]+$")
RETENTION_INTERVAL_SECONDS = 24 * 3600


class SlackHandlers:
    """The listeners, holding the service and settings they share."""

    def __init__(self, service: SeminarService, settings: Settings) -> None:
        self.service = service
        self.settings = settings

    # -- plumbing --------------------------------------------------------------------------

    @contextlib.contextmanager
    def answering(self, respond: Respond) -> Iterator[None]:
        """Turn failures into a private reply: the user's own mistakes verbatim, bugs with a
        reference that matches the log line."""
        try:
            yield
        except SeminarError as exc:
            respond(text=blocks.fallback(str(exc)), response_type="ephemeral",
                    replace_original=False)
        except Exception:
            ref = uuid.uuid4().hex[:8]
            log.exception("slack listener failed (ref %s)", ref)
            respond(
                text=f"Something went wrong on our side (reference {ref}); it has been logged.",
                response_type="ephemeral",
                replace_original=False,
            )

    def scope(self, team_id: str) -> CourseScope:
        """The course a workspace is taught in, as that workspace may see it."""
        return self.service.scope(PLATFORM, team_id)

    def respond_answer(
        self,
        respond: Respond,
        view: ResultView,
        *,
        scope: CourseScope,
        channel_id: str | None,
        user_id: str | None,
        offset: int,
        response_type: str,
        reading: Reading | None = None,
    ) -> None:
        page_end = offset + blocks.PAGE_SIZE
        page = replace(view, cards=view.cards[:page_end])
        query_id = scope.record_query(
            kind="ask",
            query=view.query,
            results=page.passage_ids[offset:],
            channel_id=channel_id,
            user_id=user_id,
        ).result()
        has_more = len(view.cards) > page_end and page_end < blocks.MAX_RESULTS
        respond(
            text=blocks.fallback(f"Readings on: {view.query}"),
            blocks=blocks.answer_blocks(page, query_id=query_id, offset=offset,
                                        has_more=has_more, reading=reading),
            response_type=response_type,
            replace_original=False,
        )

    # -- slash commands --------------------------------------------------------------------

    def ask(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        with self.answering(respond):
            scope = self.scope(command["team_id"])
            question, name = parse_ask_text(command.get("text") or "")
            reading = scope.reading(name) if name else None
            answer = scope.ask(
                question, top=blocks.PAGE_SIZE + 1, reading=reading.id if reading else None
            )
            self.respond_answer(
                respond, result_view(answer), scope=scope, channel_id=command.get("channel_id"),
                user_id=command.get("user_id"), offset=0, response_type="in_channel",
                reading=reading,
            )

    def readings(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        with self.answering(respond):
            found = readings_view(self.scope(command["team_id"]).readings())
            respond(text=f"{len(found)} readings", blocks=blocks.readings_blocks(found),
                    response_type="ephemeral")

    def cite(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        self.look_up(ack, command, respond, "cite")

    def quote(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        self.look_up(ack, command, respond, "quote")

    def look_up(self, ack: Ack, command: dict[str, Any], respond: Respond,
                kind: Literal["cite", "quote"]) -> None:
        """/cite and /quote: the lookup in the query log with what it showed, the answer in
        the channel."""
        ack()
        with self.answering(respond):
            scope, text = self.scope(command["team_id"]), command.get("text") or ""
            view = result_view(scope.cite(text) if kind == "cite" else scope.quote(text))
            scope.record_query(
                kind=view.kind, query=view.query, results=view.passage_ids,
                channel_id=command.get("channel_id"), user_id=command.get("user_id"),
            ).result()
            heading, render = LOOKUPS[kind]
            respond(text=blocks.fallback(f"{heading}: {view.query}"), blocks=render(view),
                    response_type="in_channel")

    def digest(
        self, ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        with self.answering(respond):
            team, user = command["team_id"], command["user_id"]
            if not is_instructor(client, user, self.settings.slack_instructor_group):
                raise PermissionDenied(
                    "Only workspace admins and members of the instructor group can run /digest."
                )
            request = parse_digest_text(command.get("text") or "")
            files = self.scope(team).digest_files(request.options, request.fmt)
            opts = request.options
            period = f"since {opts.since}" + (f" until {opts.until}" if opts.until else "")
            where = f" in #{blocks.escape(opts.channel)}" if opts.channel else ""
            send_privately(client, user, files, f"Discussion digest {period}{where}.")
            respond(text=f"The digest ({len(files)} file(s)) is in your direct messages with "
                         "the bot.", response_type="ephemeral")

    def privacy(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        with self.answering(respond):
            team, user = command["team_id"], command["user_id"]
            verb = (command.get("text") or "").strip().lower()
            if verb in ("out", "opt-out", "optout", "stop"):
                self.service.set_optout(team, user, out=True).result()
                text = ("You are opted out: from now on your messages are not logged, only "
                        "counted anonymously. `/privacy erase` also removes what was logged.")
            elif verb in ("in", "opt-in", "optin"):
                self.service.set_optout(team, user, out=False).result()
                text = "You are opted in again: your messages in logged channels are logged."
            elif verb == "erase":
                self.service.set_optout(team, user, out=True).result()
                removed = self.service.erase_user(user, team).result()
                text = (f"Removed {removed} of your logged messages and your questions to the "
                        "bot in this workspace; you stay opted out.")
            elif verb in ("", "status"):
                text = self.privacy_status(team, user)
            else:
                raise SeminarError("Use `/privacy`, `/privacy out`, `/privacy in` or `/privacy erase`.")
            respond(text=text, response_type="ephemeral")

    def privacy_status(self, team: str, user: str) -> str:
        channels = self.logged_channels(team)
        where = ", ".join(f"<#{c}>" for c in sorted(channels) if CHANNEL_ID_RE.match(c))
        state = "opted out" if self.service.is_opted_out(team, user) else "opted in"
        return (
            "The bot logs the discussion (messages, edits, threads) of these channels for the "
            f"instructors' digests: {where or 'none'}. You are {state}. "
            "`/privacy out` stops logging your messages, `/privacy in` resumes it, "
            "`/privacy erase` removes what was logged of yours."
        )

    # -- buttons ---------------------------------------------------------------------------

    def more(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
             respond: Respond) -> None:
        ack()
        with self.answering(respond):
            question, offset, name = blocks.parse_more_value(action["value"])
            scope = self.scope(body["team"]["id"])
            reading = scope.reading(name) if name else None
            answer = scope.ask(
                question, top=min(offset + blocks.PAGE_SIZE + 1, blocks.MAX_RESULTS),
                reading=reading.id if reading else None,
            )
            self.respond_answer(
                respond, result_view(answer), scope=scope, channel_id=(body.get("channel") or {}).get("id"),
                user_id=body["user"]["id"], offset=offset, response_type="ephemeral",
                reading=reading,
            )

    def how_to_cite(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
                    respond: Respond) -> None:
        ack()
        with self.answering(respond):
            forms = self.scope(body["team"]["id"]).how_to_cite(action["value"])
            respond(text=blocks.fallback(forms.get("apa", "How to cite")),
                    blocks=blocks.how_to_cite_blocks(forms), response_type="ephemeral",
                    replace_original=False)

    def feedback(self, helpful: bool) -> Callable[..., None]:
        def handle(ack: Ack, action: dict[str, Any], respond: Respond) -> None:
            ack()
            with self.answering(respond):
                known = self.service.record_feedback(int(action["value"]), helpful=helpful)
                if not known.result():
                    raise SeminarError("That answer is too old to rate; ask again.")
                respond(text="Thanks, your feedback was recorded.", response_type="ephemeral",
                        replace_original=False)

        return handle

    # -- channel logging -------------------------------------------------------------------

    def logged_channels(self, team: str) -> set[str]:
        return logged_channels(self.service, self.settings, team)

    def message(self, event: dict[str, Any], context: BoltContext) -> None:
        team = context.team_id or event.get("team")
        if not team or event.get("channel") not in self.logged_channels(team):
            return
        change = classify(event, team)
        if isinstance(change, Store):
            msg = change.message
            if msg.parent_id is not None:
                thread_ts = msg.channel_id.rsplit(":", 1)[1]
                self.service.record_channel(thread_info(team, msg.parent_id, thread_ts)).result()
            self.service.record_messages([msg]).result()
        elif isinstance(change, Delete):
            self.service.record_deletes([change.message_id]).result()


def logged_channels(service: SeminarService, settings: Settings, team: str) -> set[str]:
    """Channels configured in SLACK_LOG_CHANNELS plus any an instructor turned on in the log."""
    return set(settings.slack_log_channels) | set(service.logged_channels(team))


# The slash commands the app answers; slack/manifest.yml must declare exactly these.
def command_table(handlers: SlackHandlers) -> dict[str, Callable[..., None]]:
    return {
        "/ask": handlers.ask,
        "/cite": handlers.cite,
        "/quote": handlers.quote,
        "/readings": handlers.readings,
        "/digest": handlers.digest,
        "/privacy": handlers.privacy,
    }


def build_app(
    service: SeminarService,
    settings: Settings,
    client: WebClient | None = None,
    *,
    signing_secret: str | None = None,
    process_before_response: bool = False,
) -> App:
    """The bolt app. Socket Mode needs no signing secret; HTTP requests (and tests) do."""
    if client is None:
        if settings.slack_bot_token is None:
            raise SeminarError("SLACK_BOT_TOKEN is not set.")
        client = WebClient(token=settings.slack_bot_token.reveal())
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        token_verification_enabled=False,
        process_before_response=process_before_response,
    )
    handlers = SlackHandlers(service, settings)
    for name, handler in command_table(handlers).items():
        app.command(name)(handler)
    app.action(blocks.ACTION_MORE)(handlers.more)
    app.action(blocks.ACTION_CITE)(handlers.how_to_cite)
    app.action(blocks.ACTION_HELPFUL)(handlers.feedback(helpful=True))
    app.action(blocks.ACTION_NOT_HELPFUL)(handlers.feedback(helpful=False))
    app.event("message")(handlers.message)
    return app


@dataclass(slots=True)
class SlackConnection:
    """A live Socket Mode session and the backfill that runs after each (re)connection."""

    handler: SocketModeHandler
    team_id: str
    catch_up: CatchUp
    stopping: threading.Event

    def close(self) -> None:
        self.stopping.set()
        self.handler.close()


def connect_slack(
    settings: Settings, service: SeminarService, *, api_url: str | None = None
) -> SlackConnection:
    """Check the tokens, index every course's readings (only what changed), open the Socket
    Mode session, and catch up on missed discussion in the background whenever a session
    opens. `api_url` is where the Web API is (tests use a fake)."""
    if settings.slack_bot_token is None or settings.slack_app_token is None:
        raise SeminarError("Slack needs both SLACK_BOT_TOKEN (xoxb-…) and SLACK_APP_TOKEN (xapp-…).")
    for course, report in service.ensure_all().items():
        log.info("course %s: %s", course, report.summary())
        for warning in report.warnings:
            log.warning("course %s: %s", course, warning)
    # slack_sdk's DEBUG lines carry raw API responses (Socket Mode connection URLs among them):
    # keep them out of the log whatever SEMINAR_LOG_LEVEL says.
    logging.getLogger("slack_sdk").setLevel(max(logging.INFO, logging.getLogger().level))
    base_url = api_url or WebClient.BASE_URL
    client = WebClient(token=settings.slack_bot_token.reveal(), base_url=base_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=5))
    app = build_app(service, settings, client)
    handler = SocketModeHandler(
        app, settings.slack_app_token.reveal(), web_client=WebClient(base_url=base_url)
    )
    try:
        team_id = client.auth_test()["team_id"]
        catch_up = CatchUp(client, service, team_id,
                           lambda: sorted(logged_channels(service, settings, team_id)))
        catch_up_on_hello(handler.client, catch_up)
        handler.connect()
    except SlackApiError as exc:
        raise SeminarError(
            f"Slack refused a token ({exc.response.get('error')}); check SLACK_BOT_TOKEN "
            "(xoxb-…) and SLACK_APP_TOKEN (xapp-…, with connections:write)."
        ) from None
    except OSError as exc:
        raise SeminarError(f"Cannot reach Slack ({exc}); check the network.") from None
    log.info("connected to Slack workspace %s over Socket Mode", team_id)
    stopping = threading.Event()
    if settings.retention_days:
        threading.Thread(
            target=_retention_daily, args=(service, settings.retention_days, stopping),
            name="slack-retention", daemon=True,
        ).start()
    return SlackConnection(handler, team_id, catch_up, stopping)


def run_slack(settings: Settings, service: SeminarService) -> None:
    """`seminar-bot run --slack`: serve over Socket Mode until interrupted."""
    connection = connect_slack(settings, service)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        log.info("stopping the Slack bot")
    finally:
        connection.close()


def _retention_daily(service: SeminarService, days: int, stopping: threading.Event) -> None:
    """SEMINAR_RETENTION_DAYS: purge older discussion now, then once a day."""
    while True:
        try:
            log.info("retention applied: %s", service.apply_retention(days))
        except SeminarError as exc:
            log.warning("retention could not run: %s", exc)
        if stopping.wait(RETENTION_INTERVAL_SECONDS):
            return
