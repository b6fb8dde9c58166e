"""班前十分钟: sessions one by one, repeated, or a month of them in one go."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from laomo.core import audit
from laomo.core.updates import model_update, snapshot, soft_delete
from laomo.workers.models import Worker

from ..models import Campaign, PreShiftSession, SessionForm, SessionShift, SessionStage
from .common import (
    MAX_BATCH_DAYS,
    WHAT,
    check_edit,
    check_in_campaign,
    first_errors,
    text,
    visible_campaign,
    workers_allowed,
)

SESSION_FIELDS = ("org", "enterprise", "workshop", "date", "shift", "speaker", "speaker_name", "topic", "stage",
                  "forms", "participants", "minutes", "campaign", "note")


def forms_value(forms) -> str:
    """The stored form of the forms used: ',reading,video,' (known codes, sorted)."""
    if isinstance(forms, str):
        forms = [f for f in forms.split(",") if f]
    unknown = [f for f in forms or [] if f not in SessionForm.values]
    if unknown:
        raise ValidationError({"forms": f"未知的形式:{'、'.join(unknown)}。"})
    codes = sorted(set(forms or []))
    return f",{','.join(codes)}," if codes else ""


def _clean_counts(s: PreShiftSession, errors: dict) -> None:
    for field, label in (("participants", "参加人数"), ("minutes", "时长")):
        try:
            value = int(getattr(s, field) if getattr(s, field) not in (None, "") else 0)
        except (TypeError, ValueError):
            errors[field] = f"{label}应为整数。"
            continue
        setattr(s, field, value)
    if "participants" not in errors and s.participants < 0:
        errors["participants"] = "参加人数不能小于 0。"
    if "minutes" not in errors and not 1 <= s.minutes <= 120:
        errors["minutes"] = "时长应在 1 至 120 分钟之间。"


def _clean_fields(s: PreShiftSession, errors: dict) -> None:
    s.enterprise, s.workshop, s.topic = text(s.enterprise), text(s.workshop), text(s.topic)
    s.speaker_name, s.note = text(s.speaker_name), text(s.note)
    if not s.enterprise:
        errors["enterprise"] = "请填写企业名称。"
    if not s.topic:
        errors["topic"] = "请填写主题。"
    if s.date is None:
        errors["date"] = "请填写日期。"
    elif s.date > timezone.localdate():
        errors["date"] = "班前十分钟只登记已开展的场次,日期不能晚于今天。"
    if s.shift not in SessionShift.values:
        errors["shift"] = "请选择时段。"
    if s.stage not in SessionStage.values:
        errors["stage"] = "请选择阶段。"
    try:
        s.forms = forms_value(s.forms)
    except ValidationError as exc:
        first_errors(errors, exc)
    _clean_counts(s, errors)


def _clean_speaker(actor, s: PreShiftSession, errors: dict, already_speaker: int | None) -> None:
    if s.speaker_id is None and not s.speaker_name:
        errors["speaker"] = "请选择主讲劳模或填写其他主讲人。"
    elif s.speaker_id is not None:
        try:
            workers_allowed(actor, [s.speaker_id], already={already_speaker} if already_speaker else set(),
                            field="speaker")
        except ValidationError as exc:
            first_errors(errors, exc)


def _clean_session(actor, s: PreShiftSession, *, already_speaker: int | None = None) -> None:
    errors = {}
    _clean_fields(s, errors)
    _clean_speaker(actor, s, errors, already_speaker)
    try:
        s.campaign = visible_campaign(actor, s.campaign)
    except ValidationError as exc:
        first_errors(errors, exc)
    else:
        check_in_campaign(errors, s.campaign, s.date)
    if not errors and s.date is not None:
        clash = PreShiftSession.objects.filter(is_deleted=False, enterprise=s.enterprise, workshop=s.workshop,
                                               date=s.date, shift=s.shift).exclude(pk=s.pk)
        if clash.exists():
            errors["date"] = (f"{s.enterprise}{s.workshop and ' ' + s.workshop} {s.date:%Y-%m-%d}"
                              f"{SessionShift(s.shift).label}已有记录。")
    if errors:
        raise ValidationError(errors)


def session_check(*, actor, session: PreShiftSession | None = None, **data) -> None:
    probe = PreShiftSession(**{k: v for k, v in data.items() if k in SESSION_FIELDS})
    if session is not None:
        probe.pk = session.pk
    _clean_session(actor, probe, already_speaker=session.speaker_id if session else None)


@transaction.atomic
def session_create(*, actor, org, enterprise: str, date: date, topic: str, workshop: str = "",
                   shift: str = SessionShift.BEFORE, speaker: Worker | None = None, speaker_name: str = "",
                   stage: str = SessionStage.THEORY, forms=(), participants: int = 0, minutes: int = 10,
                   campaign: Campaign | None = None, note: str = "") -> PreShiftSession:
    check_edit(actor, org)
    session = PreShiftSession(org=org, enterprise=enterprise, workshop=workshop, date=date, shift=shift,
                              speaker=speaker, speaker_name=speaker_name, topic=topic, stage=stage, forms=forms,
                              participants=participants, minutes=minutes, campaign=campaign, note=note)
    _clean_session(actor, session)
    try:
        with transaction.atomic():
            session.save()
    except IntegrityError as exc:  # a concurrent entry of the same shift
        raise ValidationError({"date": "该企业车间当天该时段已有记录。"}) from exc
    audit.record(actor=actor, action="outreach.session.create", obj=session, org=org,
                 changes=snapshot(session, SESSION_FIELDS))
    return session


@transaction.atomic
def session_update(*, actor, session: PreShiftSession, **changes) -> PreShiftSession:
    already = PreShiftSession.objects.filter(pk=session.pk).values_list("speaker_id", flat=True).first()
    return model_update(session, fields=SESSION_FIELDS, data=changes, actor=actor, action="outreach.session.update",
                        what=WHAT, clean=lambda obj: _clean_session(actor, obj, already_speaker=already))


def session_delete(*, actor, session: PreShiftSession, reason: str) -> PreShiftSession:
    return soft_delete(session, actor=actor, action="outreach.session.delete", reason=reason, what=WHAT)


def next_session_date(session: PreShiftSession) -> date:
    """The day after the latest session of the same enterprise, workshop and shift."""
    latest = (PreShiftSession.objects.filter(is_deleted=False, enterprise=session.enterprise,
                                             workshop=session.workshop, shift=session.shift)
              .order_by("-date").values_list("date", flat=True).first()) or session.date
    return latest + timedelta(days=1)


def _campaign_on(session: PreShiftSession, day: date):
    campaign = session.campaign
    if campaign and not campaign.is_deleted and campaign.start_date <= day <= campaign.end_date:
        return campaign
    return None


@transaction.atomic
def session_repeat(*, actor, session: PreShiftSession, date: date | None = None, topic: str | None = None
                   ) -> PreShiftSession:
    """重复上一场: the same session again, on `date` or the day after the latest of its enterprise/workshop."""
    day = date or next_session_date(session)
    if day > timezone.localdate():
        raise ValidationError({"date": f"{session.enterprise}{session.workshop and ' ' + session.workshop}"
                                       f"已登记到 {day - timedelta(days=1):%Y-%m-%d},不能登记今天之后的场次。"})
    return session_create(
        actor=actor, org=session.org, enterprise=session.enterprise, workshop=session.workshop, date=day,
        shift=session.shift, speaker=session.speaker, speaker_name=session.speaker_name,
        topic=topic if topic is not None else session.topic, stage=session.stage, forms=session.forms,
        participants=session.participants, minutes=session.minutes, campaign=_campaign_on(session, day),
        note=session.note)


# --- a run of sessions -----------------------------------------------------------------------------------


@dataclass
class BatchResult:
    created: list[PreShiftSession]
    skipped: list[date]


def _batch_errors(date_from, date_to, weekdays: set, topics: list) -> dict:
    errors = {}
    if date_from is None:
        errors["date_from"] = "请填写开始日期。"
    if date_to is None:
        errors["date_to"] = "请填写结束日期。"
    if date_from and date_to:
        if date_to < date_from:
            errors["date_to"] = "结束日期不能早于开始日期。"
        elif date_to > timezone.localdate():
            errors["date_to"] = "只登记已开展的场次,结束日期不能晚于今天。"
        elif (date_to - date_from).days + 1 > MAX_BATCH_DAYS:
            errors["date_to"] = f"一次最多登记 {MAX_BATCH_DAYS} 天。"
    if not weekdays or not weekdays <= set(range(7)):
        errors["weekdays"] = "请选择开展的星期。"
    if not topics:
        errors["topics"] = "请至少填写一个主题。"
    elif any(len(t) > 200 for t in topics):
        errors["topics"] = "每个主题最多 200 字。"
    return errors


def _batch_template(actor, template: PreShiftSession, days: list[date]) -> None:
    """The fields common to the run, checked as one session (its date aside); the run within the campaign."""
    try:
        _clean_session(actor, template)
    except ValidationError as exc:
        errors = {k: v for k, v in exc.message_dict.items() if k != "date"}
        if errors:
            raise ValidationError(errors) from None
    if template.campaign is not None:
        errors = {}
        check_in_campaign(errors, template.campaign, days[0], "date_from")
        check_in_campaign(errors, template.campaign, days[-1], "date_to")
        if errors:
            raise ValidationError(errors)


@transaction.atomic
def session_batch(*, actor, org, enterprise: str, date_from: date, date_to: date, weekdays, topics,
                  workshop: str = "", shift: str = SessionShift.BEFORE, speaker: Worker | None = None,
                  speaker_name: str = "", stage: str = SessionStage.THEORY, forms=(), participants: int = 0,
                  minutes: int = 10, campaign: Campaign | None = None, note: str = "") -> BatchResult:
    """A run of sessions (a month of daily sessions in one go): one per chosen weekday in the period,
    topics used in turn; days already recorded for that enterprise/workshop/shift are skipped."""
    check_edit(actor, org)
    weekdays = {int(w) for w in weekdays or []}
    topics = [t.strip() for t in (topics.splitlines() if isinstance(topics, str) else topics or []) if t.strip()]
    errors = _batch_errors(date_from, date_to, weekdays, topics)
    if errors:
        raise ValidationError(errors)
    days = [date_from + timedelta(days=i) for i in range((date_to - date_from).days + 1)]
    days = [d for d in days if d.weekday() in weekdays]
    if not days:
        raise ValidationError({"weekdays": "所选期间内没有所选星期的日期。"})
    template = PreShiftSession(org=org, enterprise=enterprise, workshop=workshop, date=days[0], shift=shift,
                               speaker=speaker, speaker_name=speaker_name, topic=topics[0], stage=stage, forms=forms,
                               participants=participants, minutes=minutes, campaign=campaign, note=note)
    _batch_template(actor, template, days)
    taken = set(PreShiftSession.objects.filter(
        is_deleted=False, enterprise=template.enterprise, workshop=template.workshop, shift=shift,
        date__range=(days[0], days[-1])).values_list("date", flat=True))
    created = PreShiftSession.objects.bulk_create([
        PreShiftSession(org=org, enterprise=template.enterprise, workshop=template.workshop, date=day, shift=shift,
                        speaker=template.speaker, speaker_name=template.speaker_name, topic=topics[i % len(topics)],
                        stage=template.stage, forms=template.forms, participants=template.participants,
                        minutes=template.minutes, campaign=template.campaign, note=template.note)
        for i, day in enumerate(days) if day not in taken])
    skipped = [d for d in days if d in taken]
    audit.record(actor=actor, action="outreach.session.batch", object_type="outreach.preshiftsession",
                 object_repr=f"{template.enterprise} {len(created)} 场", org=org,
                 changes={"enterprise": template.enterprise, "workshop": template.workshop,
                          "from": days[0].isoformat(), "to": days[-1].isoformat(), "created": len(created),
                          "skipped": [d.isoformat() for d in skipped]})
    return BatchResult(created=created, skipped=skipped)
