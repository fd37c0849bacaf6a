"""Code 128, the barcode carriers print waybill numbers in: the bars as data, for any renderer to draw.

reportlab works out the symbol (start code, code sets, check digit); this module only reads its bars back, so
a PNG label, an SVG in a web page and (later) a thermal printer's commands draw the same bars."""

from __future__ import annotations

from reportlab.graphics.barcode.code128 import Code128

QUIET = 10  # modules of white either side, which scanners need to find the symbol's ends


def code128_bars(text: str) -> tuple[list[tuple[int, int]], int]:
    """The black bars of `text` as (start, width) in modules, and the symbol's whole width with quiet zones.

    reportlab spells a symbol as letters: upper case a bar, lower case a space, a–d one to four modules."""
    symbol = Code128(text)
    symbol.validate()
    symbol.encode()
    symbol.decompose()
    bars: list[tuple[int, int]] = []
    x = QUIET
    for letter in symbol.decomposed:
        width = "abcd".index(letter.lower()) + 1
        if letter.isupper():
            bars.append((x, width))
        x += width
    return bars, x + QUIET


def code128_svg(text: str, height: int = 50) -> str:
    """An SVG of the barcode, `height` modules tall, that scales to the width it is given."""
    bars, width = code128_bars(text)
    rects = "".join(f'<rect x="{x}" y="0" width="{w}" height="{height}"/>' for x, w in bars)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" preserveAspectRatio="none" '
            f'shape-rendering="crispEdges"><rect width="{width}" height="{height}" fill="#fff"/>'
            f'<g fill="#000">{rects}</g></svg>')
