"""Evidence attachments of achievements: type sniffed from the content, size checked, images re-encoded.

Files are stored under a random name (`models.evidence_path`) in the default storage (var/media or
S3) and are served only by `views.achievement_evidence`, which checks the data scope first.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

MAX_BYTES_DEFAULT = 10 * 1024 * 1024
THUMB_SIZE = (320, 320)
# extension -> (content type, magic prefix)
KINDS = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
ALLOWED_TEXT = "PDF、JPG 或 PNG"


def max_bytes() -> int:
    return getattr(settings, "LAOMO_EVIDENCE_MAX_BYTES", MAX_BYTES_DEFAULT)


@dataclass
class CheckedFile:
    name: str  # the original name, shown to users only
    ext: str
    content_type: str
    data: bytes
    thumb: bytes | None


def check_evidence(upload, field: str = "evidence") -> CheckedFile:
    """Validate an uploaded file; raise a Chinese ValidationError keyed by `field`."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in KINDS:
        raise ValidationError({field: f"佐证材料只能上传 {ALLOWED_TEXT} 文件。"})
    limit = max_bytes()
    size = getattr(upload, "size", None)
    if size is not None and size > limit:
        raise ValidationError({field: f"佐证材料过大(上限 {limit // (1024 * 1024)} MB)。"})
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({field: f"佐证材料过大(上限 {limit // (1024 * 1024)} MB)。"})
    if not data:
        raise ValidationError({field: "佐证材料是空文件。"})
    content_type, magics = KINDS[ext]
    if not data.startswith(magics):
        raise ValidationError({field: f"文件内容与扩展名 .{ext} 不符,请上传真实的 {ALLOWED_TEXT} 文件。"})
    thumb = None
    if content_type.startswith("image/"):
        data, thumb = _reencode(data, content_type, field)
    return CheckedFile(name=name, ext="jpg" if ext == "jpeg" else ext, content_type=content_type, data=data,
                       thumb=thumb)


def _reencode(data: bytes, content_type: str, field: str) -> tuple[bytes, bytes]:
    """Decode and write the image again (drops metadata and anything appended), and make a thumbnail."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({field: "图片已损坏或格式不正确,无法读取。"}) from exc
    if image.width * image.height > 60_000_000:
        raise ValidationError({field: "图片尺寸过大。"})
    out = io.BytesIO()
    if content_type == "image/png":
        image.save(out, format="PNG", optimize=True)
    else:
        image.convert("RGB").save(out, format="JPEG", quality=90)
    thumb_image = image.convert("RGB")
    thumb_image.thumbnail(THUMB_SIZE)
    thumb = io.BytesIO()
    thumb_image.save(thumb, format="JPEG", quality=80)
    return out.getvalue(), thumb.getvalue()
