"""Photos and videos of a lot (网拍规定 art. 13: the listing shows the lot's photos or video): what an uploaded file
is, read from its content (never from its name or the browser's word), whether its size is acceptable, its hash,
and the thumbnail of a photo (Pillow).

``examine(name, content)`` returns a ``Media`` or raises ``MediaRefused`` with the Chinese reason.
"""

from __future__ import annotations

import hashlib
import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

PHOTO_MAX_BYTES = 20 * 1024 * 1024
VIDEO_MAX_BYTES = 200 * 1024 * 1024
THUMBNAIL_SIZE = (320, 240)
MAX_PIXELS = 80_000_000  # a photo larger than this is refused (a decompression bomb is not a photo of a flat)

PHOTO_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
_MP4_BRANDS = (b"isom", b"iso2", b"mp41", b"mp42", b"avc1", b"M4V ", b"qt  ", b"3gp4", b"3gp5", b"dash")


class MediaRefused(ValueError):
    """An upload that is not an acceptable photo or video; the message says what was received and what is expected."""


@dataclass(frozen=True)
class Media:
    kind: str  # photo | video
    mime: str
    extension: str
    size: int
    sha256: str
    width: int | None = None
    height: int | None = None


def _video_type(content: bytes) -> tuple[str, str] | None:
    if len(content) >= 12 and content[4:8] == b"ftyp":
        return ("video/quicktime", "mov") if content[8:12] == b"qt  " else ("video/mp4", "mp4")
    if content[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm", "webm"
    return None


def examine(name: str, content: bytes) -> Media:
    """What the file is by its content: a JPEG, PNG or WebP photo Pillow can read (up to 20 MB), or an MP4, MOV or
    WebM video (up to 200 MB). Anything else is refused, whatever its name says."""
    size = len(content)
    if size == 0:
        raise MediaRefused(f"文件“{name}”是空文件。")
    digest = hashlib.sha256(content).hexdigest()
    video = _video_type(content)
    if video is not None:
        if video[1] in ("mp4", "mov") and content[8:12] not in _MP4_BRANDS and not content[8:11].isalnum():
            raise MediaRefused(f"文件“{name}”不是可识别的视频（MP4、MOV 或 WebM）。")
        if size > VIDEO_MAX_BYTES:
            raise MediaRefused(f"视频“{name}”有 {size / 1024 / 1024:.1f} MB，超过上限 200 MB。")
        return Media("video", video[0], video[1], size, digest)
    if size > PHOTO_MAX_BYTES:
        raise MediaRefused(f"照片“{name}”有 {size / 1024 / 1024:.1f} MB，超过上限 20 MB。")
    try:
        with Image.open(io.BytesIO(content)) as image:
            fmt = image.format
            width, height = image.size
            if width * height > MAX_PIXELS:
                raise MediaRefused(f"照片“{name}”的像素（{width}×{height}）过大，上限 8000 万像素。")
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        if isinstance(exc, MediaRefused):
            raise
        raise MediaRefused(f"文件“{name}”不是照片或视频：照片应为 JPEG、PNG 或 WebP，视频应为 MP4、MOV 或 WebM。"
                           ) from None
    if fmt not in PHOTO_FORMATS:
        raise MediaRefused(f"照片“{name}”的格式不受支持，应为 JPEG、PNG 或 WebP。")
    mime, extension = PHOTO_FORMATS[fmt]
    return Media("photo", mime, extension, size, digest, width, height)


def thumbnail(content: bytes) -> bytes:
    """A JPEG thumbnail (at most 320×240, proportions kept) of a photo ``examine`` accepted."""
    with Image.open(io.BytesIO(content)) as image:
        image = image.convert("RGB")
        image.thumbnail(THUMBNAIL_SIZE)
        out = io.BytesIO()
        image.save(out, "JPEG", quality=80)
        return out.getvalue()
