"""A tiny collector of pass/fail lines for exercise checkers."""

from __future__ import annotations


class Report:
    """Collects check results; ``ok`` is True when every check passed."""

    def __init__(self, title: str, verbose: bool = True):
        self.title, self.verbose, self.failures, self.lines = title, verbose, 0, []

    def check(self, passed: bool, what: str, hint: str = "") -> bool:
        """Record one check; print it when verbose."""
        line = (
            f"  [ok]   {what}" if passed else f"  [FAIL] {what}" + (f" -- {hint}" if hint else "")
        )
        self.failures += not passed
        self.lines.append(line)
        return passed

    def finish(self) -> bool:
        """Print the summary (when verbose) and return whether everything passed."""
        if self.verbose:
            verdict = "all checks passed" if self.failures == 0 else f"{self.failures} failed"
            print(f"{self.title}: {verdict}")
            print("\n".join(self.lines))
        return self.failures == 0
