"""Which verifier guards which path of the local exchange, built from the registry.

Exchanges reuse paths (``/api/v3/...`` is Binance's and MEXC's, ``/api/v5/...`` OKX's),
so a path may have several candidates: the request's key header then decides (each
scheme's :attr:`Verifier.key_header`), and without one the first registered candidate
answers, in its exchange's words.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from .._registry import SCHEMES
from ..exceptions import ConfigurationError
from ._received import Received
from ._verifier import Verifier

__all__ = ["PUBLIC", "TIME", "Route", "Routes"]

#: route kinds besides a scheme id: a time endpoint, or a path answered unchecked
TIME = "time"
PUBLIC = "public"


@dataclass(frozen=True)
class Route:
    """Where a path goes: a scheme's checks, its time endpoint, or no check at all."""

    kind: str  # "scheme", TIME or PUBLIC
    verifier: Verifier | None = None

    @property
    def name(self) -> str:
        """The scheme id, ``"time"`` or ``"public"``, as a request record shows it."""
        if self.kind == "scheme" and self.verifier is not None:
            return self.verifier.scheme
        return self.kind


def _matches(pattern: str, path: str) -> bool:
    return path == pattern or (pattern.endswith("/") and path.startswith(pattern))


class Routes:
    """The route table of one local exchange: every registered scheme's paths, plus
    the caller's ``overrides`` (path -> scheme id, ``"time"`` or ``"public"``)."""

    def __init__(self, overrides: Mapping[str, str] | None = None) -> None:
        self._table: dict[str, list[Route]] = {}
        for entry in SCHEMES:
            kit = entry.kit
            for path in kit.paths:
                self._table.setdefault(path, []).append(Route("scheme", kit))
            for path in kit.time_paths:
                self._table.setdefault(path, []).append(Route(TIME, kit))
        by_id = {entry.id: entry.kit for entry in SCHEMES}
        for path, target in (overrides or {}).items():
            if target in by_id:
                route = Route("scheme", by_id[target])
            elif target in (TIME, PUBLIC):
                route = Route(target, next(iter(by_id.values())) if target == TIME else None)
            else:
                msg = (
                    f"route {path!r} names scheme {target!r}; expected one of "
                    f"{', '.join([*by_id, TIME, PUBLIC])}."
                )
                raise ConfigurationError(msg)
            if not path.startswith("/"):
                msg = f"route {path!r} must be a path starting with '/', e.g. '/api/'."
                raise ConfigurationError(msg)
            self._table[path] = [route]

    def route(self, received: Received) -> Route | None:
        """The route for a request: its exact path, else its longest matching prefix."""
        patterns = [p for p in self._table if _matches(p, received.path)]
        if not patterns:
            return None
        candidates = self._table[max(patterns, key=len)]
        for candidate in candidates:
            if candidate.kind == "scheme" and candidate.verifier.key_of(received):  # type: ignore[union-attr]
                return candidate
        return candidates[0]

    def paths(self) -> dict[str, list[str]]:
        """Path -> the ids (or ``"time"``/``"public"``) that may answer there."""
        return {path: [r.name for r in routes] for path, routes in sorted(self._table.items())}
