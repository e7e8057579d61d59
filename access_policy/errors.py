"""Typed errors with stable codes, raised inside and converted once at the edge."""

from __future__ import annotations

from dataclasses import dataclass, field


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
class InvalidIdError(InvalidInputError):
    """A person or organisation number that is not valid."""

    code: str = "invalid-id"


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
