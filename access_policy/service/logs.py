"""Log lines: text or JSON, each with its request id and decision id, none with a person number.

`logging_config()` is the one logging configuration of `serve` (handed to uvicorn, which applies
it in every worker). It keeps casbin's per-request lines out of the output: uvicorn's own
`dictConfig` would otherwise re-enable the loggers that the policy module silenced.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid
from dataclasses import dataclass
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID = 128
# Characters a request id may carry: enough for UUIDs, ULIDs and trace ids, nothing that could
# forge a log line or a header (no spaces, quotes, control characters).
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,%d}" % MAX_REQUEST_ID)
# Eleven digits standing alone: a fødselsnummer, D- or H-number.
_PERSON_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{11}(?![0-9A-Za-z])")
REDACTED = "[person number]"
ACCESS_LOGGER = "access_policy.access"


@dataclass(slots=True)
class RequestContext:
    """What log lines of one request share; mutable, so a worker thread can add the decision id."""

    request_id: str
    decision_id: str | None = None


_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar("request_context", default=None)


def request_id_from(header: str | None) -> str:
    """The caller's `X-Request-ID` when it is short, plain and holds no person number; else a new one."""
    # Eleven digits in a row may be a person number: such an id would reach every log line.
    if header is not None and _REQUEST_ID.fullmatch(header) and not re.search(r"[0-9]{11}", header):
        return header
    return new_request_id()


_NO_DIGITS = str.maketrans("0123456789abcdef", "abcdefghijklmnop")


def new_request_id() -> str:
    """A new request id: 128 random bits in hex written as a–p, so no run of digits in it reads as a person number."""
    return uuid.uuid4().hex.translate(_NO_DIGITS)


def begin_request(request_id: str) -> contextvars.Token:
    """Make `request_id` the current request's; return the token that `end_request` takes."""
    return _current.set(RequestContext(request_id))


def end_request(token: contextvars.Token) -> None:
    """Forget the current request."""
    _current.reset(token)


def current_request() -> RequestContext | None:
    """The request being answered, if any."""
    return _current.get()


def note_decision(decision_id: str) -> None:
    """Put the decision id on the rest of the current request's log lines (the access line included)."""
    context = _current.get()
    if context is not None:
        context.decision_id = decision_id


def redact(text: str) -> str:
    """`text` with every person number replaced."""
    return _PERSON_NUMBER.sub(REDACTED, text)


class ContextFilter(logging.Filter):
    """Adds `request_id` and `decision_id` to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        context = _current.get()
        if not hasattr(record, "request_id"):
            record.request_id = context.request_id if context else None
        if not hasattr(record, "decision_id"):
            record.decision_id = context.decision_id if context else None
        return True


class TextFormatter(logging.Formatter):
    """`time level logger message [request=… decision=…]`, person numbers redacted."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        line = super().format(record)
        ids = [f"{key}={value}" for key, value in (("request", getattr(record, "request_id", None)), ("decision", getattr(record, "decision_id", None)))
               if value]
        if ids:
            head, newline, rest = line.partition("\n")
            line = f"{head} [{' '.join(ids)}]{newline}{rest}"
        return redact(line)


class JsonFormatter(_JsonFormatter):
    """One JSON object per line: time, level, logger, message, request and decision ids, extra fields."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            timestamp=False,
        )

    def add_fields(self, log_record: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        super().add_fields(log_record, record, message_dict)
        for key in ("request_id", "decision_id"):
            if log_record.get(key) is None:
                log_record.pop(key, None)
        log_record.pop("color_message", None)  # uvicorn's copy of the message with terminal colours

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


_FORMATTERS = {"text": f"{__name__}.TextFormatter", "json": f"{__name__}.JsonFormatter"}


def logging_config(log_format: str = "text", level: str = "INFO") -> dict[str, Any]:
    """The `logging.config.dictConfig` of the service (uvicorn's `log_config`)."""
    handler = {"class": "logging.StreamHandler", "formatter": "default", "filters": ["context"], "stream": "ext://sys.stderr"}
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"context": {"()": f"{__name__}.ContextFilter"}},
        "formatters": {"default": {"()": _FORMATTERS[log_format]}},
        "handlers": {"default": handler, "null": {"class": "logging.NullHandler"}},
        "loggers": {
            "uvicorn": {"level": level, "handlers": ["default"], "propagate": False},
            "uvicorn.error": {"level": level},
            # The service writes its own access line (route template, not the raw path).
            "uvicorn.access": {"level": "CRITICAL", "handlers": ["null"], "propagate": False},
            "access_policy": {"level": level},
            "api": {"level": level},
            # casbin logs a line per evaluated request (denies as warnings) with the request's values.
            "casbin": {"level": "CRITICAL", "handlers": ["null"], "propagate": False},
        },
        "root": {"level": "WARNING", "handlers": ["default"]},
    }


def configure(log_format: str = "text", level: str = "INFO") -> None:
    """Apply `logging_config` in this process."""
    import logging.config

    logging.config.dictConfig(logging_config(log_format, level))
