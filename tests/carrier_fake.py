"""What the local fakes of carriers' systems share: the switch of how they answer (`mode`: ok, silent — answering
nothing, so the caller times out — or a carrier's own failures), the calls counted by name, and their address."""

from __future__ import annotations

import asyncio
from collections import Counter


class CarrierFake:
    def __init__(self) -> None:
        self.mode = "ok"
        self.calls: Counter[str] = Counter()
        self.url = ""  # where it listens, once served (tests.loopback)

    async def called(self, name: str) -> None:
        """Count a call; a silent carrier then answers nothing in time."""
        self.calls[name] += 1
        if self.mode == "silent":
            await asyncio.sleep(30)
