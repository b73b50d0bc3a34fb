"""The CJK font embedded in the PDFs, found locally (no network).

Noto Serif CJK (Debian ``fonts-noto-cjk``) is a CFF font of 65,535 glyphs. fpdf2 embeds it, but parsing the
whole face and subsetting CFF charstrings in Python costs ~0.4 s per document. So:

1. once per machine, a *working font* is derived: the Simplified Chinese face cut down to GB 2312 (6,763
   hanzi), ASCII, CJK punctuation and full-width forms, with its outlines converted to TrueType (quadratic)
   curves, which subset fast. It is stored in the user's cache directory (``$XUNPAI_CACHE_DIR`` or
   ``~/.cache/xunpai/fonts``), written atomically;
2. per document set, a small font with exactly the characters of those documents is cut from it
   (``document_font``) and every PDF of the set embeds (a subset of) that.

A document that needs a character outside the working set (a rare name such as 堃) gets the full system
font as a fallback, so every character is printed; only the speed differs.
``$XUNPAI_CJK_FONT`` names another font file (TTF/OTF/TTC) to use instead of Noto.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import platformdirs
from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

from auction.documents.context import DocumentError

CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
_WORKING_SET_VERSION = "gb2312-ttf-v2"
#: printed on every page besides the document's own text (the page number ``— 1 —``)
ALWAYS_NEEDED = "0123456789—"
_lock = threading.Lock()


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int  # face number inside a collection (.ttc); 0 otherwise


def _simplified_chinese_index(path: Path) -> int:
    """The face of a collection whose name marks Simplified Chinese (SC), else the first face."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    collection = TTCollection(str(path), lazy=True)
    try:
        for i, face in enumerate(collection.fonts):
            name = face["name"].getBestFamilyName() or ""
            if name.endswith(" SC") or "SC" in name.split():
                return i
    finally:
        collection.close()
    return 0


@cache
def system_font() -> FontFace:
    """The full CJK font of the system (raises ``DocumentError`` in Chinese when none is installed)."""
    configured = os.environ.get("XUNPAI_CJK_FONT")
    for candidate in ([configured] if configured else []) + list(CANDIDATES):
        path = Path(candidate)
        if path.is_file():
            return FontFace(path, _simplified_chinese_index(path))
    raise DocumentError(
        "未找到中文字体，无法生成 PDF。请安装 fonts-noto-cjk（apt-get install fonts-noto-cjk），"
        "或用环境变量 XUNPAI_CJK_FONT 指定一个 TTF/OTF/TTC 字体文件。"
    )


def working_set() -> set[int]:
    """Code points of the working font: ASCII, Latin-1 punctuation, GB 2312, CJK punctuation, full-width."""
    chars = set(range(0x20, 0x7F)) | set(range(0xA0, 0x100))
    for high in range(0xA1, 0xF8):
        for low in range(0xA1, 0xFF):
            try:
                chars.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                pass
    chars |= set(range(0x2010, 0x2040)) | set(range(0x3000, 0x3040)) | set(range(0xFF00, 0xFFF0))
    chars |= {0x00B7, 0x2116, 0x2160, 0x2161, 0x2162, 0x2163, 0x25A1, 0x25CB, 0x3007, 0x33A1, 0x2103}
    return chars


def _cache_dir() -> Path:
    configured = os.environ.get("XUNPAI_CACHE_DIR")
    base = Path(configured) if configured else Path(platformdirs.user_cache_dir("xunpai", appauthor=False))
    return base / "fonts"


def _derive(face: FontFace, target: Path) -> None:
    font = TTFont(str(face.path), fontNumber=face.index, lazy=False)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    options.desubroutinize = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=working_set())
    subsetter.subset(font)
    if "CFF " in font:
        _cff_to_truetype(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(fd)
    try:
        font.save(tmp)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; a shared cache directory must be readable
        os.replace(tmp, target)  # atomic: concurrent processes never read a half-written font
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def _cff_to_truetype(font) -> None:
    """Replace the CFF outlines by quadratic TrueType ones (fontTools cu2qu, error ≤ 1 font unit)."""
    order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    glyf = newTable("glyf")
    glyf.glyphOrder = order
    glyf.glyphs = {}
    for name in order:
        pen = TTGlyphPen(None)
        glyph_set[name].draw(Cu2QuPen(pen, max_err=1.0, reverse_direction=True))
        glyf.glyphs[name] = pen.glyph()
    font["loca"] = newTable("loca")
    font["glyf"] = glyf
    for tag in ("CFF ", "VORG"):
        if tag in font:
            del font[tag]
    font["head"].glyphDataFormat = 0
    maxp = font["maxp"]
    maxp.tableVersion = 0x00010000
    for attr in ("maxTwilightPoints", "maxStorage", "maxFunctionDefs", "maxInstructionDefs",
                 "maxStackElements", "maxSizeOfInstructions", "maxComponentElements"):
        setattr(maxp, attr, 0)
    maxp.maxZones = 1
    post = font["post"]
    post.formatType = 2.0
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = order
    font.sfntVersion = "\x00\x01\x00\x00"


@cache
def working_font() -> FontFace:
    """The fast working font (derived once and cached); the system font if it cannot be derived."""
    face = system_font()
    stat = face.path.stat()
    key = hashlib.sha256(f"{face.path}|{face.index}|{stat.st_size}|{stat.st_mtime_ns}|{_WORKING_SET_VERSION}".encode())
    target = _cache_dir() / f"cjk-{key.hexdigest()[:16]}.ttf"
    with _lock:
        if not target.is_file():
            try:
                _derive(face, target)
            except OSError:
                try:  # a read-only home: use the temporary directory
                    target = Path(tempfile.gettempdir()) / "xunpai-fonts" / target.name
                    if not target.is_file():
                        _derive(face, target)
                except OSError:
                    return face
    return FontFace(target, 0)


@cache
def covered(face: FontFace) -> frozenset[int]:
    font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def document_font(text: str, directory: Path) -> tuple[FontFace, FontFace | None]:
    """A small TrueType font with the characters of ``text`` cut from the working font, written into
    ``directory``; and the full system font as a fallback when ``text`` needs characters outside it."""
    face = working_font()
    needed = {ord(c) for c in text + ALWAYS_NEEDED if not c.isspace()} | {0x20, 0x3000}
    inside = needed & covered(face)
    fallback = system_font() if needed - inside else None
    if face.path.suffix.lower() != ".ttf":  # derivation failed: use the working/system font as it is
        return face, fallback
    digest = hashlib.sha256("".join(sorted(map(chr, inside))).encode()).hexdigest()[:16]
    target = Path(directory) / f"doc-{digest}.ttf"
    if not target.is_file():
        font = TTFont(str(face.path), lazy=True, recalcBBoxes=False)  # bounds are right; recomputing parses glyphs
        options = subset.Options()
        options.layout_features = []
        options.notdef_outline = True
        options.hinting = True  # the working font has no instructions; True keeps glyphs unparsed (fast)
        options.name_IDs = ["*"]
        subsetter = subset.Subsetter(options)
        subsetter.populate(unicodes=inside)
        subsetter.subset(font)
        font.save(str(target))
        font.close()
    return FontFace(target, 0), fallback
