"""Slack surface: the same bot in a Slack workspace, over the same `SeminarService`.

Ids in the discussion log (the Slack-export importer uses exactly the same convention, so a
message imported from an export and the same message logged live are one row):

- platform   = "slack"
- guild_id   = the workspace (team) id, e.g. "T0123"; Slack and Discord courses never mix
- message id = f"{channel_id}:{ts}"  (a ts is unique only within its channel)
- channel_id = the channel ("C0123") for top-level messages, and
               f"{channel_id}:{thread_ts}" for thread replies, with parent_id = channel_id and
               reply_to = the thread parent's message id f"{channel_id}:{thread_ts}"

Modules: app (bolt listeners, `build_app`, `run_slack`), ask_text (`/ask` text and its
`reading:` filter), blocks (Block Kit within Slack's limits, escaping), events (Slack payload ->
log record), backfill (catching up after downtime), catch_up (running it after every
(re)connection), digest_command, permissions (who is an instructor). Nothing here is imported
by bot.core.
"""

from bot.slack_app.app import build_app, run_slack

__all__ = ["build_app", "run_slack"]
