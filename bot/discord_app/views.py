"""Buttons under answers. Their errors go through the same handler as commands."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import discord

from bot.core.models import Answer, CiteResult, QuoteResult
from bot.core.presentation import ResultView, passage_view, result_view
from bot.core.service import CourseScope
from bot.discord_app.errors import on_tree_error
from bot.discord_app.formatting import (
    card_embed,
    content,
    how_to_cite_text,
    nothing_embed,
    passage_embed,
    passage_file,
    passage_needs_file,
)

VIEW_TIMEOUT = 15 * 60.0


class SeminarView(discord.ui.View):
    message: discord.WebhookMessage | None = None

    async def on_timeout(self) -> None:
        """Dead buttons fail with "This interaction failed": remove them when they expire."""
        if self.message is not None:
            # Deleted meanwhile, or the token expired: then there is nothing left to tidy.
            with contextlib.suppress(discord.HTTPException):
                await self.message.edit(view=None)

    async def on_error(
        self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any], /
    ) -> None:
        await on_tree_error(interaction, error)


async def send_passage(
    interaction: discord.Interaction, scope: CourseScope, passage_id: str, *, ephemeral: bool
) -> None:
    """The passage in an embed, with the full text attached when Discord cannot show it all."""
    view = passage_view(*await asyncio.to_thread(scope.passage, passage_id))
    kwargs: dict[str, Any] = {"embed": passage_embed(view), "ephemeral": ephemeral}
    if passage_needs_file(view.passage):
        kwargs["file"] = passage_file(view)
    await interaction.followup.send(**kwargs)


class AnswerView(SeminarView):
    """Browse the results, open a passage, see how to cite it, and say whether it helped."""

    def __init__(
        self, scope: CourseScope, result: ResultView, *, query_id: int, asker_id: int
    ) -> None:
        super().__init__(timeout=VIEW_TIMEOUT)
        self.scope = scope
        self.result = result
        self.query_id = query_id
        self.asker_id = asker_id
        # -1 is the "nothing convincing" card that opens a weak answer.
        self.index = 0 if result.confident else -1
        self._sync_buttons()

    async def _by_asker(self, interaction: discord.Interaction, what: str) -> bool:
        """Paging changes the card everyone sees and feedback is the asker's verdict: theirs."""
        if interaction.user.id == self.asker_id:
            return True
        await interaction.response.send_message(
            f"Only the person who asked can {what}; ask your own question with /ask.",
            ephemeral=True,
        )
        return False

    def embed(self) -> discord.Embed:
        if self.index < 0:
            return nothing_embed(self.result)
        return card_embed(self.result, self.index)

    def _sync_buttons(self) -> None:
        low = 0 if self.result.confident else -1
        self.previous.disabled = self.index <= low
        self.next.disabled = self.index >= len(self.result.cards) - 1
        on_hit = self.index >= 0
        self.full.disabled = not on_hit
        self.cite.disabled = not on_hit

    async def _show(self, interaction: discord.Interaction) -> None:
        self._sync_buttons()
        await interaction.response.edit_message(embed=self.embed(), view=self)

    @discord.ui.button(label="Previous", style=discord.ButtonStyle.secondary, row=0)
    async def previous(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        if await self._by_asker(interaction, "page through these results"):
            self.index = max(-1 if not self.result.confident else 0, self.index - 1)
            await self._show(interaction)

    @discord.ui.button(label="Next result", style=discord.ButtonStyle.primary, row=0)
    async def next(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        if await self._by_asker(interaction, "page through these results"):
            self.index = min(len(self.result.cards) - 1, self.index + 1)
            await self._show(interaction)

    @discord.ui.button(label="Show full passage", style=discord.ButtonStyle.secondary, row=0)
    async def full(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        card = self.result.cards[max(0, self.index)]
        await send_passage(interaction, self.scope, card.passage_id, ephemeral=True)

    @discord.ui.button(label="How to cite", style=discord.ButtonStyle.secondary, row=0)
    async def cite(self, interaction: discord.Interaction, button: discord.ui.Button[Any]) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        card = self.result.cards[max(0, self.index)]
        forms = await asyncio.to_thread(self.scope.how_to_cite, card.passage_id)
        await interaction.followup.send(content(how_to_cite_text(forms)), ephemeral=True)

    @discord.ui.button(label="Helpful", style=discord.ButtonStyle.success, row=1)
    async def helpful(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await self._feedback(interaction, helpful=True)

    @discord.ui.button(label="Not helpful", style=discord.ButtonStyle.danger, row=1)
    async def not_helpful(
        self, interaction: discord.Interaction, button: discord.ui.Button[Any]
    ) -> None:
        await self._feedback(interaction, helpful=False)

    async def _feedback(self, interaction: discord.Interaction, *, helpful: bool) -> None:
        if not await self._by_asker(interaction, "rate this answer"):
            return
        await asyncio.wrap_future(self.scope.record_feedback(self.query_id, helpful=helpful))
        await interaction.response.send_message(
            "Thanks, noted: it helps the instructor see what the readings answer well."
            if helpful
            else "Thanks, noted. Try rephrasing, or pick a reading with the `reading` option.",
            ephemeral=True,
        )


async def send_answer(
    interaction: discord.Interaction,
    scope: CourseScope,
    result: Answer | CiteResult | QuoteResult,
    *,
    ephemeral: bool,
) -> None:
    """Record the question with the passages shown, then post the first card and its buttons
    (an answer, a citation or a quote: the same cards)."""
    shown = result_view(result)
    query_id = await asyncio.wrap_future(
        scope.record_query(
            kind=shown.kind,
            query=shown.query,
            results=shown.passage_ids,
            channel_id=str(interaction.channel_id) if interaction.channel_id else None,
            user_id=str(interaction.user.id),
        )
    )
    view = AnswerView(scope, shown, query_id=query_id, asker_id=interaction.user.id)
    view.message = await interaction.followup.send(
        embed=view.embed(), view=view, ephemeral=ephemeral, wait=True
    )
