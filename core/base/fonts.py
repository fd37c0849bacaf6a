"""The one font every paper and label prints with: WenQuanYi Micro Hei (文泉驿微米黑), shipped in core/fonts/.

Why this font, and why shipped with fahuo rather than taken from the system:
- reportlab embeds only fonts with TrueType outlines; the CJK fonts Linux distributions install by default
  (Noto Sans CJK, from fonts-noto-cjk) have PostScript (CFF) outlines, which reportlab refuses. Its built-in
  STSong-Light is not embedded at all: the reader's viewer must supply it, and glyphs outside it ("·", "€")
  print as boxes.
- Micro Hei has TrueType outlines, covers Latin, the full GBK set of Chinese characters (the rare ones in
  names and street names too) and full-width punctuation, and is free to ship (Apache-2.0, see
  core/fonts/wqy-microhei.COPYRIGHT). Shipping it means `pip install` alone gives papers that print the same
  on every machine; reportlab embeds only the glyphs a paper uses, so a PDF stays small.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from PIL import ImageFont
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

FONT_FILE = Path(__file__).resolve().parent.parent / "fonts" / "wqy-microhei.ttc"
PDF_FONT = "WenQuanYiMicroHei"


@cache
def pdf_font() -> str:
    """The font's name for reportlab, registered on first use (reading the file takes half a second)."""
    pdfmetrics.registerFont(TTFont(PDF_FONT, str(FONT_FILE), subfontIndex=0))
    return PDF_FONT


@cache
def image_font(size: int) -> ImageFont.FreeTypeFont:
    """The same font for images (PNG labels), at `size` pixels."""
    return ImageFont.truetype(str(FONT_FILE), size, index=0)
