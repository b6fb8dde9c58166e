"""Notice attachments: the type from the content (not the name alone), the size bounded, images re-encoded,
office files opened as zips within limits. Stored under a random name; served only by `views.attachment`."""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError

from laomo.core.excel import ExcelError, check_zip_workbook, limits_from_settings
from laomo.studios.evidence import _reencode

MAX_BYTES_DEFAULT = 20 * 1024 * 1024
MAX_FILES = 10
ZIP = (b"PK\x03\x04",)
# extension -> (content type, magic prefixes)
KINDS = {
    "pdf": ("application/pdf", (b"%PDF-",)),
    "docx": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ZIP),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ZIP),
    "jpg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "jpeg": ("image/jpeg", (b"\xff\xd8\xff",)),
    "png": ("image/png", (b"\x89PNG\r\n\x1a\n",)),
}
ALLOWED_TEXT = "PDF、Word(.docx)、Excel(.xlsx)、JPG 或 PNG"
_DOCX_MAX_MEMBERS = 2000
_DOCX_MAX_RATIO = 100
_DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024


def max_bytes() -> int:
    return getattr(settings, "LAOMO_NOTICE_MAX_BYTES", MAX_BYTES_DEFAULT)


@dataclass
class CheckedFile:
    name: str  # the original name, shown to users only
    ext: str
    content_type: str
    data: bytes


def check_attachment(upload, field: str = "attachments") -> CheckedFile:
    """Validate one uploaded file; raise a Chinese ValidationError keyed by `field`."""
    name = (getattr(upload, "name", "") or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if ext not in KINDS:
        raise ValidationError({field: f"附件“{name}”的类型不支持,只能上传 {ALLOWED_TEXT} 文件。"})
    limit = max_bytes()
    size = getattr(upload, "size", None)
    data = b"" if size is not None and size > limit else upload.read(limit + 1)
    if (size is not None and size > limit) or len(data) > limit:
        raise ValidationError({field: f"附件“{name}”过大(上限 {limit // (1024 * 1024)} MB)。"})
    if not data:
        raise ValidationError({field: f"附件“{name}”是空文件。"})
    content_type, magics = KINDS[ext]
    if not data.startswith(magics):
        raise ValidationError({field: f"附件“{name}”的内容与扩展名 .{ext} 不符,请上传真实的 {ALLOWED_TEXT} 文件。"})
    if content_type.startswith("image/"):
        data, _thumb = _reencode(data, content_type, field)
    elif ext == "xlsx":
        try:
            check_zip_workbook(data, limits_from_settings())
        except ExcelError as exc:
            raise ValidationError({field: f"附件“{name}”:{exc}"}) from exc
    elif ext == "docx":
        _check_docx(data, name, field)
    return CheckedFile(name=name, ext="jpg" if ext == "jpeg" else ext, content_type=content_type, data=data)


def _check_docx(data: bytes, name: str, field: str) -> None:
    """A plain Word document: a readable zip holding word/document.xml, not encrypted, not a zip bomb."""
    refused = ValidationError({field: f"附件“{name}”已损坏或不是有效的 Word(.docx)文件。"})
    try:
        infos = zipfile.ZipFile(io.BytesIO(data)).infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise refused from exc
    names = {info.filename.lower() for info in infos}
    if len(infos) > _DOCX_MAX_MEMBERS or "word/document.xml" not in names or "[content_types].xml" not in names:
        raise refused
    declared = 0
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise ValidationError({field: f"附件“{name}”已加密或使用了不支持的压缩方式,请另存为普通 .docx 再上传。"})
        declared += info.file_size
        if info.file_size > 1024 * 1024 and info.file_size > _DOCX_MAX_RATIO * max(info.compress_size, 1):
            raise ValidationError({field: f"附件“{name}”压缩比异常,可能是恶意构造的文件,已拒绝。"})
    if declared > _DOCX_MAX_UNCOMPRESSED:
        raise ValidationError({field: f"附件“{name}”解压后过大,已拒绝。"})
