"""Errors of the governance service around the rules, and how any governance error crosses Ray.

The rules' own errors live in ``governance.policy``; these add what only the service can tell
(unknown records, a version still taking traffic, the actor being unreachable). All share
``GovernanceError`` and its stable ``code``, which the gateway maps to problem+json.
"""

from __future__ import annotations

from typing import Any

from governance.policy import GovernanceError


class NotFound(GovernanceError):
    code = "not_found"


class VersionNotFound(NotFound):
    code = "version_not_found"


class RouteNotFound(NotFound):
    code = "route_not_found"


class PolicyNotFound(NotFound):
    code = "rollout_policy_not_found"


class VersionInUse(GovernanceError):
    """The version still answers calls on a route (as its stable or canary version)."""

    code = "version_in_use"


class InvalidRecord(GovernanceError):
    """A change would produce a record that fails validation."""

    code = "invalid_record"


class GovernanceUnavailable(GovernanceError):
    """The governance actor could not be reached (even after recreating it)."""

    code = "governance_unavailable"


def _error_classes(root: type[GovernanceError] = GovernanceError) -> dict[str, type[GovernanceError]]:
    found = {root.__name__: root}
    for sub in root.__subclasses__():
        found.update(_error_classes(sub))
    return found


class CarriedError(Exception):
    """A ``GovernanceError`` packed for the trip through Ray.

    Ray pickles exceptions by their ``args``, and errors whose ``__init__`` takes other arguments
    than their message (``IllegalTransition``, ``ChecklistIncomplete``) arrive unreadable; this
    carries the class name, message and attributes instead, and ``restore`` rebuilds the original.
    """

    def __init__(self, error_type: str, message: str, attributes: dict[str, Any]) -> None:
        super().__init__(error_type, message, attributes)
        self.error_type, self.message, self.attributes = error_type, message, attributes

    @classmethod
    def of(cls, exc: GovernanceError) -> CarriedError:
        return cls(type(exc).__name__, str(exc), dict(vars(exc)))

    def restore(self) -> GovernanceError:
        kind = _error_classes().get(self.error_type, GovernanceError)
        exc = kind.__new__(kind)
        Exception.__init__(exc, self.message)
        vars(exc).update(self.attributes)
        return exc
