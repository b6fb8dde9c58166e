"""Notice attachments: the type from the content (not the name alone), the size bounded, images re-encoded,
office files opened as zips within limits (`laomo.core.uploads`). Stored under a random name; served only by
`views.attachment`."""

from __future__ import annotations

import io
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

from laomo.core.excel import ExcelError, check_zip_workbook, limits_from_settings
from laomo.core.uploads import CheckedFile, UploadRules, check_upload, reencode_image

MAX_BYTES_DEFAULT = 20 * 1024 * 1024
MAX_FILES = 10
EXTENSIONS = ("pdf", "docx", "xlsx", "jpg", "jpeg", "png")
ALLOWED_TEXT = "PDF、Word(.docx)、Excel(.xlsx)、JPG 或 PNG"
_DOCX_MAX_MEMBERS = 2000
_DOCX_MAX_RATIO = 100
_DOCX_MAX_UNCOMPRESSED = 200 * 1024 * 1024


def max_bytes() -> int:
    return getattr(settings, "LAOMO_NOTICE_MAX_BYTES", MAX_BYTES_DEFAULT)


def check_attachment(upload, field: str = "attachments") -> CheckedFile:
    """Validate one uploaded file; raise a Chinese ValidationError keyed by `field`."""
    checked = check_upload(upload, UploadRules(
        field=field, extensions=EXTENSIONS, allowed_text=ALLOWED_TEXT, limit=max_bytes(),
        wrong_type="附件“{name}”的类型不支持,只能上传 {allowed} 文件。",
        too_big="附件“{name}”过大(上限 {mb} MB)。", empty="附件“{name}”是空文件。",
        mismatch="附件“{name}”的内容与扩展名 .{ext} 不符,请上传真实的 {allowed} 文件。"))
    name = checked.name
    if checked.content_type.startswith("image/"):
        checked.data, _thumb = reencode_image(checked.data, checked.content_type, field)
    elif checked.ext == "xlsx":
        try:
            check_zip_workbook(checked.data, limits_from_settings())
        except ExcelError as exc:
            raise ValidationError({field: f"附件“{name}”:{exc}"}) from exc
    elif checked.ext == "docx":
        _check_docx(checked.data, name, field)
    return checked


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
