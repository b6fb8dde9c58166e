"""Uploaded files checked the same way in every module: a safe original name, the type from the content (not the
name alone), the size bounded while reading, images decoded and written again (drops metadata and anything
appended), with a thumbnail.

A module states its allowed extensions, its limit and its messages (`UploadRules`); what each kind then needs
(zip limits for office files, a thumbnail) stays with the caller. Files are stored under random names and served
only through scoped views (DESIGN.md §5)."""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from PIL import Image, UnidentifiedImageError

ZIP = (b"PK\x03\x04",)
# extension -> (content type, magic prefixes)
SIGNATURES = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
THUMB_SIZE = (320, 320)
MAX_IMAGE_PIXELS = 60_000_000


@dataclass(frozen=True)
class UploadRules:
    """What a module accepts and how it says no. Messages may use {name}, {ext}, {allowed} and {mb}."""

    field: str
    extensions: tuple[str, ...]
    allowed_text: str  # the extensions as users read them: "PDF、JPG 或 PNG"
    limit: int
    wrong_type: str
    too_big: str
    empty: str
    mismatch: str


@dataclass
class CheckedFile:
    name: str  # the original name, shown to users only
    ext: str
    content_type: str
    data: bytes
    thumb: bytes | None = None


def upload_name(upload) -> str:
    """The file's own name without any path a browser or a client sent, at most 200 characters."""
    return (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]


def check_upload(upload, rules: UploadRules) -> CheckedFile:
    """The upload's bytes if its extension is allowed, its size within the limit and its content of that type;
    a Chinese ValidationError keyed by `rules.field` otherwise. Images are not yet re-encoded (`reencode_image`)."""
    name = upload_name(upload)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""

    def refuse(template: str):
        return ValidationError({rules.field: template.format(name=name, ext=ext, allowed=rules.allowed_text,
                                                             mb=rules.limit // (1024 * 1024))})

    if ext not in rules.extensions:
        raise refuse(rules.wrong_type)
    size = getattr(upload, "size", None)
    if size is not None and size > rules.limit:
        raise refuse(rules.too_big)
    data = upload.read(rules.limit + 1)
    if len(data) > rules.limit:
        raise refuse(rules.too_big)
    if not data:
        raise refuse(rules.empty)
    content_type, magics = SIGNATURES[ext]
    if not data.startswith(magics):
        raise refuse(rules.mismatch)
    return CheckedFile(name=name, ext="jpg" if ext == "jpeg" else ext, content_type=content_type, data=data)


def reencode_image(data: bytes, content_type: str, field: str) -> tuple[bytes, bytes]:
    """Decode the image and write it again (PNG stays PNG, anything else becomes JPEG), and make a thumbnail."""
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ValidationError({field: "图片已损坏或格式不正确,无法读取。"}) from exc
    if image.width * image.height > MAX_IMAGE_PIXELS:
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
