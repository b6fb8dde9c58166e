"""Achievements of a studio (kinds from the data dictionary `achievement_kind`) and their evidence files."""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from laomo.core import audit, dictionary
from laomo.core.money import parse_money

from ..evidence import check_evidence
from ..models import ACHIEVEMENT_KIND, PATENT, Studio, StudioAchievement, evidence_path
from .common import check_may_edit, iso, not_future, raise_if, required


def _check_dates(studio: Studio, achieved_date: date | None, errors: dict) -> None:
    if achieved_date is None:
        errors["achieved_date"] = "请填写取得日期。"
        return
    not_future(errors, "achieved_date", achieved_date, "取得日期")
    if achieved_date < studio.founded_date:
        errors.setdefault("achieved_date", f"取得日期不能早于工作室创建日期 {studio.founded_date:%Y-%m-%d}。")
    if studio.revoked_date and achieved_date > studio.revoked_date:
        errors.setdefault("achieved_date", f"工作室已于 {studio.revoked_date:%Y-%m-%d} 撤销,之后的成果不能记入。")


def _benefit(value, errors: dict):
    try:
        return parse_money(value, field="economic_benefit", label="经济效益", allow_none=True)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


def _evidence(evidence, errors: dict):
    if not evidence:
        return None
    try:
        return check_evidence(evidence)
    except ValidationError as exc:
        errors.update(exc.message_dict)
        return None


@transaction.atomic
def achievement_add(*, actor, studio: Studio, kind: str, title: str, achieved_date: date | None,
                    patent_no: str = "", is_recognized: bool = True, recognized_by: str = "",
                    economic_benefit=None, credited=(), evidence=None) -> StudioAchievement:
    """An achievement with its credited members, optional economic benefit (Decimal ≥ 0) and evidence file."""
    check_may_edit(actor, studio.org)
    errors: dict = {}
    if not kind or not dictionary.is_valid(ACHIEVEMENT_KIND, kind):
        errors["kind"] = "请选择成果类别。"
    required(errors, "title", title, "请填写成果名称。")
    patent_no = (patent_no or "").replace(" ", "").replace(" ", "").upper() if kind == PATENT else ""
    if kind == PATENT and not patent_no:
        errors["patent_no"] = "专利成果须填写专利号(如 ZL202110123456.7)。"
    _check_dates(studio, achieved_date, errors)
    benefit = _benefit(economic_benefit, errors)
    members = list(credited or ())
    if any(m.studio_id != studio.pk for m in members):
        errors["credited"] = "完成人必须是本工作室的成员。"
    checked = _evidence(evidence, errors)
    raise_if(errors)
    achievement = StudioAchievement(studio=studio, kind=kind, title=title.strip(), achieved_date=achieved_date,
                                    patent_no=patent_no, is_recognized=bool(is_recognized),
                                    recognized_by=(recognized_by or "").strip(), economic_benefit=benefit)
    if checked is not None:
        _store_evidence(achievement, checked)
    achievement.full_clean()
    achievement.save()
    if members:
        achievement.credited.set(members)
    audit.record(actor=actor, action="studios.achievement.add", obj=achievement, org=studio.org, changes={
        "studio": studio.name, "kind": kind, "achieved_date": iso(achieved_date),
        "economic_benefit": iso(benefit), "credited": [m.name for m in members],
        "evidence": checked.name if checked else "",
    })
    return achievement


def _store_evidence(achievement: StudioAchievement, checked) -> None:
    achievement.evidence.save(f"e.{checked.ext}", ContentFile(checked.data), save=False)
    if checked.thumb:
        achievement.evidence_thumb.save(evidence_path(achievement, "t.jpg"), ContentFile(checked.thumb), save=False)
    else:
        achievement.evidence_thumb = ""
    achievement.evidence_name = checked.name
    achievement.evidence_type = checked.content_type
    achievement.evidence_size = len(checked.data)


@transaction.atomic
def achievement_attach_evidence(*, actor, achievement: StudioAchievement, evidence) -> StudioAchievement:
    """Attach or replace the evidence file (the old file stays in storage; the audit names both)."""
    studio = achievement.studio
    check_may_edit(actor, studio.org)
    if not evidence:
        raise ValidationError({"evidence": "请选择要上传的佐证材料。"})
    checked = check_evidence(evidence)
    old = achievement.evidence_name
    _store_evidence(achievement, checked)
    achievement.save()
    audit.record(actor=actor, action="studios.achievement.evidence", obj=achievement, org=studio.org,
                 changes={"evidence": [old, checked.name], "size": len(checked.data)})
    return achievement


@transaction.atomic
def achievement_withdraw(*, actor, achievement: StudioAchievement, reason: str) -> StudioAchievement:
    """Withdraw a wrongly recorded achievement (soft delete with reason; withdrawing twice is refused)."""
    studio = achievement.studio
    check_may_edit(actor, studio.org)
    if not (reason or "").strip():
        raise ValidationError({"reason": "请填写撤回原因。"})
    if achievement.is_deleted:
        raise ValidationError({"reason": "该成果已撤回。"})
    achievement.is_deleted, achievement.deleted_at = True, timezone.now()
    achievement.withdraw_reason = reason.strip()
    achievement.save(update_fields=["is_deleted", "deleted_at", "withdraw_reason", "updated_at"])
    audit.record(actor=actor, action="studios.achievement.withdraw", obj=achievement, org=studio.org,
                 changes={"reason": reason.strip()})
    return achievement
