"""Who counts as an instructor in a Slack workspace.

Workspace admins and owners always do; so do members of the user group named by
SLACK_INSTRUCTOR_GROUP. Slack is asked each time rather than cached, so removing someone from
the group takes effect at once. If Slack cannot be asked, the answer is no: an instructor-only
export must never go out because an API call failed.
"""

from __future__ import annotations

import logging
import threading
import time

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

log = logging.getLogger(__name__)


def is_instructor(client: WebClient, user_id: str, group_id: str | None) -> bool:
    try:
        user = client.users_info(user=user_id)["user"] or {}
        if user.get("is_admin") or user.get("is_owner") or user.get("is_primary_owner"):
            return True
        if not group_id:
            return False
        members = client.usergroups_users_list(usergroup=group_id)["users"] or []
    except SlackApiError as exc:
        log.warning("could not check instructor rights of %s: %s", user_id, exc.response.get("error"))
        return False
    return user_id in members


class StaffDirectory:
    """Who is staff when a message is logged: SEMINAR_STAFF ids and the members of
    SLACK_INSTRUCTOR_GROUP, the group asked at most every `ttl` seconds (logging must not call
    Slack per message). If Slack cannot be asked, the last answer stands."""

    def __init__(self, group_id: str | None, configured: tuple[str, ...] = (),
                 ttl: float = 600.0) -> None:
        self.group_id = group_id
        self.configured = frozenset(configured)
        self.ttl = ttl
        self._members: frozenset[str] = frozenset()
        self._asked = float("-inf")
        self._lock = threading.Lock()

    def is_staff(self, client: WebClient | None, user_id: str) -> bool:
        if user_id in self.configured:
            return True
        if not self.group_id or client is None:
            return False
        with self._lock:
            if time.monotonic() - self._asked >= self.ttl:
                self._asked = time.monotonic()
                try:
                    users = client.usergroups_users_list(usergroup=self.group_id)["users"] or []
                    self._members = frozenset(str(u) for u in users)
                except SlackApiError as exc:
                    log.warning("could not list the instructor group: %s",
                                exc.response.get("error"))
            return user_id in self._members
