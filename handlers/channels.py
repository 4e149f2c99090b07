"""A channel's default card: `use`, `use <card>`, `use --clear`."""

from __future__ import annotations

from bot.access import Role
from bot.commands import Use
from bot.errors import UserError
from bot.interaction import Interaction
from bot.services import Services
from bot.views.cards import NO_CHANNEL, default_card_notice, default_cleared_notice
from handlers.base import Listener


def use_card(services: Services, interaction: Interaction, command: Use) -> None:
    """Show, set or clear the default card of the channel the command was typed in."""
    channel = interaction.channel_id
    if not channel:
        raise UserError(NO_CHANNEL)
    defaults = services.store.defaults
    if command.clear:
        interaction.reply(default_cleared_notice(defaults.clear(channel)))
    elif command.card is None:
        current = defaults.get(channel)
        interaction.reply(default_card_notice(current[1] if current else None))
    else:
        card = services.lookup.card(command.card)
        defaults.set(channel, card.id, card.display_name, by=interaction.user_id)
        interaction.reply(default_card_notice(card.display_name, changed=True))


LISTENERS = [
    Listener("subcommand", "use", Role.OPERATOR, use_card),
]
