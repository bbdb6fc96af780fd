"""Buttons under answers and under the opt-out prompt: persistent, so they outlive the process.

A button's custom id carries everything it acts on (`sb:ans:next:42:1:7000…`: the action, the
stored question's id, the card it leads to, who asked), and one `DynamicItem` class per kind of
button, registered with `add_dynamic_items` at start-up, handles every such id. Nothing is kept
in memory: an answer's page is rebuilt from what the database stored about it
(`CourseScope.stored_query`), so a click after a restart, or a day later, works, and there is no
timeout to expire. The views sent are stopped before they go out, so discord.py does not also
file them under a message (whose timeout would unregister the dynamic items).

Every button acknowledges first (a defer, or an immediate refusal) and only then reads or
writes the database: a busy writer cannot push a click past Discord's 3 seconds. Paging and
rating are the asker's (paging edits the card everyone sees; the rating is the asker's
verdict), so a classmate gets a clear private refusal; anyone may open the full passage or see
how to cite it. Errors go through the command tree's handler.
"""

from __future__ import annotations

import asyncio
from typing import Any, cast

import discord

from bot.core.models import Answer, CiteResult, QuoteResult
from bot.core.presentation import ResultView, passage_view, result_view, shown_record, stored_view
from bot.core.service import CourseScope, SeminarService
from bot.discord_app.errors import answered, on_tree_error
from bot.discord_app.formatting import (
    card_embed,
    content,
    how_to_cite_text,
    nothing_embed,
    passage_embed,
    passage_file,
    passage_needs_file,
)

Button = discord.ui.Button[discord.ui.View]
ANSWER_TEMPLATE = (
    r"sb:ans:(?P<action>prev|next|full|cite|up|down):(?P<query>\d+):(?P<index>-1|\d+):"
    r"(?P<asker>\d+)"
)
# action -> (label, style, row)
ANSWER_BUTTONS: dict[str, tuple[str, discord.ButtonStyle, int]] = {
    "prev": ("Previous", discord.ButtonStyle.secondary, 0),
    "next": ("Next result", discord.ButtonStyle.primary, 0),
    "full": ("Show full passage", discord.ButtonStyle.secondary, 0),
    "cite": ("How to cite", discord.ButtonStyle.secondary, 0),
    "up": ("Helpful", discord.ButtonStyle.success, 1),
    "down": ("Not helpful", discord.ButtonStyle.danger, 1),
}
ERASE_TEMPLATE = r"sb:privacy:(?P<choice>erase|keep):(?P<guild>\d+):(?P<user>\d+)"
ERASE_BUTTONS: dict[str, tuple[str, discord.ButtonStyle]] = {
    "erase": ("Erase what was stored", discord.ButtonStyle.danger),
    "keep": ("Keep it", discord.ButtonStyle.secondary),
}


def _service(interaction: discord.Interaction) -> SeminarService:
    return cast(SeminarService, interaction.client.service)  # type: ignore[attr-defined]


def _scope(interaction: discord.Interaction) -> CourseScope:
    return cast(CourseScope, interaction.client.scope_for(interaction.guild_id))  # type: ignore[attr-defined]


def stopped(view: discord.ui.View) -> discord.ui.View:
    """A view that discord.py only renders: its dynamic items are what answers its clicks."""
    view.stop()
    return view


# -- answers -------------------------------------------------------------------------------


def first_index(result: ResultView) -> int:
    """The card an answer opens on: -1 is the "nothing convincing" card of a weak answer."""
    return 0 if result.confident else -1


def answer_embed(result: ResultView, index: int) -> discord.Embed:
    return nothing_embed(result) if index < 0 else card_embed(result, index)


def answer_buttons(result: ResultView, *, query_id: int, asker_id: int, index: int) -> discord.ui.View:
    """The buttons under card `index` of a stored answer."""
    low = first_index(result)
    last = len(result.cards) - 1
    targets = {"prev": index - 1, "next": index + 1}
    disabled = {"prev": index <= low, "next": index >= last, "full": index < 0, "cite": index < 0}
    view = discord.ui.View(timeout=None)
    for action in ANSWER_BUTTONS:
        target = targets.get(action, index)
        view.add_item(AnswerButton(action, query_id, max(-1, min(target, last)), asker_id,
                                   disabled=disabled.get(action, False)))
    return stopped(view)


