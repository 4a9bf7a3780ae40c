"""Errors of the local realtime server's protocol core.

``ClientError`` is what the real Realtime API answers with an ``error`` event: non-fatal, the
socket stays open (PROTOCOLS.md §D.3). The transport turns it into ``ErrorEvent``.
"""

from __future__ import annotations


class ClientError(Exception):
    """A client event the server refuses; reported to the client as an ``error`` event."""

    def __init__(self, code: str, message: str, param: str | None = None,
                 kind: str = "invalid_request_error") -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.param = param
        self.kind = kind


def unknown_parameter(param: str) -> ClientError:
    return ClientError("unknown_parameter", f"Unknown parameter: '{param}'.", param)


def invalid_type(param: str, expected: str) -> ClientError:
    return ClientError("invalid_type", f"Invalid type for '{param}': expected {expected}.", param)


def invalid_value(param: str, message: str) -> ClientError:
    return ClientError("invalid_value", message, param)
