"""Every action_id, callback_id and block_id the app uses, in one place, and the values buttons carry."""

from __future__ import annotations

import re

# Cards list: "Members" button on each card; value = the card id.
CARDS_MEMBERS = "cards.members"

# Member search pages. Slack refuses two elements with one action_id in the same actions block, so
# Previous and Next get their own ids; MEMBERS_PAGE matches both (Bolt's `app.action` takes a pattern).
# Value = PageState.encode() of the page to show.
MEMBERS_PAGE_PREVIOUS = "members.page.previous"
MEMBERS_PAGE_NEXT = "members.page.next"
MEMBERS_PAGE: re.Pattern[str] = re.compile(r"^members\.page\.(?:previous|next)$")

# One member: value = member_ref(card_id, member_id), i.e. "<card_id>:<member_id>".
MEMBER_OPEN = "member.open"
MEMBER_STAMP = "member.stamp"
MEMBER_REDEEM = "member.redeem"
MEMBER_EDIT = "member.edit"
MEMBER_VOID = "member.void"
MEMBER_DELETE = "member.delete"
MEMBER_HISTORY = "member.history"
# `/loyalty history`: "Older" on a page of a member's changes; value = HistoryPage.encode().
HISTORY_MORE = "history.more"
# `/loyalty export`: the confirmation's buttons; value = the confirmation id of the pending export.
EXPORT_RUN = "export.run"
EXPORT_CANCEL = "export.cancel"

# The lookup modal, opened by the global shortcut.
LOOKUP_SHORTCUT = "lookup_member"
LOOKUP_VIEW = "lookup"
LOOKUP_CARD_BLOCK = "lookup.card"
LOOKUP_CARD_ACTION = "lookup.card.select"
LOOKUP_QUERY_BLOCK = "lookup.query"
LOOKUP_QUERY_ACTION = "lookup.query.input"
# The modal that answers a lookup; its private_metadata is the member_ref when one member was found.
LOOKUP_RESULT_VIEW = "lookup.result"
# "Open" on one of several matches inside that modal (value = member_ref): update the modal in place.
LOOKUP_OPEN = "lookup.open"

# Guarded actions (void, delete, small targeted pushes): the confirmation's buttons; value = confirmation id.
CONFIRM_RUN = "confirm.run"
CONFIRM_CANCEL = "confirm.cancel"
# Push approvals in the approvals channel; value = approval id.
APPROVAL_APPROVE = "approval.approve"
APPROVAL_REJECT = "approval.reject"
APPROVAL_CANCEL = "approval.cancel"
APPROVAL_SEND_NOW = "approval.send_now"
SCHEDULED_CANCEL = "scheduled.cancel"
# The modal asking why a push is rejected; private_metadata = approval id.
APPROVAL_REJECT_VIEW = "approval.reject.view"
APPROVAL_REASON_BLOCK = "approval.reason"
APPROVAL_REASON_ACTION = "approval.reason.input"
# `/loyalty audit`: "More" (value = AuditPage.encode()) and "Export CSV" (same value) opening a date-range modal.
AUDIT_MORE = "audit.more"
AUDIT_EXPORT = "audit.export"
AUDIT_EXPORT_VIEW = "audit.export.view"
AUDIT_FROM_BLOCK = "audit.export.from"
AUDIT_FROM_ACTION = "audit.export.from.date"
AUDIT_TO_BLOCK = "audit.export.to"
AUDIT_TO_ACTION = "audit.export.to.date"

# "Did you mean…?" and "which card?" buttons: run the command typed, with the card chosen; value = typed_command().
COMMAND_RUN = "command.run"

# Canonical ids only (no sign, no leading zeros, at most 18 digits): exactly what member_ref writes.
_ID = r"(0|[1-9][0-9]{0,17})"
_MEMBER_REF = re.compile(f"{_ID}:{_ID}")


_TYPED_COMMAND = re.compile(f"{_ID}:([1-9]):(.+)", re.DOTALL)


def typed_command(card_id: int, count: int, text: str) -> str | None:
    """A button value meaning "run `text` with its first `count` arguments standing for this card", or None
    when the text is too long for a button."""
    value = f"{card_id}:{count}:{text}"
    return value if len(value) <= 2000 and 0 < count < 10 else None


def parse_typed_command(value: object) -> tuple[int, int, str] | None:
    """`(card_id, count, text)` from a typed_command value, or None for anything we did not produce."""
    match = _TYPED_COMMAND.fullmatch(value) if isinstance(value, str) else None
    return (int(match.group(1)), int(match.group(2)), match.group(3)) if match else None


def member_ref(card_id: int, member_id: int) -> str:
    """The value of a member's buttons: `"<card_id>:<member_id>"`."""
    return f"{card_id}:{member_id}"


def parse_member_ref(value: object) -> tuple[int, int] | None:
    """`(card_id, member_id)` from a button value, or None for anything we did not produce."""
    if not isinstance(value, str):
        return None
    match = _MEMBER_REF.fullmatch(value)
    if not match:
        return None
    return int(match.group(1)), int(match.group(2))


# --- Member changes: the add/edit form, the redeem modal (handlers/members.py, handlers/stamps.py) ---
# The add/edit form: one input block per member field, block_id = member_form_block(<API field name>),
# every input's action_id MEMBER_FORM_INPUT. private_metadata = FormState.encode() (bot/views/forms.py).
MEMBER_FORM_VIEW = "member.form"
MEMBER_FORM_INPUT = "member.form.input"
_MEMBER_FORM_BLOCK = "member.form."


def member_form_block(field: str) -> str:
    """The block_id of the form's input for a member field, e.g. `member.form.email`."""
    return _MEMBER_FORM_BLOCK + field


# The redeem modal: the member's available rewards (checkboxes, or a multi-select when there are many),
# option value = the reward id. private_metadata = member_ref(card_id, member_id).
REDEEM_VIEW = "redeem.form"
REDEEM_BLOCK = "redeem.rewards"
REDEEM_INPUT = "redeem.rewards.select"

# --- Import (handlers/imports.py, bot/views/imports.py) ---
# The form: pasted CSV or an uploaded .csv; private_metadata = import_form_state(card_id, channel_id).
IMPORT_VIEW = "import.form"
IMPORT_TEXT_BLOCK = "import.text"
IMPORT_TEXT_ACTION = "import.text.input"
IMPORT_FILE_BLOCK = "import.file"
IMPORT_FILE_ACTION = "import.file.input"
# The preview modal's buttons; value = the confirmation id of the pending import.
IMPORT_PREVIEW_VIEW = "import.preview"
IMPORT_RUN = "import.run"
IMPORT_RUN_ALL = "import.run.all"
IMPORT_CANCEL = "import.cancel"
_IMPORT_FORM_STATE = re.compile(f"{_ID}:([A-Z0-9]{{1,30}})")


def import_form_state(card_id: int, channel_id: str) -> str:
    """The import form's private_metadata: the card, and the conversation the command was typed in."""
    return f"{card_id}:{channel_id}"


def parse_import_form_state(value: object) -> tuple[int, str] | None:
    """`(card_id, channel_id)` from the import form's private_metadata, or None for anything else."""
    match = _IMPORT_FORM_STATE.fullmatch(value) if isinstance(value, str) else None
    return (int(match.group(1)), match.group(2)) if match else None
