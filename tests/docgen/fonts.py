"""The CJK font: Noto Sans CJK (CFF outlines, which reportlab cannot embed) rebuilt as a small TrueType font holding
only the characters used, cached on disk per character set."""
from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

from fontTools.fontBuilder import FontBuilder
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTFont

FONT_NAME = "NotoSansCJK"
BASE_CHARS = "".join(chr(c) for c in range(0x20, 0x7F)) + "，。、；：？！（）“”‘’《》【】…—·％～℃≥≤×"
_CACHE: dict[str, Path] = {}


def source_font() -> Path:
    """The OpenType file that the cvttf-notosanscjk-regular package ships."""
    import cvttf_NotoSansCJK_Regular as pkg

    return Path(pkg.get_TTF_path())


def _quadratic(glyphs, name: str):
    """One glyph's cubic CFF outline as a quadratic TrueType glyph."""
    pen = TTGlyphPen(None)
    glyphs[name].draw(Cu2QuPen(pen, 1.0, reverse_direction=True))
    return pen.glyph()


def build_truetype(chars: str, path: Path) -> None:
    """Write a TrueType font with the source font's outlines and metrics for `chars`."""
    src = TTFont(str(source_font()), lazy=True)
    cmap = src.getBestCmap()
    codes = sorted({ord(c) for c in chars if ord(c) in cmap})
    names = [".notdef"] + sorted({cmap[c] for c in codes} - {".notdef"})
    glyphs = src.getGlyphSet()
    metrics = src["hmtx"].metrics
    fb = FontBuilder(src["head"].unitsPerEm, isTTF=True)
    fb.setupGlyphOrder(names)
    fb.setupCharacterMap({c: cmap[c] for c in codes})
    fb.setupGlyf({n: _quadratic(glyphs, n) for n in names})
    fb.setupHorizontalMetrics({n: metrics[n] for n in names})
    fb.setupHorizontalHeader(ascent=src["hhea"].ascent, descent=src["hhea"].descent)
    fb.setupNameTable({"familyName": "NotoSansCJKsubset", "styleName": "Regular"})
    os2 = src["OS/2"]
    fb.setupOS2(sTypoAscender=os2.sTypoAscender, sTypoDescender=os2.sTypoDescender,
                usWinAscent=os2.usWinAscent, usWinDescent=os2.usWinDescent)
    fb.setupPost()
    fb.save(str(path))
    src.close()


def truetype_for(chars: str, cache_dir: Path | None = None) -> Path:
    """A TrueType file holding every character of `chars` (built once per character set, kept in a temp folder)."""
    wanted = "".join(sorted(set(chars + BASE_CHARS) - {"\n", "\t"}))
    digest = hashlib.sha1(wanted.encode("utf-8")).hexdigest()[:16]
    if digest in _CACHE and _CACHE[digest].exists():
        return _CACHE[digest]
    folder = cache_dir or Path(tempfile.gettempdir()) / "docgen-fonts"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"noto-cjk-{digest}.ttf"
    if not path.exists():
        tmp = path.with_suffix(f".{digest}.part")
        build_truetype(wanted, tmp)
        tmp.replace(path)
    _CACHE[digest] = path
    return path
