"""Exceptions of ``actors.tools``: configuration errors raised when an agent's tools are checked.

Tool *calls* never raise for a tool's failure; they return a ``ToolOutcome`` (invoker.py).
"""

from __future__ import annotations


class ToolsError(Exception):
    """Base of the errors this package raises."""


class ToolConfigError(ToolsError, ValueError):
    """An agent's tool configuration is unusable; ``tool`` names the tool, the message says why."""

    def __init__(self, tool: str, message: str, *, path: str = "$") -> None:
        super().__init__(f"tool {tool!r}: {message}" + (f" (at {path})" if path != "$" else ""))
        self.tool = tool
        self.reason = message
        self.path = path
