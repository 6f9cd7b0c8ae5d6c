"""Adding an error code is one member of ErrorCode: the runtime README's tables must then say what
it means (this test names the table to extend), and a code they list must be a member."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from connect_async.contract import ErrorCode

pytestmark = pytest.mark.unit

README = Path(__file__).resolve().parents[2] / "lambdas" / "README.md"
# A table row whose first cell names codes: | `worker_lost` | ... or | `invalid_event`, `...` | ...
_ROW = re.compile(r"^\| ((?:`[a-z_]+`(?:, )?)+) \|", re.M)


def _documented() -> set[str]:
    text = README.read_text()
    tables = text[text.index("## Error codes") :]
    tables = tables[: tables.index("\n## ", 1)]
    lookup = text[text.index("| `config_not_found` |") - 40 : text.index("## Error codes")]
    return {code for row in _ROW.findall(tables + lookup) for code in re.findall(r"`([a-z_]+)`", row)}


def test_every_error_code_is_documented() -> None:
    missing = sorted({code.value for code in ErrorCode} - _documented())
    assert not missing, (
        f"lambdas/README.md does not say what {', '.join(missing)} means: add a row to its "
        "'Error codes' table (set by, meaning), or to the lookup's table for a lookup code"
    )


def test_the_tables_list_only_error_codes() -> None:
    unknown = sorted(_documented() - {code.value for code in ErrorCode})
    assert not unknown, f"lambdas/README.md lists {', '.join(unknown)}, which ErrorCode does not have"
