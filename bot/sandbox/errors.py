"""Errors the sandbox answers with, in the two envelopes the vendor's API is known to use."""

from __future__ import annotations

from typing import Any

# The vendor's code families (see coupontools-loyalty-api.md).
BAD_CREDENTIALS = 1000
MISSING_PARAMETER = 200
BAD_VALUE = 300
BAD_NUMBER_OR_ID = 301
VALUE_NOT_ALLOWED = 302
CARD_NOT_FOUND = 505


class SandboxError(Exception):
    """An API error: HTTP status, vendor code and a message that names the field, never its value.

    Answered in the nested envelope:
    `{"status": {"status": "failed", "errors": {"error_code": 302, "error_message": "..."}}}`.
    """

    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message

    def envelope(self) -> dict[str, Any]:
        """The JSON body sent to the client."""
        return {"status": {"status": "failed", "errors": {"error_code": self.code, "error_message": self.message}}}


class FieldProblem(Exception):
    """One invalid field; validation collects these into a ValidationFailed."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


class ValidationFailed(SandboxError):
    """422 for one or more invalid fields, answered in the variant envelope with lists:
    `{"status": "failed", "errors": {"error_message": "...", "error_message_description": [...],
    "error_code": [...]}}`.
    """

    def __init__(self, problems: list[FieldProblem]) -> None:
        super().__init__(422, problems[0].code, problems[0].message)
        self.problems = problems

    def envelope(self) -> dict[str, Any]:
        return {
            "status": "failed",
            "errors": {
                "error_message": self.message,
                "error_message_description": [problem.message for problem in self.problems],
                "error_code": [problem.code for problem in self.problems],
            },
        }


def invalid(code: int, message: str) -> ValidationFailed:
    """A ValidationFailed for a single field."""
    return ValidationFailed([FieldProblem(code, message)])


def card_not_found() -> SandboxError:
    return SandboxError(404, CARD_NOT_FOUND, "Loyalty card not found")


def member_not_found() -> SandboxError:
    return SandboxError(404, BAD_NUMBER_OR_ID, "User not found on this loyalty card")
