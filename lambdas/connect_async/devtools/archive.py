"""Zip files that are the same bytes on every machine: what makes an artifact's hash mean
something, so Terraform updates a function or a layer only when its content changed."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Mapping
from typing import Final

__all__ = ["reproducible_zip"]

# Zip's earliest date: no build time in the archive.
_EPOCH: Final = (1980, 1, 1, 0, 0, 0)


def reproducible_zip(entries: Mapping[str, bytes]) -> bytes:
    """Entries sorted by name, stamped 1980-01-01, mode 0644, made on "Unix", and stored
    uncompressed: deflate output differs between zlib builds (zlib-ng, for one); stored bytes
    do not."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in sorted(entries):
            info = zipfile.ZipInfo(name, date_time=_EPOCH)
            info.external_attr = 0o100644 << 16  # regular file, rw-r--r--
            info.create_system = 3  # Unix, whatever machine builds it
            archive.writestr(info, entries[name])
    return buffer.getvalue()
