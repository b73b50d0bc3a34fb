"""The CJK font embedded in the PDFs, found locally (no network).

Noto Serif CJK (Debian ``fonts-noto-cjk``) is a CFF font of 65,535 glyphs: fpdf2 embeds it (subsetted), but
parsing and subsetting the whole face costs ~0.35 s per document. So the first use derives a *working
font* once: the Simplified Chinese face cut down to GB 2312 (6,763 hanzi), ASCII, CJK punctuation and full-width
forms, stored in the user's cache directory (``$XUNPAI_CACHE_DIR`` or ``~/.cache/xunpai``). A document whose
text needs a character outside it (a rare name such as 堃) is set in the full system font instead, so every
character is always printed; only the speed differs.

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

from auction.documents.context import DocumentError

CANDIDATES = (
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/noto-cjk/NotoSerifCJK-Regular.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/arphic/uming.ttc",
)
_WORKING_SET_VERSION = "gb2312-v1"
_lock = threading.Lock()


@dataclass(frozen=True)
class FontFace:
    path: Path
    index: int  # face number inside a collection (.ttc); 0 otherwise


def _simplified_chinese_index(path: Path) -> int:
    """The face of a collection whose name marks Simplified Chinese (SC), else the first face."""
    if path.suffix.lower() not in (".ttc", ".otc"):
        return 0
    from fontTools.ttLib import TTCollection

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
    base = Path(configured) if configured else Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "xunpai"
    return base / "fonts"


def _derive(face: FontFace, target: Path) -> None:
    from fontTools import subset
    from fontTools.ttLib import TTFont

    font = TTFont(str(face.path), fontNumber=face.index, lazy=False)
    options = subset.Options()
    options.layout_features = []
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.hinting = False
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=working_set())
    subsetter.subset(font)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".tmp")
    os.close(fd)
    try:
        font.save(tmp)
        os.replace(tmp, target)  # atomic: concurrent processes never read a half-written font
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


@cache
def working_font() -> FontFace:
    """The fast working font (derived once and cached); the system font if it cannot be derived."""
    face = system_font()
    stat = face.path.stat()
    key = hashlib.sha256(f"{face.path}|{face.index}|{stat.st_size}|{stat.st_mtime_ns}|{_WORKING_SET_VERSION}".encode())
    suffix = ".otf" if face.path.suffix.lower() in (".ttc", ".otf", ".otc") else face.path.suffix.lower()
    target = _cache_dir() / f"cjk-{key.hexdigest()[:16]}{suffix}"
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
    from fontTools.ttLib import TTFont

    font = TTFont(str(face.path), fontNumber=face.index, lazy=True)
    try:
        return frozenset(font.getBestCmap())
    finally:
        font.close()


def font_for(text: str) -> FontFace:
    """The working font when it has every character of ``text``, else the full system font."""
    face = working_font()
    needed = {ord(c) for c in text if not c.isspace()}
    if needed <= covered(face):
        return face
    return system_font()
