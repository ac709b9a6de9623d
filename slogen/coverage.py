"""What the generated proofs prove of each SLO, as data.

The proof generator decides it; the SLO documents, the run's summary, ``check
--strict`` and the API read it. It sits below the generators so that the documents
learn which proof files exist without importing the generator that writes them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Coverage:
    """One SLO's proofs: its files with the scenarios each holds, and what is not proven."""

    service: str
    slo: str
    files: tuple[tuple[str, tuple[str, ...]], ...]
    """Each proof file (its path in the output) with the scenarios it holds, by the
    scenario's short name (``page fires``), in the order promtool runs them."""
    gaps: tuple[str, ...]
    """Scenarios that could not be built, each ``not covered: <what>: <why>``."""
    unproven: str | None
    """Why the raw queries are not proven (the alerting logic after them is)."""
    alerts: bool
    """The SLO has any alert to prove."""
    proven_as: str | None = None
    """``service/slo`` of the SLO whose proof files prove this one's alerts (its rules
    are the same but for names and labels), or None where its own files do."""

    @property
    def scenarios(self) -> int:
        return sum(len(names) for _, names in self.files)

    @property
    def proven(self) -> bool:
        """Every alert of the SLO is proven from its raw series by at least one scenario;
        scenario gaps are listed but do not make an SLO unproven."""
        return not self.alerts or (self.unproven is None and self.scenarios > 0)

    def named_gaps(self) -> tuple[str, ...]:
        """The gaps as ``service/slo: not covered: what: why``, one line each."""
        return tuple(f"{self.service}/{self.slo}: {gap}" for gap in self.gaps)

    def summary(self) -> str:
        """One line for the run's summary, naming the SLO and what is unproven."""
        name = f"{self.service}/{self.slo}"
        if self.scenarios == 0:
            return f"{name}: no alert proof could be built"
        return f"{name}: proven from its 5m recordings on; its queries are not: {self.unproven}"
