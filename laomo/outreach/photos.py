"""Photo uploads: check type and size, re-encode (drops EXIF and any trailing payload), make a thumbnail.

Stored in the default storage (var/media, or S3 when configured) under a random name; never given a
public URL: the pages serve them through a view that checks the scope of the record they belong to.
"""

from __future__ import annotations

import io
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone
from PIL import Image, ImageOps, UnidentifiedImageError

ALLOWED_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
EXTENSIONS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
MAX_PIXELS = 50_000_000  # refuse decompression bombs before decoding
MAX_EDGE = 2560  # long edge kept after re-encoding
THUMB_EDGE = 320


def max_bytes() -> int:
    return getattr(settings, "LAOMO_PHOTO_MAX_BYTES", 10 * 1024 * 1024)


@dataclass
class ProcessedImage:
    data: bytes
    thumb: bytes
    format: str
    width: int
    height: int

    @property
    def content_type(self) -> str:
        return ALLOWED_FORMATS[self.format]


def _human(size: int) -> str:
    return f"{size / 1048576:.1f} MB".replace(".0 MB", " MB") if size >= 1048576 else f"{size // 1024} KB"


def _read(upload) -> bytes:
    size = getattr(upload, "size", None)
    limit = max_bytes()
    if size is not None and size > limit:
        raise ValidationError({"photo": f"照片过大({_human(size)}),上限 {_human(limit)}。"})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise ValidationError({"photo": f"照片过大,上限 {_human(limit)}。"})
    if not data:
        raise ValidationError({"photo": "文件为空。"})
    return data


def process_image(upload) -> ProcessedImage:
    """Validate and re-encode an uploaded image; ValidationError (key `photo`) with a Chinese message."""
    data = _read(upload)
    not_image = ValidationError({"photo": "文件不是有效的图片,请上传 JPG、PNG 或 WebP 格式的照片。"})
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in ALLOWED_FORMATS:
                raise ValidationError({"photo": f"不支持的图片格式({fmt}),请上传 JPG、PNG 或 WebP。"})
            if width * height > MAX_PIXELS:
                raise ValidationError({"photo": f"图片尺寸过大({width}×{height}),请缩小后再上传。"})
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)  # keep the orientation the camera meant, then drop EXIF
            img.thumbnail((MAX_EDGE, MAX_EDGE))
            has_alpha = img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info)
            out = io.BytesIO()
            if fmt == "JPEG" or (fmt == "WEBP" and not has_alpha):
                img = img.convert("RGB")
            elif img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA" if has_alpha else "RGB")
            save_kwargs = {"JPEG": {"quality": 85, "optimize": True}, "PNG": {"optimize": True},
                           "WEBP": {"quality": 85}}[fmt]
            img.save(out, format=fmt, **save_kwargs)  # no exif/icc/text passed: metadata is gone
            thumb = img.copy()
            thumb.thumbnail((THUMB_EDGE, THUMB_EDGE))
            if thumb.mode != "RGB":
                background = Image.new("RGB", thumb.size, "white")
                rgba = thumb.convert("RGBA")
                background.paste(rgba, mask=rgba.split()[-1])
                thumb = background
            thumb_out = io.BytesIO()
            thumb.save(thumb_out, format="JPEG", quality=80)
            return ProcessedImage(out.getvalue(), thumb_out.getvalue(), fmt, img.width, img.height)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise not_image from exc


def store(image: ProcessedImage) -> tuple[str, str]:
    """Save the image and its thumbnail under random, non-guessable names; return the storage names."""
    folder = f"outreach/photos/{timezone.localdate():%Y/%m}/{secrets.token_hex(16)}"
    name = default_storage.save(f"{folder}/photo.{EXTENSIONS[image.format]}", ContentFile(image.data))
    thumb = default_storage.save(f"{folder}/thumb.jpg", ContentFile(image.thumb))
    return name, thumb
