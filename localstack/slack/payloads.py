"""The pieces of Slack's interaction payloads: actions, `state.values`, and finding what was clicked."""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from localstack.slack.elements import (
    MULTI_VALUE_ELEMENTS,
    Control,
    controls,
    element_options,
    input_blocks,
    text_of,
)

TEXT_INPUTS = frozenset({"plain_text_input", "email_text_input", "url_text_input", "number_input"})
SINGLE_OPTION = frozenset({"static_select", "radio_buttons", "external_select", "overflow"})
# For pickers of people, conversations, dates: (state key, initial key) as Slack names them.
PICKERS: dict[str, tuple[str, str]] = {
    "users_select": ("selected_user", "initial_user"),
    "multi_users_select": ("selected_users", "initial_users"),
    "conversations_select": ("selected_conversation", "initial_conversation"),
    "multi_conversations_select": ("selected_conversations", "initial_conversations"),
    "channels_select": ("selected_channel", "initial_channel"),
    "multi_channels_select": ("selected_channels", "initial_channels"),
    "datepicker": ("selected_date", "initial_date"),
    "timepicker": ("selected_time", "initial_time"),
    "datetimepicker": ("selected_date_time", "initial_date_time"),
}
UNSET: Any = object()
"""Marks an input the person left untouched: its initial value (if any) is sent."""

FileResolver = Callable[[Any], dict[str, Any]]


def find_control(blocks: list[dict[str, Any]], *, action_id: str | None = None, text: str | None = None,
                 value: str | None = None, block_id: str | None = None) -> Control:
    """The one control matching every criterion given; a clear LookupError listing the choices otherwise."""
    found = [
        c for c in controls(blocks)
        if (action_id is None or c.action_id == action_id) and (block_id is None or c.block_id == block_id)
        and (text is None or c.label == text) and (value is None or c.value == value)
    ]
    if text is None and value is None and found:
        # an action_id alone names a whole menu; its first choice stands for "the element"
        found = [c for c in found if c.option is None or c.option is element_options(c.element)[0]]
    if len(found) == 1:
        return found[0]
    choices = ", ".join(f"{c.label!r} ({c.action_id})" for c in controls(blocks)) or "nothing clickable"
    wanted = {"action_id": action_id, "text": text, "value": value, "block_id": block_id}
    criteria = ", ".join(f"{k}={v!r}" for k, v in wanted.items() if v is not None)
    problem = "several controls match" if found else "no control matches"
    raise LookupError(f"{problem} {criteria}; the blocks offer: {choices}")


def pick_option(element: dict[str, Any], given: Any) -> dict[str, Any]:
    """The element's option whose value or text is `given` (or `given` itself when it is an option)."""
    if isinstance(given, dict):
        return copy.deepcopy(given)
    for option in element_options(element):
        if str(given) in (option.get("value"), text_of(option.get("text"))):
            return copy.deepcopy(option)
    offered = [text_of(o.get("text")) for o in element_options(element)]
    raise ValueError(f"{given!r} is not an option of {element.get('action_id')!r}; it offers {offered}")


def _as_list(given: Any) -> list[Any]:
    return list(given) if isinstance(given, list | tuple | set) else [given]


