"""Reading any submitted modal (`FormValues`), and the add/edit member form with the modals that follow it."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeGuard

from slack_sdk.models.blocks import ActionsBlock, Block, DividerBlock, InputBlock, PlainTextInputElement
from slack_sdk.models.views import View

from bot.coupontools.models import CUSTOM_FIELDS, MEMBER_FIELDS, Card, Member
from bot.members import LABELS
from bot.views import ids
from bot.views.common import (
    OPTION_TEXT,
    button,
    context,
    escape,
    inline,
    modal,
    plain,
    section,
)
from bot.views.member import member_blocks


class FormValues:
    """The one reader of a submitted modal: its private metadata and what each input holds.

    Slack's `view.state.values` maps block id -> action id -> the input's state; a block or input that is
    missing or malformed reads as empty, so no submission makes a listener raise. `phone_region` is how the
    form's phone numbers are read (`LOYALTY_PHONE_REGION`: national spellings are numbers of that country).
    """

    def __init__(self, view: Mapping[str, Any], *, phone_region: str | None = None) -> None:
        self.phone_region = phone_region
        state = view.get("state")
        values = state.get("values") if isinstance(state, dict) else None
        self._values: Mapping[str, Any] = values if isinstance(values, dict) else {}
        self.metadata = str(view.get("private_metadata") or "")

    def _input(self, block: str, action: str) -> Mapping[str, Any]:
        inputs = self._values.get(block)
        found = inputs.get(action) if isinstance(inputs, dict) else None
        return found if isinstance(found, dict) else {}

    def text(self, block: str, action: str) -> str:
        """A text input's value as typed ("" when left empty)."""
        value = self._input(block, action).get("value")
        return value if isinstance(value, str) else ""

    def selected(self, block: str, action: str) -> str:
        """The value of a select's chosen option ("" when none)."""
        option = self._input(block, action).get("selected_option")
        return str(option.get("value") or "") if isinstance(option, dict) else ""

    def selected_all(self, block: str, action: str) -> list[str]:
        """The values of a multi-select's or checkboxes' chosen options."""
        options = self._input(block, action).get("selected_options")
        return [str(option.get("value") or "") if isinstance(option, dict) else ""
                for option in (options if isinstance(options, list) else [])]

    def date(self, block: str, action: str) -> date | None:
        """A date picker's day (None when none was picked, or it is not a date)."""
        raw = self._input(block, action).get("selected_date")
        try:
            return date.fromisoformat(raw) if isinstance(raw, str) else None
        except ValueError:
            return None

    def files(self, block: str, action: str) -> list[dict[str, Any]]:
        """The files a file input holds."""
        files = self._input(block, action).get("files")
        return [file for file in files if isinstance(file, dict)] if isinstance(files, list) else []


ADD_TITLE = "Add a member"
EDIT_TITLE = "Edit member"
HINT = 2000
_FINGERPRINT = re.compile(r"[0-9a-f]{1,64}")
_CHANNEL = re.compile(r"[A-Z0-9]{1,40}")


@dataclass(frozen=True)
class FormState:
    """What the form carries in its private_metadata: where it belongs, and fingerprints of what it showed.

    `member_id` is None for a new member. `shown` maps field names to fingerprints (bot.members.fingerprint)
    of the prefilled values, never the values: the diff needs only to know whether a field changed.
    `channel_id` is where the member card is posted (ephemerally) once saved.
    """

    card_id: int
    member_id: int | None = None
    channel_id: str | None = None
    shown: Mapping[str, str] = field(default_factory=dict)
    force: bool = False
    """A new member is created even though others have their email or phone (after "Create anyway")."""

    @property
    def is_new(self) -> bool:
        return self.member_id is None

    def encode(self) -> str:
        data: dict[str, Any] = {"card": self.card_id}
        if self.member_id is not None:
            data["member"] = self.member_id
        if self.channel_id:
            data["channel"] = self.channel_id
        if self.shown:
            data["shown"] = dict(self.shown)
        if self.force:
            data["force"] = 1
        return json.dumps(data, separators=(",", ":"))

    @classmethod
    def decode(cls, text: object) -> FormState | None:
        """The state from private_metadata, or None for anything this module did not write."""
        try:
            data = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            return None
        if not isinstance(data, dict):
            return None
        card, member, channel = data.get("card"), data.get("member"), data.get("channel")
        shown = data.get("shown") or {}
        if not _is_id(card) or (member is not None and not _is_id(member)):
            return None
        if channel is not None and not (isinstance(channel, str) and _CHANNEL.fullmatch(channel)):
            return None
        if not isinstance(shown, dict) or not all(
            name in MEMBER_FIELDS and isinstance(digest, str) and _FINGERPRINT.fullmatch(digest)
            for name, digest in shown.items()
        ):
            return None
        return cls(card, member, channel, shown, force=data.get("force") == 1 and member is None)


