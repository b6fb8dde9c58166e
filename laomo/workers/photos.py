"""The worker's ID photo (证件照): JPG or PNG up to 5 MB, checked from its content, re-encoded with Pillow to a
JPEG of at most 600×800 without EXIF (or any other metadata), stored under a random name in the default storage
and served only through the scoped view `workers:photo` (never from a public URL)."""

from __future__ import annotations

import io
import secrets

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageOps, UnidentifiedImageError

from laomo.core import audit
from laomo.core.permissions import require_edit
from laomo.core.updates import lock

from . import services
from .gate import require_registry_write
from .history import record_change
from .models import Worker

MAX_BYTES = 5 * 1024 * 1024
MAX_SIZE = (600, 800)  # width × height of the stored photo at most (a 2-inch ID photo at 300 dpi is 413×579)
MAX_PIXELS = 40_000_000
ALLOWED = ("JPEG", "PNG")
NOT_IMAGE = "文件不是有效的图片,请上传 JPG 或 PNG 格式的证件照。"


def _read(upload) -> bytes:
    if getattr(upload, "size", 0) and upload.size > MAX_BYTES:
        raise ValidationError({"photo": "证件照不能超过 5 MB。"})
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise ValidationError({"photo": "证件照不能超过 5 MB。"})
    if not data:
        raise ValidationError({"photo": "文件为空。"})
    return data


def reencode(upload) -> bytes:
    """The uploaded image as a clean JPEG (orientation applied, metadata dropped); ValidationError otherwise."""
    data = _read(upload)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in ALLOWED:
                raise ValidationError({"photo": f"不支持的图片格式({probe.format}),请上传 JPG 或 PNG。"})
            if probe.size[0] * probe.size[1] > MAX_PIXELS:
                raise ValidationError({"photo": "图片尺寸过大,请缩小后再上传。"})
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            img.load()
            img = ImageOps.exif_transpose(img)
            img.thumbnail(MAX_SIZE)
            if img.mode in ("RGBA", "LA") or (img.mode == "P" and "transparency" in img.info):
                rgba = img.convert("RGBA")
                img = Image.new("RGB", rgba.size, "white")
                img.paste(rgba, mask=rgba.split()[-1])
            else:
                img = img.convert("RGB")
            out = io.BytesIO()
            img.save(out, format="JPEG", quality=88, optimize=True)  # no exif/icc passed: metadata is gone
            return out.getvalue()
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError({"photo": NOT_IMAGE}) from exc


def stage(upload) -> str:
    """The upload re-encoded and stored under a random name, not yet any worker's photo (a submission's)."""
    return default_storage.save(f"workers/photos/{secrets.token_hex(16)}/photo.jpg", ContentFile(reencode(upload)))


@transaction.atomic
def worker_set_photo(*, actor, worker: Worker, upload, stored: str = "") -> Worker:
    """Replace (or with `upload=None`, remove) the worker's ID photo; audited without the image.

    `stored` is a photo `stage` stored already (an approved submission's)."""
    worker = lock(worker, "org")
    require_edit(actor, worker.org, "劳模信息")
    require_registry_write(actor, worker.org)
    before = worker.photo
    if stored:
        worker.photo = stored
    elif upload is None:
        worker.photo = ""
    else:
        jpeg = reencode(upload)
        worker.photo = default_storage.save(f"workers/photos/{secrets.token_hex(16)}/photo.jpg", ContentFile(jpeg))
    worker.save(update_fields=["photo", "updated_at"])
    if before:
        transaction.on_commit(lambda: default_storage.delete(before))
    changes = {"photo": ["有" if before else "无", "有" if worker.photo else "无"]}
    audit.record(actor=actor, action="workers.worker.photo", obj=worker, org=worker.org, changes=changes)
    record_change(worker=worker, kind="photo", actor=actor, rows=[["证件照", *changes["photo"]]])
    return worker


def photo_bytes(worker: Worker) -> bytes | None:
    if not worker.photo:
        return None
    try:
        with default_storage.open(worker.photo, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, OSError):
        return None


@transaction.atomic
def worker_save(*, actor, worker: Worker | None = None, photo=None, remove_photo: bool = False, honors=(),
                stored_photo: str = "", **data) -> Worker:
    """The worker form's save: create or update through the registry's services, then (for a new worker) the
    honors typed with it and the ID photo, at once. An honor's errors come back keyed `honor_<field>`;
    `stored_photo` is a photo staged already (an approved submission's)."""
    if worker is None:
        saved = services.worker_create(actor=actor, **data)
        for honor in honors:
            try:
                services.honor_add(actor=actor, worker=saved, **honor)
            except ValidationError as exc:
                if not hasattr(exc, "error_dict"):
                    raise
                raise ValidationError({f"honor_{key}": value for key, value in exc.message_dict.items()}) from exc
        if honors:
            saved.refresh_from_db(fields=["highest_level_rank"])
    else:
        saved = services.worker_update(actor=actor, worker=worker, **data)
    if stored_photo:
        saved = worker_set_photo(actor=actor, worker=saved, upload=None, stored=stored_photo)
    elif photo is not None:
        saved = worker_set_photo(actor=actor, worker=saved, upload=photo)
    elif remove_photo and saved.photo:
        saved = worker_set_photo(actor=actor, worker=saved, upload=None)
    return saved
