"""The figures managers see as pictures: orders in and out per day (the daily report), and the best sellers as
bars (/report). Drawn in the papers' font, so Chinese names print."""

from __future__ import annotations

import io
from decimal import Decimal

from PIL import Image, ImageDraw, ImageFont

from core.base.fonts import image_font


def chart_png(days: list[str], received: list[int], shipped: list[int]) -> bytes:
    """Orders in (blue) and out (green) per day, as a small bar chart."""
    width, height, pad = 720, 360, 40
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    top = max(1, *received, *shipped)
    step = (width - 2 * pad) / max(1, len(days))
    font = ImageFont.load_default(size=14)
    for i, day in enumerate(days):
        x = pad + i * step
        for offset, value, colour in ((0.1, received[i], "#60a5fa"), (0.5, shipped[i], "#15803d")):
            h = (height - 2 * pad) * value / top
            draw.rectangle((x + step * offset, height - pad - h, x + step * (offset + 0.38), height - pad), fill=colour)
        if i % 2 == 0:
            draw.text((x, height - pad + 6), day[5:], fill="#374151", font=font)
    draw.line((pad, height - pad, width - pad, height - pad), fill="#9ca3af")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def bars_png(labels: list[str], values: list[Decimal], title: str, empty: str) -> bytes:
    """One horizontal bar per label, longest first as given, each with its value at its end; `empty` is said
    when there is nothing to draw."""
    width, row, pad, left = 720, 30, 24, 200
    height = pad * 2 + 40 + row * max(1, len(labels))
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    font, bold = image_font(16), image_font(20)
    draw.text((pad, pad), title, fill="#111827", font=bold)
    top = max(values, default=Decimal(0)) or Decimal(1)
    span = width - left - pad - 110
    for i, (label, value) in enumerate(zip(labels, values, strict=True)):
        y = pad + 40 + i * row
        draw.text((pad, y + 4), _cut(draw, label, font, left - pad - 8), fill="#374151", font=font)
        length = max(2, int(span * float(value / top)))
        draw.rectangle((left, y + 4, left + length, y + row - 6), fill="#15803d" if i == 0 else "#60a5fa")
        draw.text((left + length + 8, y + 4), f"{value:,.0f}", fill="#111827", font=font)
    if not labels:
        draw.text((pad, pad + 44), empty, fill="#6b7280", font=font)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _cut(draw: ImageDraw.ImageDraw, label: str, font: ImageFont.FreeTypeFont, room: int) -> str:
    """The label as much as fits in `room` pixels, a cut marked with …."""
    if draw.textlength(label, font=font) <= room:
        return label
    while label and draw.textlength(label + "…", font=font) > room:
        label = label[:-1]
    return label + "…"
