"""Backfill after every Socket Mode (re)connection, one run at a time per workspace.

Slack greets every new WebSocket session, the first and each reconnect, with a `hello`. The
socket client calls its `on_message_listeners` on its receive thread before it reads the next
frame, so at that moment no event of the new session has been stored yet: the log watermark
taken there marks "what was logged before the gap". The backfill itself runs on a thread of its
own, never on the socket's threads or bolt's listener workers, and requests arriving while one
runs are folded into a single follow-up run that resumes from the oldest watermark asked for.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient

from bot.slack_app.backfill import BackfillReport, backfill

if TYPE_CHECKING:
    from bot.core.service import SeminarService

log = logging.getLogger(__name__)


class CatchUp:
    """The backfill runner of one workspace."""

    def __init__(
        self,
        client: WebClient,
        service: SeminarService,
        team_id: str,
        channels: Callable[[], list[str]],
    ) -> None:
        self.client = client
        self.service = service
        self.team_id = team_id
        self.channels = channels  # asked at each run: instructors can turn logging on meanwhile
        self.finished = 0
        self._cond = threading.Condition()
        self._wanted: int | None = None  # watermark of the gap still to fill
        self._carry: int | None = None  # watermark of a run that broke off
        self._worker: threading.Thread | None = None

    def on_hello(self) -> None:
        """A session opened: note the watermark now, catch up in the background."""
        self.request(self.service.log_watermark())

    def request(self, watermark: int) -> None:
        with self._cond:
            for older in (self._wanted, self._carry):
                if older is not None:
                    watermark = min(watermark, older)
            self._wanted, self._carry = watermark, None
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name=f"slack-backfill-{self.team_id}", daemon=True
                )
                self._worker.start()

    def wait(self, runs: int, timeout: float) -> bool:
        """Until `runs` backfills have finished and none is running or asked for."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self.finished >= runs and self._worker is None, timeout
            )

    def _work(self) -> None:
        while True:
            with self._cond:
                watermark = self._wanted
                if watermark is None:
                    self._worker = None
                    self._cond.notify_all()
                    return
                self._wanted = None
            complete = self._run(watermark)
            with self._cond:
                if not complete and self._wanted is not None:
                    self._wanted = min(self._wanted, watermark)
                elif not complete:
                    self._carry = watermark if self._carry is None else min(self._carry, watermark)
                self.finished += 1
                self._cond.notify_all()

    def _run(self, watermark: int) -> bool:
        """False if the run broke off: the next reconnect resumes from its watermark too."""
        try:
            report = backfill(self.client, self.service, self.team_id, self.channels(),
                              stored_upto=watermark)
        except Exception:
            log.exception("Slack backfill of %s broke off; the next reconnect retries",
                          self.team_id)
            return False
        _log_report(report)
        return True


def _log_report(report: BackfillReport) -> None:
    log.info(
        "Slack backfill: %d messages, %d threads, %d found deleted in %d channels%s",
        report.messages, report.threads, report.deleted, report.channels,
        f"; failed: {', '.join(report.failed)}" if report.failed else "",
    )


def catch_up_on_hello(socket_client: SocketModeClient, catch_up: CatchUp) -> None:
    """Run `catch_up` after every session Slack opens (see the module docstring for why this
    listener, and not a request or message listener)."""

    def listener(raw: str) -> None:
        if '"hello"' not in raw:
            return
        try:
            if json.loads(raw).get("type") == "hello":
                catch_up.on_hello()
        except Exception:  # never let the catch-up take the socket's receive loop down
            log.exception("could not start the Slack backfill after a reconnect")

    socket_client.on_message_listeners.append(listener)
