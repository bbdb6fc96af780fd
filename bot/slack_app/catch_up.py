"""The core's catch-up after every Socket Mode (re)connection, one run at a time per workspace.

Slack greets every new WebSocket session, the first and each reconnect, with a `hello`; a
`CatchUp` then reads what the logged channels hold through `SlackHistory`. Where each channel
and thread resumes is kept in the database (bot.core.log.catchup), not here: events logged live
after the reconnect, a run that broke off, or a restart cannot make it skip the gap. The run
itself is on a thread of its own (never the socket's, nor bolt's listener workers), with its own
event loop for the core's async engine; requests arriving while one runs are folded into a
single follow-up run. A live event the database would not take asks for a run too (`request`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from slack_sdk import WebClient
from slack_sdk.socket_mode.builtin import SocketModeClient

from bot.slack_app.backfill import SlackHistory

if TYPE_CHECKING:
    from bot.core.service import SeminarService

log = logging.getLogger(__name__)


class CatchUp:
    """The catch-up runner of one workspace."""

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
        self._wanted = False
        self._worker: threading.Thread | None = None

    def on_hello(self) -> None:
        """A session opened: catch up in the background."""
        self.request()

    def request(self) -> None:
        with self._cond:
            self._wanted = True
            if self._worker is None:
                self._worker = threading.Thread(
                    target=self._work, name=f"slack-catch-up-{self.team_id}", daemon=True
                )
                self._worker.start()

    def wait(self, runs: int, timeout: float) -> bool:
        """Until `runs` catch-ups have finished and none is running or asked for."""
        with self._cond:
            return self._cond.wait_for(
                lambda: self.finished >= runs and self._worker is None, timeout
            )

    def _work(self) -> None:
        while True:
            with self._cond:
                if not self._wanted:
                    self._worker = None
                    self._cond.notify_all()
                    return
                self._wanted = False
            self._run()
            with self._cond:
                self.finished += 1
                self._cond.notify_all()

    def _run(self) -> None:
        try:
            source = SlackHistory(self.client, self.team_id, self.channels())
            asyncio.run(self.service.catch_up(source))
        except Exception:  # a bug: logged, and the next reconnect tries again
            log.exception("Slack catch-up of %s failed", self.team_id)


def catch_up_on_hello(socket_client: SocketModeClient, catch_up: CatchUp) -> None:
    """Run `catch_up` after every session Slack opens (its receive thread calls the listener
    before it reads the session's next frame)."""

    def listener(raw: str) -> None:
        if '"hello"' not in raw:
            return
        try:
            if json.loads(raw).get("type") == "hello":
                catch_up.on_hello()
        except Exception:  # never let the catch-up take the socket's receive loop down
            log.exception("could not start the Slack catch-up after a reconnect")

    socket_client.on_message_listeners.append(listener)
