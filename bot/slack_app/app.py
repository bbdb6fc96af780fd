"""The slack-bolt app: slash commands, buttons and channel logging over `SeminarService`.

Every listener acknowledges first and hands its work on: Slack wants the ack within 3 seconds
and retries or shows "operation_timeout" without it, while a search, a permission check or a
database write (behind another writer's lock) may take longer. bolt runs listeners on its own
executor and the ack only leaves once a listener thread has called `ack()`, so bolt's threads do
nothing else (an executor sized for bursts); the answers are worked out on a small work pool,
and the discussion log on one thread of its own (in order), both free to wait for the
database. Tests build the app with `process_before_response=True` to make dispatch
synchronous; the ack-latency test runs the production path over Socket Mode.

Answers go out through the command's or button's `response_url`, which works in any channel
and needs no extra scope; only /digest's files travel differently, to the instructor's direct
messages. One app serves one workspace: the one its bot token was installed in (`team_id`);
requests from any other team are refused with a clear message (docs/slack.md says why).
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from slack_bolt import Ack, App, BoltContext, BoltResponse, Respond
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot import logsafe
from bot.core.errors import DatabaseUnavailable, PermissionDenied, SeminarError
from bot.core.models import STAFF_ROLE, Reading
from bot.core.presentation import (
    ResultView,
    readings_view,
    result_view,
    shown_record,
    stored_view,
)
from bot.slack_app import blocks
from bot.slack_app.ask_text import parse_ask_text
from bot.slack_app.catch_up import CatchUp, catch_up_on_hello
from bot.slack_app.digest_command import parse_digest_text, send_privately
from bot.slack_app.events import PLATFORM, Delete, Store, classify, thread_info
from bot.slack_app.permissions import StaffDirectory, is_instructor

if TYPE_CHECKING:
    from bot.core.service import CourseScope, SeminarService
    from bot.settings import Settings

log = logging.getLogger(__name__)

CHANNEL_ID_RE = re.compile(r"^[CGD][A-Z0-9]+$")
RETENTION_INTERVAL_SECONDS = 24 * 3600
# bolt's listener threads only acknowledge: enough for a class's burst (60 /ask at once) with
# room to spare. The answers are worked out on WORK_THREADS (search is CPU-bound).
ACK_THREADS = 64
WORK_THREADS = 4
OTHER_WORKSPACE = (
    "This Seminar Bot serves one Slack workspace, and this is not it. Each workspace installs "
    "its own copy with its own tokens (see docs/slack.md)."
)


class SlackHandlers:
    """The listeners, holding the service and settings they share. `work`/`log_work` are where
    the acknowledged work runs (None: at once, in the listener, for synchronous tests)."""

    def __init__(
        self,
        service: SeminarService,
        settings: Settings,
        *,
        work: Executor | None = None,
        log_work: Executor | None = None,
    ) -> None:
        self.service = service
        self.settings = settings
        self.staff = StaffDirectory(settings.slack_instructor_group, settings.staff_ids)
        self.work = work
        self.log_work = log_work
        # Called when a live event could not be stored: the connection's catch-up fetches it.
        self.on_lost: Callable[[], None] = lambda: None

    # -- plumbing --------------------------------------------------------------------------

    def later(self, job: Callable[..., None], *args: Any, log: bool = False) -> None:
        """Run `job` after the ack: on the work pool (the log's own thread, with `log`)."""
        pool = self.log_work if log else self.work
        if pool is None:
            job(*args)
        else:
            pool.submit(_logged_failures, job, *args)

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
        """The course a workspace is taught in, as that workspace may see it (another team
        is refused before this, by `one_workspace`, and by the service if it got this far)."""
        return self.service.scope(PLATFORM, team_id)

    def post_answer(
        self,
        respond: Respond,
        view: ResultView,
        *,
        scope: CourseScope,
        channel_id: str | None,
        user_id: str | None,
        reading: Reading | None = None,
        heading: str = "Question",
    ) -> None:
        """Record the question with what its answer shows (its buttons rebuild it from that),
        then post the compact answer in the channel."""
        query_id = scope.record_query(
            kind=view.kind, query=view.query, results=view.passage_ids, channel_id=channel_id,
            user_id=user_id, confident=view.confident, shown=shown_record(view),
        ).result()
        respond(
            text=blocks.fallback(f"Readings on: {view.query}"),
            blocks=blocks.answer_blocks(view, query_id=query_id, asker=user_id,
                                        reading=reading, heading=heading),
            response_type="in_channel",
            replace_original=False,
        )

    # -- slash commands: ack, then the work ------------------------------------------------

    def ask(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        self.later(self._ask, command, respond)

    def _ask(self, command: dict[str, Any], respond: Respond) -> None:
        with self.answering(respond):
            scope = self.scope(command["team_id"])
            question, name = parse_ask_text(command.get("text") or "")
            reading = scope.reading(name) if name else None
            answer = scope.ask(question, top=blocks.TOP_RESULTS,
                               reading=reading.id if reading else None)
            self.post_answer(respond, result_view(answer), scope=scope,
                             channel_id=command.get("channel_id"),
                             user_id=command.get("user_id"), reading=reading)

    def readings(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        self.later(self._readings, command, respond)

    def _readings(self, command: dict[str, Any], respond: Respond) -> None:
        with self.answering(respond):
            found = readings_view(self.scope(command["team_id"]).readings())
            respond(text=f"{len(found)} readings", blocks=blocks.readings_blocks(found),
                    response_type="ephemeral")

    def cite(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        self.later(self._cite, command, respond)

    def _cite(self, command: dict[str, Any], respond: Respond) -> None:
        """Which reference a loose query names and every passage citing it, in the channel."""
        with self.answering(respond):
            scope, text = self.scope(command["team_id"]), command.get("text") or ""
            view = result_view(scope.cite(text))
            scope.record_query(
                kind=view.kind, query=view.query, results=view.passage_ids,
                channel_id=command.get("channel_id"), user_id=command.get("user_id"),
                confident=view.confident,
            ).result()
            respond(text=blocks.fallback(f"References matching: {view.query}"),
                    blocks=blocks.cite_blocks(view), response_type="in_channel")

    def quote(self, ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        ack()
        self.later(self._quote, command, respond)

    def _quote(self, command: dict[str, Any], respond: Respond) -> None:
        """Where a quote comes from: laid out like an answer, the best span in full."""
        with self.answering(respond):
            scope = self.scope(command["team_id"])
            view = result_view(scope.quote(command.get("text") or "", top=blocks.TOP_RESULTS))
            self.post_answer(respond, view, scope=scope, channel_id=command.get("channel_id"),
                             user_id=command.get("user_id"), heading="Quote")

    def digest(
        self, ack: Ack, command: dict[str, Any], respond: Respond, client: WebClient
    ) -> None:
        ack()
        self.later(self._digest, command, respond, client)

    def _digest(self, command: dict[str, Any], respond: Respond, client: WebClient) -> None:
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
        self.later(self._privacy, command, respond)

    def _privacy(self, command: dict[str, Any], respond: Respond) -> None:
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

    # -- buttons: ack, then the answer rebuilt from what was stored --------------------------

    def more(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
             respond: Respond) -> None:
        ack()
        self.later(self._more, body, action, respond)

    def _more(self, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        """The other results, to whoever asks for them (only they see it)."""
        with self.answering(respond):
            query_id = blocks.parse_query_value(action["value"])
            view = stored_view(self.scope(body["team"]["id"]).stored_query(query_id))
            respond(text=blocks.fallback(f"More on: {view.query}"),
                    blocks=blocks.more_blocks(view, query_id=query_id),
                    response_type="ephemeral", replace_original=False)

    def show(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
             respond: Respond) -> None:
        ack()
        self.later(self._show, body, action, respond)

    def _show(self, body: dict[str, Any], action: dict[str, Any], respond: Respond) -> None:
        with self.answering(respond):
            query_id, index = blocks.parse_show_value(action["value"])
            view = stored_view(self.scope(body["team"]["id"]).stored_query(query_id))
            if index >= len(view.cards):
                raise SeminarError("That result is no longer in the readings; ask again.")
            respond(text=blocks.fallback(view.query), blocks=blocks.result_blocks(view, index),
                    response_type="ephemeral", replace_original=False)

    def how_to_cite(self, ack: Ack, body: dict[str, Any], action: dict[str, Any],
                    respond: Respond) -> None:
        ack()
        self.later(self._how_to_cite, body, action, respond)

    def _how_to_cite(self, body: dict[str, Any], action: dict[str, Any],
                     respond: Respond) -> None:
        with self.answering(respond):
            forms = self.scope(body["team"]["id"]).how_to_cite(action["value"])
            respond(text=blocks.fallback(forms.get("apa", "How to cite")),
                    blocks=blocks.how_to_cite_blocks(forms), response_type="ephemeral",
                    replace_original=False)

    def feedback(self, helpful: bool) -> Callable[..., None]:
        def handle(ack: Ack, body: dict[str, Any], action: dict[str, Any],
                   respond: Respond) -> None:
            ack()
            self.later(self._feedback, body, action, respond, helpful)

        return handle

    def _feedback(self, body: dict[str, Any], action: dict[str, Any], respond: Respond,
                  helpful: bool) -> None:
        """The asker's verdict only: it decides whether the digest counts the question as
        answered, so a classmate's click is refused."""
        with self.answering(respond):
            query_id, asker = blocks.parse_feedback_value(action["value"])
            scope = self.scope(body["team"]["id"])
            stored = scope.stored_query(query_id)
            if body["user"]["id"] != (stored.user_id or asker):
                raise PermissionDenied(
                    "Only the person who asked can rate this answer; ask your own with /ask.")
            if not scope.record_feedback(query_id, helpful=helpful).result():
                raise SeminarError("That answer is no longer stored; ask the question again.")
            respond(text="Thanks, your feedback was recorded.", response_type="ephemeral",
                    replace_original=False)

    # -- channel logging -------------------------------------------------------------------

    def logged_channels(self, team: str) -> set[str]:
        return logged_channels(self.service, self.settings, team)

    def message(self, event: dict[str, Any], context: BoltContext) -> None:
        """Acknowledged by bolt already; classified in order on the log's own thread, and its
        writes queued for the database writer, not awaited: a locked database holds up
        neither bolt's threads nor the log's. The writer retries them while the lock lasts
        (SEMINAR_BUSY_RETRY_SECONDS); if one still fails, the catch-up fetches what it lost."""
        self.later(self.log_message, event, context.team_id or event.get("team"), context.client,
                   log=True)

    def log_message(
        self, event: dict[str, Any], team: str | None, client: WebClient | None
    ) -> None:
        if not team or event.get("channel") not in self.logged_channels(team):
            return
        change = classify(event, team)
        if isinstance(change, Store):
            msg = change.message
            if client is not None and self.staff.is_staff(client, msg.author_id):
                msg.author_role = STAFF_ROLE  # the role at log time: reported apart in digests
            if msg.parent_id is not None:
                thread_ts = msg.channel_id.rsplit(":", 1)[1]
                self._watch(self.service.record_channel(thread_info(team, msg.parent_id,
                                                                    thread_ts)))
            self._watch(self.service.record_messages([msg]))
        elif isinstance(change, Delete):
            self._watch(self.service.record_deletes([change.message_id], guild_id=team))

    def _watch(self, write: Future[Any]) -> None:
        def done(future: Future[Any]) -> None:
            error = future.exception()
            if error is None:
                return
            if isinstance(error, DatabaseUnavailable):
                log.error("could not log a Slack event (%s); the catch-up will fetch it", error)
                self.on_lost()
            else:  # a bug: logged as one
                log.error("logging a Slack event failed", exc_info=error)

        write.add_done_callback(done)


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


def one_workspace(team_id: str) -> Callable[..., BoltResponse]:
    """bolt middleware: requests from any other team are refused (a command hears why, in its
    ack), before a listener, a course or the database sees them."""

    def middleware(context: BoltContext, body: dict[str, Any],
                   next: Callable[[], BoltResponse]) -> BoltResponse:
        if context.team_id in (None, team_id):
            return next()
        log.info("refused a request from workspace %s: this app serves %s", context.team_id,
                 team_id)
        if body.get("command"):
            return BoltResponse(status=200, body={"response_type": "ephemeral",
                                                  "text": OTHER_WORKSPACE})
        return BoltResponse(status=200, body="")

    return middleware


def build_app(
    service: SeminarService,
    settings: Settings,
    client: WebClient | None = None,
    *,
    signing_secret: str | None = None,
    process_before_response: bool = False,
    team_id: str | None = None,
    on_lost: Callable[[], None] | None = None,
) -> App:
    """The bolt app. Socket Mode needs no signing secret; HTTP requests (and tests) do.
    `team_id`: the one workspace it serves (what `auth.test` says the bot token is for), with
    the default course unless a course names it; `on_lost` is called when a live event could
    not be stored (connect_slack: catch up)."""
    if client is None:
        if settings.slack_bot_token is None:
            raise SeminarError("SLACK_BOT_TOKEN is not set.")
        client = WebClient(token=settings.slack_bot_token.reveal())
    synchronous = process_before_response
    app = App(
        client=client,
        signing_secret=signing_secret or "",
        request_verification_enabled=signing_secret is not None,
        token_verification_enabled=False,
        process_before_response=process_before_response,
        listener_executor=ThreadPoolExecutor(ACK_THREADS, thread_name_prefix="slack-ack"),
    )
    if team_id is not None:
        app.use(one_workspace(team_id))
        service.serve_default([team_id])
    service.retry_events_for(settings.busy_retry_seconds)
    handlers = SlackHandlers(
        service, settings,
        work=None if synchronous else ThreadPoolExecutor(WORK_THREADS,
                                                         thread_name_prefix="slack-work"),
        log_work=None if synchronous else ThreadPoolExecutor(1, thread_name_prefix="slack-log"),
    )
    if on_lost is not None:
        handlers.on_lost = on_lost
    for name, handler in command_table(handlers).items():
        app.command(name)(handler)
    app.action(blocks.ACTION_MORE)(handlers.more)
    app.action(blocks.ACTION_SHOW)(handlers.show)
    app.action(blocks.ACTION_CITE)(handlers.how_to_cite)
    app.action(blocks.ACTION_HELPFUL)(handlers.feedback(helpful=True))
    app.action(blocks.ACTION_NOT_HELPFUL)(handlers.feedback(helpful=False))
    app.event("message")(handlers.message)
    return app


def _logged_failures(job: Callable[..., None], *args: Any) -> None:
    """A job on a pool: what escapes it is a bug, logged (a pool would swallow it)."""
    try:
        job(*args)
    except Exception:
        log.exception("slack background job %s failed", getattr(job, "__name__", job))


@dataclass(slots=True)
class SlackConnection:
    """A live Socket Mode session and the catch-up that runs after each (re)connection."""

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
    # capped at INFO unless SLACK_LOG_LEVEL says otherwise, and scrubbed at any level.
    logsafe.install(settings)
    base_url = api_url or WebClient.BASE_URL
    client = WebClient(token=settings.slack_bot_token.reveal(), base_url=base_url)
    client.retry_handlers.append(RateLimitErrorRetryHandler(max_retry_count=5))
    try:
        team_id = str(client.auth_test()["team_id"])  # the one workspace this app serves
        catch_up = CatchUp(client, service, team_id,
                           lambda: sorted(logged_channels(service, settings, team_id)))
        app = build_app(service, settings, client, team_id=team_id, on_lost=catch_up.request)
        handler = SocketModeHandler(
            app, settings.slack_app_token.reveal(), web_client=WebClient(base_url=base_url)
        )
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
