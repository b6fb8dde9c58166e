"""What the outreach services share: the edit check, text cleaning, campaign and worker picks."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError

from laomo.core.actors import is_system
from laomo.core.permissions import require_edit
from laomo.workers.models import Worker
from laomo.workers.selectors import worker_base

from ..selectors import campaign_base

WHAT = "宣讲宣传数据"  # in the refusal: 您没有维护宣讲宣传数据的权限。
MAX_PHOTOS = 30
MAX_AUDIENCE = 10_000_000
MAX_BATCH_DAYS = 92
ENCRYPTED_WORKER_FIELDS = ("id_number", "phone", "address")  # never decrypted just to name a speaker


def check_edit(actor, org) -> None:
    require_edit(actor, org, WHAT)


def text(value) -> str:
    return (value or "").strip() if isinstance(value, str) or value is None else str(value).strip()


def first_errors(errors: dict, exc: ValidationError) -> None:
    """Merge the first message of each field of `exc` into `errors`."""
    errors.update({k: v[0] for k, v in exc.message_dict.items()})


def visible_campaign(actor, campaign):
    if campaign is None:
        return None
    if campaign.is_deleted or (not is_system(actor) and not campaign_base(actor).filter(pk=campaign.pk).exists()):
        raise ValidationError({"campaign": "所选活动不存在或不在您的数据范围内。"})
    return campaign


def check_in_campaign(errors: dict, campaign, day: date | None, field: str = "date") -> None:
    if campaign is not None and day is not None and not (campaign.start_date <= day <= campaign.end_date):
        errors.setdefault(field, f"日期不在活动“{campaign.name}”的期间"
                                 f"({campaign.start_date:%Y-%m-%d} 至 {campaign.end_date:%Y-%m-%d})内。")


def workers_allowed(actor, worker_ids, *, already: set[int] | frozenset = frozenset(), field: str) -> dict:
    """Workers by id that the actor may pick (in their scope, or already on the record); refuse the others
    without saying whether they exist (a guessed id outside the scope looks like a missing one)."""
    worker_ids = [int(w) for w in worker_ids]
    base = Worker.objects.all() if is_system(actor) else worker_base(actor)
    found = {w.pk: w for w in base.filter(pk__in=worker_ids, is_deleted=False).defer(*ENCRYPTED_WORKER_FIELDS)}
    kept = [pk for pk in worker_ids if pk not in found and pk in already]
    if kept:  # on the record already (even if since moved out of scope or deleted): kept as they are
        found.update({w.pk: w for w in Worker.objects.filter(pk__in=kept).defer(*ENCRYPTED_WORKER_FIELDS)})
    refused = sorted({pk for pk in worker_ids if pk not in found})
    if refused:
        raise ValidationError({field: f"所选劳模(ID {', '.join(str(w) for w in refused)})"
                                      "不存在或不在您的数据范围内,不能选择。"})
    return found


def worker_id(value) -> int:
    return value.pk if isinstance(value, Worker) else int(value)
