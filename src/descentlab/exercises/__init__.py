"""Checkers for the book's coding exercises, one module per chapter.

A checker runs the reader's function on small problems whose answers are known, prints one
line per check (what passed, or what went wrong and a hint), and returns ``True`` only when
every check passed.
"""

from ._report import Report

__all__ = ["Report"]