def element_state(element: dict[str, Any], given: Any = UNSET, *, files: FileResolver | None = None) -> dict:
    """The `state.values` entry Slack sends for an element, after the person entered `given`."""
    kind = str(element.get("type"))
    state: dict[str, Any] = {"type": kind}
    if kind in TEXT_INPUTS:
        value = element.get("initial_value") if given is UNSET else given
        state["value"] = None if value in (None, "") else str(value)
    elif kind in SINGLE_OPTION:
        state["selected_option"] = (
            copy.deepcopy(element.get("initial_option")) if given is UNSET
            else None if given is None else pick_option(element, given)
        )
    elif kind in ("multi_static_select", "checkboxes", "multi_external_select"):
        state["selected_options"] = (
            copy.deepcopy(element.get("initial_options") or []) if given is UNSET
            else [pick_option(element, g) for g in _as_list(given) if g is not None]
        )
    elif kind in PICKERS:
        key, initial = PICKERS[kind]
        value = element.get(initial) if given is UNSET else given
        if kind in MULTI_VALUE_ELEMENTS:
            value = [] if value is None else _as_list(value)
        state[key] = value
    elif kind == "file_input":
        if given is not UNSET and files is None:
            raise ValueError("a file_input needs a way to resolve files")
        state["files"] = [] if given in (UNSET, None) else [files(f) for f in _as_list(given)]  # type: ignore[misc]
    elif kind == "rich_text_input":
        words = "" if given is UNSET else str(given)
        section = {"type": "rich_text_section", "elements": [{"type": "text", "text": words}] if words else []}
        state["rich_text_value"] = {"type": "rich_text", "elements": [section]}
    else:
        state["value"] = None if given is UNSET else given
    return state


def is_empty(state: dict[str, Any]) -> bool:
    """Whether a state entry carries nothing, which Slack refuses for a required input."""
    values = [v for k, v in state.items() if k != "type"]
    if state.get("type") == "rich_text_input":
        return not any(s.get("elements") for s in state["rich_text_value"]["elements"])
    return all(v in (None, "", []) for v in values)


def _input_key(block: dict[str, Any], key: str) -> bool:
    element = block["element"]
    return key in (f"{block.get('block_id')}/{element.get('action_id')}", block.get("block_id"),
                   text_of(block.get("label")))


def submission_values(blocks: list[dict[str, Any]], values: dict[str, Any], current: dict[str, Any],
                      *, files: FileResolver | None = None) -> dict[str, dict[str, Any]]:
    """`view.state.values` for a submission: every input block, typed per element.

    `values` are keyed by `block_id/action_id`, `block_id` or the input's label; untouched inputs keep
    what the person entered before (`current`) or their initial value. Raises ValueError for an unknown
    key or an empty required input, which Slack's client would not submit.
    """
    inputs = input_blocks(blocks)
    unknown = [key for key in values if not any(_input_key(b, key) for b in inputs)]
    if unknown:
        offered = [f"{text_of(b.get('label'))!r} ({b.get('block_id')})" for b in inputs]
        raise ValueError(f"no input is named {unknown}; the view has {offered}")
    state: dict[str, dict[str, Any]] = {}
    for block in inputs:
        block_id, element = str(block.get("block_id")), block["element"]
        action_id = str(element.get("action_id"))
        given = next((v for k, v in values.items() if _input_key(block, k)), UNSET)
        if given is UNSET and action_id in current.get(block_id, {}):
            entry = copy.deepcopy(current[block_id][action_id])
        else:
            entry = element_state(element, given, files=files)
        if not block.get("optional") and is_empty(entry):
            raise ValueError(f"{text_of(block.get('label'))!r} is required: Slack would not submit the form")
        state[block_id] = {action_id: entry}
    return state


def action_payload(control: Control, chosen: Any = UNSET) -> dict[str, Any]:
    """The `actions[0]` object of a block_actions payload for operating `control`."""
    element, kind = control.element, control.kind
    action: dict[str, Any] = {"type": kind, "action_id": control.action_id, "block_id": control.block_id,
                              "action_ts": f"{time.time():.6f}"}
    if kind == "button":
        action["text"] = copy.deepcopy(element.get("text"))
        for key in ("value", "style", "url"):
            if key in element:
                action[key] = element[key]
        return action
    if control.option is not None and chosen is UNSET:
        chosen = [control.option] if kind in MULTI_VALUE_ELEMENTS else control.option
    state = element_state(element, chosen)
    state.pop("type")
    action.update(state)
    if "placeholder" in element:
        action["placeholder"] = copy.deepcopy(element["placeholder"])
    return action
