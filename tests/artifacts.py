"""Where tests leave what a person should look at (screenshots, papers as PNG): test-artifacts/, or
$FAHUO_ARTIFACTS. The folder is kept after a run and ignored by git."""

from __future__ import annotations

import os
from pathlib import Path

ARTIFACTS = Path(os.environ.get("FAHUO_ARTIFACTS", Path(__file__).resolve().parent.parent / "test-artifacts"))


def artifact(name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / name)
