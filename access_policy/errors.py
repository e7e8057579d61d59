"""Typed errors with stable codes, raised inside and converted once at the edge."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable


@dataclass
class AccessPolicyError(Exception):
    """Base of every error this package raises on purpose; `code` is stable, `message` is for people."""

    message: str
    code: str = "access-policy-error"

    def __post_init__(self) -> None:
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass
class FieldProblem:
    """One offending input field: where it is and what is wrong with it."""

    field: str
    message: str

    def as_dict(self) -> dict[str, str]:
        """The problem as a JSON-ready mapping."""
        return {"field": self.field, "message": self.message}


# Tags pydantic puts in an error's location to say which branch of a union (or which inner
# validator) failed: library internals, not field names.
_SCHEMA_TAGS = frozenset(
    {"str", "int", "float", "bool", "bytes", "list", "dict", "tuple", "set", "none", "is-instance", "lax-or-strict",
     "json-or-python", "chain", "constrained-str", "constrained-int", "nullable", "default"}
)
_WHERE = ("body", "query", "path", "header")


def _is_tag(part: object) -> bool:
    return isinstance(part, str) and (part in _SCHEMA_TAGS or "[" in part or "(" in part)


def _field_name(location: Iterable[Any], prefix: str | None) -> str:
    # "body" and the query/path/header prefix say where, not which field: keep only the path.
    parts = [str(part) for part in location if not _is_tag(part)]
    if len(parts) > 1 and parts[0] in _WHERE:
        parts = parts[1:]
    if prefix:
        parts = [prefix, *parts]
    return ".".join(parts) or prefix or "body"


def _message(error: dict[str, Any]) -> str:
    kind = error.get("type")
    if kind == "json_invalid":
        detail = (error.get("ctx") or {}).get("error")
        return f"the body is not valid JSON ({detail})" if detail else "the body is not valid JSON"
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known field"
    # JSON has arrays, not tuples: say what the caller can send.
    return str(error.get("msg", "is not valid")).removeprefix("Value error, ").replace("a valid tuple", "a list")


def field_problems(errors: Iterable[dict[str, Any]], prefix: str | None = None) -> list[FieldProblem]:
    """Pydantic's validation errors as field problems, fields named as the caller wrote them (`applies_to.0`).

    A value that fits no branch of a union (`"all"` or a list of ids) fails once per branch: when
    one branch got further into the value, its error is the one that explains; otherwise the
    branches' messages are joined.
    """
    entries = []
    for error in errors:
        location = tuple(error.get("loc", ()))
        if error.get("type") == "json_invalid":
            location = ("body",)
        tagged = next((index for index, part in enumerate(location) if _is_tag(part)), None)
        branch = _field_name(location[:tagged], prefix) if tagged is not None else None
        entries.append((_field_name(location, prefix), branch, _message(error)))
    deeper = {branch for name, branch, _ in entries if branch is not None and name != branch}
    merged: dict[str, list[str]] = {}
    for name, branch, message in entries:
        if branch is not None and name == branch and branch in deeper:
            continue  # a union branch that failed at the top while another got further
        messages = merged.setdefault(name, [])
        if message not in messages:
            messages.append(message)
    return [FieldProblem(name, " or ".join(messages)) for name, messages in merged.items()]


@dataclass
class InvalidInputError(AccessPolicyError):
    """Input that does not describe a valid fact, id or request; lists the offending fields."""

    code: str = "invalid-input"
    problems: list[FieldProblem] = field(default_factory=list)

    @classmethod
    def for_field(cls, name: str, message: str) -> "InvalidInputError":
        """An error about a single field."""
        return cls(message=f"`{name}`: {message}", problems=[FieldProblem(name, message)])


@dataclass
class FactRefusedError(InvalidInputError):
    """A well-formed fact that cannot mean anything for this child now (its age, representation or validity); names the field."""

    code: str = "fact-refused"


@dataclass
class InvalidIdError(InvalidInputError):
    """A person or organisation number that is not valid."""

    code: str = "invalid-id"


@dataclass
class CursorPastEndError(InvalidInputError):
    """A change-feed cursor beyond the last position handed out: not a cursor this service gave."""

    code: str = "cursor-past-end"


@dataclass
class PolicyLoadError(AccessPolicyError):
    """A policy file that cannot be loaded; names the file, the line and the problem."""

    code: str = "policy-load-error"
    file: str = ""
    line: int | None = None

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        return f"{where}: {self.message}" if where else self.message


@dataclass
class StoreUnavailableError(AccessPolicyError):
    """The fact store cannot be read or written now; decisions fail closed."""

    code: str = "store-unavailable"


@dataclass
class FactNotFoundError(AccessPolicyError):
    """No fact with that id for that child."""

    code: str = "fact-not-found"


@dataclass
class IdempotencyConflictError(AccessPolicyError):
    """An idempotency key used again by the same author for a different request."""

    code: str = "idempotency-conflict"


@dataclass
class InconsistentFactsError(AccessPolicyError):
    """Stored facts of a child that no longer agree with each other (e.g. an assessment and a corrected birth date); decisions fail closed."""

    code: str = "inconsistent-facts"


@dataclass
class RevocationForbiddenError(AccessPolicyError):
    """A revocation of a fact that another organisation set, without the override scope."""

    code: str = "revocation-forbidden"


class CheckpointError(ValueError):
    """A decision-log checkpoint or key that cannot be read or does not verify; the message is one line."""

    code = "checkpoint-invalid"


class ExportError(ValueError):
    """A decision-log export that cannot be written or read; the message is one line."""

    code = "export-invalid"
