"""The figures managers see as pictures: one chart drawing for the /report command and the daily report."""

from __future__ import annotations

import io

from PIL import Image, ImageDraw, ImageFont


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
