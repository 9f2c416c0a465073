"""The counts of a crawl run: kept while it goes, reported when it ends."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True, slots=True)
class CrawlReport:
    """The counts of a run: printed as the summary line and stored in ``crawl_runs``."""

    discovered: int = 0
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    unchanged: int = 0
    failed: int = 0
    failed_by_kind: tuple[tuple[str, int], ...] = ()
    elapsed: float = 0.0

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def summary(self) -> str:
        kinds = ", ".join(f"{kind} {count}" for kind, count in self.failed_by_kind)
        failed = f"{self.failed} ({kinds})" if kinds else str(self.failed)
        return (
            f"discovered {self.discovered}, fetched {self.fetched}, new {self.new}, "
            f"duplicate {self.duplicate}, unchanged {self.unchanged}, failed {failed}, "
            f"elapsed {self.elapsed:.1f} s"
        )


@dataclass(slots=True)
class Tally:
    """The run's counters while it goes; frozen into a ``CrawlReport``."""

    started: float
    discovered: int = 0
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    unchanged: int = 0
    failed: Counter[str] = field(default_factory=Counter)

    def report(self, now: float) -> CrawlReport:
        return CrawlReport(
            discovered=self.discovered,
            fetched=self.fetched,
            new=self.new,
            duplicate=self.duplicate,
            unchanged=self.unchanged,
            failed=sum(self.failed.values()),
            failed_by_kind=tuple(sorted(self.failed.items())),
            elapsed=now - self.started,
        )
