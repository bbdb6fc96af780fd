"""Who counts as an instructor in a Slack workspace.

Workspace admins and owners always do; so do members of the user group named by
SLACK_INSTRUCTOR_GROUP. Slack is asked each time rather than cached, so removing someone from
the group takes effect at once. If Slack cannot be asked, the answer is no: an instructor-only
export must never go out because an API call failed.
"""

from __future__ import annotations

import logging

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
