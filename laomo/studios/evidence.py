"""Evidence attachments of achievements: type sniffed from the content, size checked, images re-encoded
(`laomo.core.uploads`).

Files are stored under a random name (`models.evidence_path`) in the default storage (var/media or
S3) and are served only by `views.achievement_evidence`, which checks the data scope first.
"""

from __future__ import annotations

from django.conf import settings

from laomo.core.uploads import CheckedFile, UploadRules, check_upload, reencode_image

MAX_BYTES_DEFAULT = 10 * 1024 * 1024
ALLOWED_TEXT = "PDF、JPG 或 PNG"


def max_bytes() -> int:
    return getattr(settings, "LAOMO_EVIDENCE_MAX_BYTES", MAX_BYTES_DEFAULT)


def check_evidence(upload, field: str = "evidence") -> CheckedFile:
    """Validate an uploaded file; raise a Chinese ValidationError keyed by `field`."""
    checked = check_upload(upload, UploadRules(
        field=field, extensions=("pdf", "jpg", "jpeg", "png"), allowed_text=ALLOWED_TEXT, limit=max_bytes(),
        wrong_type="佐证材料只能上传 {allowed} 文件。", too_big="佐证材料过大(上限 {mb} MB)。",
        empty="佐证材料是空文件。", mismatch="文件内容与扩展名 .{ext} 不符,请上传真实的 {allowed} 文件。"))
    if checked.content_type.startswith("image/"):
        checked.data, checked.thumb = reencode_image(checked.data, checked.content_type, field)
    return checked
