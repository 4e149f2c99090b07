"""Changing cards: `copy`."""

from __future__ import annotations

from bot.access import Role
from bot.commands import Copy
from bot.interaction import Interaction
from bot.services import Services
from bot.views.changes import copy_result_message, default_copy_name
from handlers.base import Listener


def copy_card(services: Services, interaction: Interaction, command: Copy) -> None:
    """Copy the card under the given name (the parser checked its length) or "Copy of <name>"."""
    card = services.lookup.card(command.card)
    name = command.new_name or default_copy_name(card)
    copied = services.changes.perform(
        interaction, "card.copy", lambda: services.loyalty.copy_card(card.id, name),
        card_id=card.id, params={"new_name": name})
    # The cached card list no longer holds every card: the next command must see the copy.
    services.lookup.forget_cards()
    interaction.reply(copy_result_message(card, copied))


LISTENERS = [
    Listener("subcommand", "copy", Role.OPERATOR, copy_card),
]
