"""Id links: which ids are one person, and which of them is current, as the register's links say.

The register reports a person's earlier ids (a D-number before a fødselsnummer) with a
representation. Links are person-level (`former` and `current` are the same person), so a
person's ids are the class the links join. Both backends read links with `follow`; only how
they find the links touching a set of ids differs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from access_policy.errors import InconsistentFactsError
from access_policy.facts import IdLink
from access_policy.store.inputs import fact_version

# Id changes followed from one id to the person's current id: a chain longer than this is an error in the data.
MAX_ID_HOPS = 10


class LinkRow(Protocol):
    """One stored link: its order of recording (`id`), the former id and the current one."""

    @property
    def id(self) -> Any: ...  # noqa: D102 - an int, or a row value that converts to one

    @property
    def former(self) -> str: ...  # noqa: D102

    @property
    def current(self) -> str: ...  # noqa: D102


@dataclass(frozen=True, slots=True)
class Identity:
    """One person's ids as the store knows them: the current id, every id of the class, and the links read."""

    current: str
    ids: frozenset[str]
    links: tuple[IdLink, ...]
    newest_link: int = 0

    def version(self, position: int, confirmed: Any = None) -> str:
        """The fact version with the newest id link read (see `inputs.fact_version`)."""
        return fact_version(position, confirmed, self.newest_link)

    @property
    def params(self) -> dict[str, Any]:
        """Bind parameters for the statements that read by any of the ids."""
        return {"ids": sorted(self.ids), "current": self.current}


def follow(child: str, read: Callable[[frozenset[str]], Sequence[LinkRow]]) -> Identity:
    """Follow the id links from `child`: the person's current id and all their ids.

    `read(ids)` gives, in recording order, the links touching any of the ids (and those reported
    with the representations of any of them). The current id is the one no link replaced;
    should the links disagree (two ids both still current), the latest link decides.
    """
    ids = frozenset({child})
    rows: Sequence[LinkRow] = ()
    for _ in range(MAX_ID_HOPS):
        rows = read(ids)
        grown = set(ids)
        for row in rows:
            if row.former in ids or row.current in ids:
                grown.update((row.former, row.current))
        if grown == ids:
            break
        ids = frozenset(grown)
    else:
        raise InconsistentFactsError(f"the id history of a child is longer than {MAX_ID_HOPS} links")
    own = [row for row in rows if row.former in ids]
    replaced = {row.former for row in own}
    candidates = [row.current for row in own if row.current not in replaced]
    current = candidates[-1] if candidates else (own[-1].current if own else child)
    links = tuple(dict.fromkeys(IdLink.model_construct(former=r.former, current=r.current) for r in rows))
    return Identity(current, ids, links, max((int(r.id) for r in rows), default=0))
