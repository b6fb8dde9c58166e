"""The satisfaction survey a participant answers after the trip (from the link or the QR code), and the
printed QR cards that carry the links."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from laomo.core import audit
from laomo.core.actors import person

from ..models import RATING_FIELDS, RATING_LABELS, ApplicationStatus, BatchStatus, RetreatApplication, SurveyResponse
from .common import check_edit


def survey_open_for(app: RetreatApplication) -> str | None:
    """None when the participant may answer now, else why not (Chinese)."""
    if app.status != ApplicationStatus.ATTENDED:
        return "只有实际参加的劳模才能填写本批次的满意度问卷。"
    if app.batch.status not in (BatchStatus.ONGOING, BatchStatus.COMPLETED):
        return "问卷在批次出发后开放。"
    if SurveyResponse.objects.filter(application=app).exists():
        return "您已提交过问卷,感谢您的评价。"
    return None


def _clean_ratings(ratings: dict, comment: str) -> tuple[dict, str]:
    unknown = set(ratings) - set(RATING_FIELDS)
    if unknown:
        raise TypeError(f"unknown rating {unknown}")
    errors, clean = {}, {}
    for name in RATING_FIELDS:
        try:
            value = int(ratings.get(name))
        except (TypeError, ValueError):
            errors[name] = f"请为“{RATING_LABELS[name]}”打分(1–5 分)。"
            continue
        if not 1 <= value <= 5:
            errors[name] = f"“{RATING_LABELS[name]}”的评分应为 1–5 分。"
        clean[name] = value
    comment = (comment or "").strip()
    if len(comment) > 1000:
        errors["comment"] = "意见建议最多 1000 字。"
    if errors:
        raise ValidationError(errors)
    return clean, comment


@transaction.atomic
def survey_submit(*, application: RetreatApplication, actor, comment: str = "", **ratings) -> SurveyResponse:
    """A participant's answers: `actor` is the logged-in participant, or PUBLIC from the survey link."""
    app = (RetreatApplication.objects.select_for_update(of=("self",)).select_related("batch", "worker", "org")
           .get(pk=application.pk))
    user = person(actor)
    if user is not None and app.worker.user_id not in (None, user.pk):
        raise PermissionDenied("只能填写本人的问卷。")
    closed = survey_open_for(app)
    if closed:
        raise ValidationError({"__all__": closed})
    clean, comment = _clean_ratings(ratings, comment)
    response = SurveyResponse(application=app, batch=app.batch, comment=comment, **clean)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError:
        raise ValidationError({"__all__": "您已提交过问卷,感谢您的评价。"})
    audit.record(actor=actor, action="retreats.survey.submit", obj=response, org=app.org,
                 object_repr=f"{app.batch.name} 问卷", username="" if user else "survey-link", changes=clean)
    return response


def survey_qr_issue(*, actor, batch, cards: int) -> None:
    """The organizer printed the participants' survey cards (each a personal link): audited."""
    check_edit(actor, batch.org)
    audit.record(actor=actor, action="retreats.survey.qr", obj=batch, org=batch.org, changes={"cards": cards})


def survey_links_issue(*, actor, batch, links: int) -> None:
    """The organizer read the participants' survey links (each a personal key) through the API: audited."""
    check_edit(actor, batch.org)
    audit.record(actor=actor, action="retreats.survey.links", obj=batch, org=batch.org, changes={"links": links})