class AnswerButton(discord.ui.DynamicItem[Button], template=ANSWER_TEMPLATE):
    """Every button under an answer, whichever process sent it."""

    def __init__(self, action: str, query_id: int, index: int, asker_id: int, *,
                 disabled: bool = False) -> None:
        label, style, row = ANSWER_BUTTONS[action]
        super().__init__(discord.ui.Button(
            label=label, style=style, row=row, disabled=disabled,
            custom_id=f"sb:ans:{action}:{query_id}:{index}:{asker_id}",
        ))
        self.action = action
        self.query_id = query_id
        self.index = index
        self.asker_id = asker_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> AnswerButton:
        return cls(match["action"], int(match["query"]), int(match["index"]),
                   int(match["asker"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            if self.action in ("prev", "next"):
                await self._page(interaction)
            elif self.action in ("up", "down"):
                await self._rate(interaction, helpful=self.action == "up")
            else:
                await self._open(interaction)
        except Exception as exc:  # the tree's handler: mistakes explained, bugs referenced
            await on_tree_error(interaction, exc)

    async def _by_asker(self, interaction: discord.Interaction, what: str) -> bool:
        if interaction.user.id == self.asker_id:
            return True
        await interaction.response.send_message(
            f"Only the person who asked can {what}; ask your own question with /ask.",
            ephemeral=True,
        )
        return False

    async def _stored(self, interaction: discord.Interaction) -> ResultView:
        scope = _scope(interaction)
        return stored_view(await asyncio.to_thread(scope.stored_query, self.query_id))

    async def _page(self, interaction: discord.Interaction) -> None:
        if not await self._by_asker(interaction, "page through these results"):
            return
        await interaction.response.defer()  # acknowledged; the page is read from the database
        result = await self._stored(interaction)
        index = max(first_index(result), min(self.index, len(result.cards) - 1))
        await interaction.edit_original_response(
            embed=answer_embed(result, index),
            view=answer_buttons(result, query_id=self.query_id, asker_id=self.asker_id,
                                index=index),
        )

    async def _open(self, interaction: discord.Interaction) -> None:
        """The full passage, or how to cite it, to whoever asks for it."""
        await interaction.response.defer(ephemeral=True, thinking=True)
        scope = _scope(interaction)
        result = await self._stored(interaction)
        card = result.cards[max(0, min(self.index, len(result.cards) - 1))]
        if self.action == "full":
            await send_passage(interaction, scope, card.passage_id, ephemeral=True)
        else:
            forms = await asyncio.to_thread(scope.how_to_cite, card.passage_id)
            await interaction.followup.send(content(how_to_cite_text(forms)), ephemeral=True)

    async def _rate(self, interaction: discord.Interaction, *, helpful: bool) -> None:
        if not await self._by_asker(interaction, "rate this answer"):
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        known = await asyncio.wrap_future(
            _scope(interaction).record_feedback(self.query_id, helpful=helpful))
        await interaction.followup.send(
            ("Thanks, noted: it helps the instructor see what the readings answer well."
             if helpful
             else "Thanks, noted. Try rephrasing, or pick a reading with the `reading` option.")
            if known else "That answer is no longer stored; ask the question again.",
            ephemeral=True,
        )


async def send_passage(
    interaction: discord.Interaction, scope: CourseScope, passage_id: str, *, ephemeral: bool
) -> None:
    """The passage in an embed, with the full text attached when Discord cannot show it all."""
    view = passage_view(*await asyncio.to_thread(scope.passage, passage_id))
    kwargs: dict[str, Any] = {"embed": passage_embed(view), "ephemeral": ephemeral}
    if passage_needs_file(view.passage):
        kwargs["file"] = passage_file(view)
    await interaction.followup.send(**kwargs)
    answered(interaction)


async def send_answer(
    interaction: discord.Interaction,
    scope: CourseScope,
    result: Answer | CiteResult | QuoteResult,
    *,
    ephemeral: bool,
) -> None:
    """Record the question with what its answer shows, then post the first card and its
    buttons (an answer, a citation or a quote: the same cards)."""
    shown = result_view(result)
    query_id = await asyncio.wrap_future(
        scope.record_query(
            kind=shown.kind,
            query=shown.query,
            results=shown.passage_ids,
            channel_id=str(interaction.channel_id) if interaction.channel_id else None,
            user_id=str(interaction.user.id),
            confident=shown.confident,
            shown=shown_record(shown),
        )
    )
    index = first_index(shown)
    await interaction.followup.send(
        embed=answer_embed(shown, index),
        view=answer_buttons(shown, query_id=query_id, asker_id=interaction.user.id, index=index),
        ephemeral=ephemeral,
    )
    answered(interaction)


# -- the opt-out prompt --------------------------------------------------------------------


def erase_prompt(guild_id: int, user_id: int) -> discord.ui.View:
    """Offered after an opt-out: erase what was stored before, or keep it."""
    view = discord.ui.View(timeout=None)
    for choice in ERASE_BUTTONS:
        view.add_item(ErasePrompt(choice, guild_id, user_id))
    return stopped(view)


class ErasePrompt(discord.ui.DynamicItem[Button], template=ERASE_TEMPLATE):
    """"Erase what was stored" / "Keep it": only the student who opted out may choose."""

    def __init__(self, choice: str, guild_id: int, user_id: int) -> None:
        label, style = ERASE_BUTTONS[choice]
        super().__init__(discord.ui.Button(
            label=label, style=style, custom_id=f"sb:privacy:{choice}:{guild_id}:{user_id}"))
        self.choice = choice
        self.guild_id = guild_id
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: Any, /
    ) -> ErasePrompt:
        return cls(match["choice"], int(match["guild"]), int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self._choose(interaction)
        except Exception as exc:
            await on_tree_error(interaction, exc)

    async def _choose(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.user_id:
            await interaction.response.send_message(
                "Only the student who opted out can erase or keep their stored messages; "
                "`/privacy optout` offers you the same for yours.",
                ephemeral=True,
            )
            return
        if self.choice == "keep":
            await interaction.response.edit_message(
                content="Kept what was stored before. New messages will not be stored.",
                view=None,
            )
            return
        await interaction.response.defer()  # acknowledged: erasing may take a while
        removed = await asyncio.wrap_future(
            _service(interaction).erase_user(str(self.user_id), str(self.guild_id)))
        await interaction.edit_original_response(
            content=f"Done: erased {removed} of your messages and your questions to the bot "
            "from this server's log.",
            view=None,
        )


DYNAMIC_ITEMS = (AnswerButton, ErasePrompt)
