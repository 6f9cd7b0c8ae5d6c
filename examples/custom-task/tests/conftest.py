"""The task's package is in src/ (the folder `connect-async build-layer --source` packs)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
