"""Top-level blocks of a Terraform file, as text: enough to copy variable declarations between files.

Terraform's own formatting is assumed (``terraform fmt``): a block opens on a line of its own at
column 0 and closes with "}" at column 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

__all__ = ["strip_validations", "variable_blocks"]

_OPEN = re.compile(r'^variable "([A-Za-z0-9_]+)" \{$')


def variable_blocks(text: str) -> Iterator[tuple[str, str]]:
    """(name, block text) of each ``variable`` block, in file order."""
    lines = text.splitlines()
    index = 0
    while index < len(lines):
        match = _OPEN.match(lines[index])
        if not match:
            index += 1
            continue
        end = lines.index("}", index)
        yield match.group(1), "\n".join(lines[index : end + 1])
        index = end + 1


def strip_validations(block: str) -> str:
    """The block without its ``validation`` blocks (and the blank lines before them)."""
    kept: list[str] = []
    skipping = False
    for line in block.splitlines():
        if line == "  validation {":
            skipping = True
            while kept and not kept[-1].strip():
                kept.pop()
            continue
        if skipping:
            skipping = line != "  }"
            continue
        kept.append(line)
    return "\n".join(kept)
