"""What one intervention changed."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from twin.scenarios.modifiers import DemandModifiers


@dataclass(frozen=True)
class ChangeReport:
    """The change one intervention made.

    kind: the intervention type. counts: what changed by kind of object (``links``,
    ``buildings``, ``trips`` ...). ids: the ids of the changed, added or removed objects.
    columns: the buildings or links columns written. notes: readable lines (lengths, kept
    limits, derived attributes). demand: the demand modifiers it adds (demand interventions).

    Attributes
    ----------
    kind : str
        The intervention's ``type``.
    counts : Mapping of str to int, optional
        What changed by kind of object (``links``, ``buildings``, ``trips`` ...) [-]; read-only.
    ids : tuple of str, default ()
        The ids of the changed, added or removed objects.
    columns : tuple of str, default ()
        The buildings or links columns written.
    notes : tuple of str, default ()
        Readable lines (lengths, kept limits, derived attributes).
    demand : DemandModifiers, optional
        The demand modifiers it adds (demand interventions); none by default.
    """

    kind: str
    counts: Mapping[str, int] = field(default_factory=dict)
    ids: tuple[str, ...] = ()
    columns: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    demand: DemandModifiers = field(default_factory=DemandModifiers)

    def __post_init__(self) -> None:
        object.__setattr__(self, "counts", MappingProxyType(dict(self.counts)))

    def summary(self) -> str:
        """One line: the kind, the counts and the notes."""
        counts = ", ".join(f"{n} {what}" for what, n in self.counts.items())
        return "; ".join(part for part in (self.kind, counts, *self.notes) if part)