def _is_id(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _input(name: str, value: str, problem: str | None, member: Member | None) -> InputBlock:
    held = getattr(member, name) if member is not None else None
    if not problem and held and not value:
        problem = f"Holds {len(held)} characters, too long to show here: leave it empty to keep it."
    return InputBlock(
        block_id=ids.member_form_block(name),
        label=plain(LABELS[name], OPTION_TEXT),
        element=PlainTextInputElement(action_id=ids.MEMBER_FORM_INPUT, initial_value=value or None),
        hint=plain(f"⚠️ {problem}", HINT) if problem else None,
        optional=True,
    )


def member_form_modal(
    card: Card,
    state: FormState,
    values: Mapping[str, str],
    *,
    member: Member | None = None,
    problems: Mapping[str, str] | None = None,
    warning: str | None = None,
) -> View:
    """The form, filled with `values`; `problems` (field -> words) show under their fields.

    Used to open the form (values: the member's, or none) and to show it again after the loyalty service
    refused it, with what the user typed and the service's words on the field it named (`warning` on top).
    """
    problems = problems or {}
    blocks: list[Block] = []
    if warning:
        blocks.append(section(f":warning: {escape(warning)}"))
    where = f"Card: *{inline(card.display_name, 300)}*"
    if member is not None:
        where += f" · member {member.id}"
    if state.is_new:
        blocks.append(context(where, "Fill in at least a name, an email address or a phone number."))
    else:
        blocks.append(context(where, "Only the fields you change are sent. Empty a field to remove it."))
    main = [name for name in MEMBER_FIELDS if name not in CUSTOM_FIELDS]
    blocks += [_input(name, values.get(name, ""), problems.get(name), member) for name in main]
    blocks += [DividerBlock(), section("*More fields*\nOptional; your programme decides what they hold.")]
    blocks += [_input(name, values.get(name, ""), problems.get(name), member) for name in CUSTOM_FIELDS]
    return modal(
        ADD_TITLE if state.is_new else EDIT_TITLE,
        blocks,
        callback_id=ids.MEMBER_FORM_VIEW,
        submit=("Create anyway" if state.force else "Create member") if state.is_new else "Save changes",
        close="Cancel",
        private_metadata=state.encode(),
    )


def form_values(form: FormValues) -> dict[str, str | None]:
    """The text of each field of the submitted member form (None when left empty)."""
    return {name: form.text(ids.member_form_block(name), ids.MEMBER_FORM_INPUT) or None for name in MEMBER_FIELDS}


def refused_form_modal(card: Card, state: FormState, values: Mapping[str, str], field: str | None,
                       said: str) -> View:
    """The form again after the loyalty service refused it: its words (`said`, redacted) on the field it
    named when that is one of the form's, else on top; what the user typed is kept."""
    problems = {field: f"The loyalty service says: {said}"} if field in MEMBER_FIELDS else {}
    where = "See the marked field." if problems else f"It said: {said}"
    return member_form_modal(card, state, values, problems=problems,
                             warning=f"The loyalty service refused this form, so nothing was saved. {where}")


def duplicate_form_modal(card: Card, state: FormState, values: Mapping[str, str],
                         duplicates: Sequence[tuple[Member, str]]) -> View:
    """The add form again, because members already have its email or phone (`duplicates`: member, field):
    who they are with an Open button each, and the submit button now says "Create anyway"."""
    said = "; ".join(f"{member.full_name} (id {member.id}) already has this {LABELS[name].lower()}"
                     for member, name in duplicates[:5])
    view = member_form_modal(card, replace(state, force=True), values,
                             warning=f"{said}. Nothing was created: open them, or create the new member anyway.")
    members = list({member.id: member for member, _name in duplicates}.values())
    opens = [button(f"Open {member.full_name}", ids.LOOKUP_OPEN, ids.member_ref(card.id, member.id))
             for member in members[:5]]
    view.blocks = [view.blocks[0], ActionsBlock(elements=opens), *view.blocks[1:]]
    return view


def saving_modal(state: FormState) -> View:
    """Shown while the loyalty service saves the member."""
    return modal(ADD_TITLE if state.is_new else EDIT_TITLE, [section(":hourglass_flowing_sand: Saving…")])


def no_changes_modal() -> View:
    """The edit form came back as it was shown: nothing is sent."""
    return modal(EDIT_TITLE, [section("No changes: every field is as it was, so nothing was sent.")])


def member_saved_modal(
    card: Card, member: Member, *, changed: Sequence[str] = (), now: datetime | None = None,
) -> View:
    """The member after a create (`changed` empty) or an edit (`changed`: the API names of the fields sent)."""
    name = inline(member.full_name, 300)
    if changed:
        labels = ", ".join(LABELS[field_name] for field_name in changed)
        done = f":white_check_mark: Saved *{name}*: changed {escape(labels)}."
    else:
        done = f":white_check_mark: Created *{name}*, member {member.id} of {inline(card.display_name, 300)}."
    blocks: list[Block] = [section(done), *member_blocks(card, member, now=now, actions=False)]
    return modal(EDIT_TITLE if changed else ADD_TITLE, blocks)
