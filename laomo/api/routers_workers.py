"""/api/v1/workers: the registry, scoped by the token's user (the same selectors as the pages).

Where the caller's change must be reviewed (`workers.gate.needs_review`, 报送→审核), the write becomes a
submission, as on the pages: 202 with the submission (routers_review.py), nothing in the registry yet.
"""

from datetime import date, datetime

from django.shortcuts import get_object_or_404
from ninja import File, Router, Schema, Status
from ninja.files import UploadedFile

from laomo.core.permissions import has_capability
from laomo.workers import gate, photos, review, selectors, services
from laomo.workers.history import KIND_LABELS
from laomo.workers.models import RANK_LEVEL, Worker

from .common import PageNo, Year, org_or_none, paged, requires, with_org
from .routers_review import SubmissionAccepted, accepted

router = Router(tags=["劳模库"])


class HonorOut(Schema):
    id: int
    level: str
    kind: str
    year: int | None
    title: str
    award_date: date | None = None
    awarding_body: str = ""
    document_no: str = ""
    certificate_no: str = ""


class WorkerItem(Schema):
    id: int
    worker_no: str
    name: str
    org: str
    org_name: str
    sex: str
    birth_date: date | None
    id_number: str
    employer: str
    employment_status: str
    highest_level: str | None
    incomplete: bool
    honors: list[HonorOut]


class WorkerDetail(WorkerItem):
    ethnicity: str
    phone: str
    address: str
    job_title: str
    industry: str
    political_status: str
    education: str
    status_date: date | None
    specialties: str
    showcase_consent: bool
    benefit_category: str = ""
    has_photo: bool = False
    pii_revealed: bool


class WorkerPage(Schema):
    items: list[WorkerItem]
    next: str | None


class WorkerIn(Schema):
    name: str
    org: str
    id_number: str = ""
    sex: str = ""
    birth_date: date | None = None
    phone: str = ""
    address: str = ""
    ethnicity: str = ""
    employer: str = ""
    job_title: str = ""
    industry: str = ""
    political_status: str = ""
    education: str = ""
    specialties: str = ""
    showcase_consent: bool = False
    note: str = ""
    benefit_category: str = ""


class WorkerPatch(Schema):
    name: str | None = None
    org: str | None = None
    id_number: str | None = None
    sex: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    address: str | None = None
    ethnicity: str | None = None
    employer: str | None = None
    job_title: str | None = None
    industry: str | None = None
    political_status: str | None = None
    education: str | None = None
    specialties: str | None = None
    showcase_consent: bool | None = None
    note: str | None = None
    benefit_category: str | None = None


class HonorIn(Schema):
    title: str
    year: Year | None = None
    award_date: date | None = None
    awarding_body: str = ""
    document_no: str = ""
    certificate_no: str = ""


def _item(worker: Worker, honors) -> dict:
    return {
        "id": worker.pk, "worker_no": worker.worker_no, "name": worker.name, "org": worker.org.code,
        "org_name": worker.org.name, "sex": worker.sex, "birth_date": worker.birth_date,
        "id_number": worker.id_number_masked, "employer": worker.employer,
        "employment_status": worker.employment_status, "highest_level": RANK_LEVEL.get(worker.highest_level_rank),
        "incomplete": worker.is_incomplete, "honors": honors,
    }


# `_item` from rows read with values() (the list: no model instances, the masked forms only, issue 16).
ITEM_VALUES = ("id", "worker_no", "name", "org__code", "org__name", "sex", "birth_date", "id_number_masked", "employer",
               "employment_status", "highest_level_rank", "is_incomplete")
HONOR_VALUES = tuple(HonorOut.model_fields)


def _items(rows: list[dict]) -> list[dict]:
    honors = selectors.honor_values_for([r["id"] for r in rows], HONOR_VALUES)
    return [{
        "id": r["id"], "worker_no": r["worker_no"], "name": r["name"], "org": r["org__code"],
        "org_name": r["org__name"], "sex": r["sex"], "birth_date": r["birth_date"], "id_number": r["id_number_masked"],
        "employer": r["employer"], "employment_status": r["employment_status"],
        "highest_level": RANK_LEVEL.get(r["highest_level_rank"]), "incomplete": r["is_incomplete"],
        "honors": honors[r["id"]],
    } for r in rows]


def _detail(request, worker: Worker) -> dict:
    """Full PII for a caller who may reveal it (the read audited by the service), masked otherwise."""
    reveal = has_capability(request.user, "reveal_pii")
    data = _item(worker, list(selectors.honors_of(worker=worker)))
    data.update({
        "ethnicity": worker.ethnicity, "job_title": worker.job_title, "industry": worker.industry,
        "political_status": worker.political_status, "education": worker.education,
        "status_date": worker.status_date, "specialties": worker.specialties,
        "showcase_consent": worker.showcase_consent, "pii_revealed": reveal,
        "benefit_category": worker.benefit_category, "has_photo": bool(worker.photo),
        "phone": worker.phone_masked, "address": "***" if worker.address else "",
    })
    if reveal:
        data.update(services.worker_pii(actor=request.user, worker=worker, purpose="api_detail"))
    return data


@router.get("/workers", response=WorkerPage, summary="劳模列表")
@requires("view_business")
def worker_list(request, q: str = "", id_number: str = "", org: str = "", level: str = "", kind: str = "",
                status: str = "", incomplete: bool | None = None, page: PageNo = 1):
    """Filters as on the list page; `id_number` is an exact match through the blind index."""
    filters = selectors.WorkerFilters(q=q, id_number=id_number, level=level, kind=kind, status=status,
                                      incomplete=incomplete, org=org_or_none(request, org))
    # The items carry the masked forms only: never decrypt ID number, phone and address for them (as the page).
    rows, nxt = paged(request, selectors.worker_list(user=request.user, filters=filters).values(*ITEM_VALUES), page)
    return {"items": _items(rows), "next": nxt}


@router.get("/workers/{worker_id}", response=WorkerDetail, summary="劳模详情")
@requires("view_business")
def worker_detail(request, worker_id: int):
    """Full PII for users who may reveal it (audited); masked for the others."""
    return _detail(request, selectors.worker_get(user=request.user, pk=worker_id))


@router.post("/workers", response={201: WorkerDetail, 202: SubmissionAccepted}, summary="登记劳模")
@requires("edit_business")
def worker_create(request, payload: WorkerIn):
    """201 with the new worker; 202 with the submission where the unit's changes are reviewed (报送)."""
    data = with_org(request, payload)
    if gate.needs_review(request.user, data["org"]):
        org = data.pop("org")
        return accepted(review.submit_worker_create(actor=request.user, org=org, fields=data))
    worker = services.worker_create(actor=request.user, **data)
    return Status(201, _detail(request, selectors.worker_get(user=request.user, pk=worker.pk)))


@router.patch("/workers/{worker_id}", response={200: WorkerDetail, 202: SubmissionAccepted}, summary="修改劳模信息")
@requires("edit_business")
def worker_update(request, worker_id: int, payload: WorkerPatch):
    """200 with the worker; 202 with the submission (only the fields that differ) where changes are reviewed."""
    worker = selectors.worker_get(user=request.user, pk=worker_id)
    changes = with_org(request, payload, partial=True)
    units = [worker.org] + ([changes["org"]] if changes.get("org") is not None else [])
    if any(gate.needs_review(request.user, unit) for unit in units):
        # null leaves a field as it is, as the service's direct update does
        fields = {key: value for key, value in changes.items() if value is not None}
        return accepted(review.submit_worker_update(actor=request.user, worker=worker, fields=fields))
    services.worker_update(actor=request.user, worker=worker, **changes)
    return _detail(request, selectors.worker_get(user=request.user, pk=worker_id))


@router.get("/workers/{worker_id}/honors", response=list[HonorOut], summary="劳模的荣誉")
@requires("view_business")
def honor_list(request, worker_id: int):
    return list(selectors.honors_of(worker=selectors.worker_get(user=request.user, pk=worker_id)))


@router.post("/workers/{worker_id}/honors", response={201: HonorOut, 202: SubmissionAccepted}, summary="添加荣誉")
@requires("edit_business")
def honor_create(request, worker_id: int, payload: HonorIn):
    """Level and kind are derived from the title by the org tree (龙泉市劳动模范 is county level).
    202 with the submission where the unit's changes are reviewed."""
    worker = selectors.worker_get(user=request.user, pk=worker_id)
    if gate.needs_review(request.user, worker.org):
        return accepted(review.submit_honor_add(actor=request.user, worker=worker, honor=payload.dict()))
    return Status(201, services.honor_add(actor=request.user, worker=worker, **payload.dict()))


@router.delete("/workers/{worker_id}/honors/{honor_id}", response={204: None, 202: SubmissionAccepted},
               summary="删除荣誉(软删除)")
@requires("edit_business")
def honor_delete(request, worker_id: int, honor_id: int, reason: str):
    """204; 202 with the submission where the unit's changes are reviewed."""
    worker = selectors.worker_get(user=request.user, pk=worker_id)
    honor = get_object_or_404(selectors.honors_of(worker=worker), pk=honor_id)
    if gate.needs_review(request.user, worker.org):
        return accepted(review.submit_honor_remove(actor=request.user, honor=honor, reason=reason))
    services.honor_remove(actor=request.user, honor=honor, reason=reason)
    return Status(204, None)


# --- history of approved changes --------------------------------------------------------------------------


class WorkerChangeRowOut(Schema):
    label: str
    old: str
    new: str


class WorkerChangeOut(Schema):
    id: int
    at: datetime
    kind: str
    kind_label: str
    actor: str
    approved_by: str
    direct: bool
    submission_id: int | None
    changes: list[WorkerChangeRowOut]


class WorkerChangePage(Schema):
    items: list[WorkerChangeOut]
    next: str | None


def _change(change) -> dict:
    approver = change.approved_by
    return {"id": change.pk, "at": change.at, "kind": change.kind,
            "kind_label": KIND_LABELS.get(change.kind, change.kind),
            "actor": change.actor_name, "approved_by": (approver.full_name or approver.username) if approver else "",
            "direct": change.direct, "submission_id": change.submission_id,
            "changes": [{"label": str(label), "old": str(old), "new": str(new)} for label, old, new in change.changes]}


@router.get("/workers/{worker_id}/history", response=WorkerChangePage, summary="劳模变更记录")
@requires("view_business")
def worker_history(request, worker_id: int, page: PageNo = 1):
    """Each change of the record, newest first: who made it (the submitting clerk), who approved it, and each
    field old → new (ID number, phone and address masked). `direct`: a reviewing unit's own edit."""
    worker = selectors.worker_get(user=request.user, pk=worker_id)
    rows, nxt = paged(request, selectors.history_of(worker=worker), page)
    return {"items": [_change(c) for c in rows], "next": nxt}


# --- status and login ----------------------------------------------------------------------------------


class WorkerStatusIn(Schema):
    status: str
    status_date: date | None = None


class WorkerStatusOut(Schema):
    id: int
    worker_no: str
    name: str
    employment_status: str
    status_date: date | None
    closed: list[str] = []


class WorkerLoginIn(Schema):
    username: str


class WorkerLoginOut(Schema):
    worker_id: int
    username: str
    created: bool
    password: str | None = None


@router.post("/workers/{worker_id}/status", response=WorkerStatusOut, summary="变更在职状态(退休、去世等)")
@requires("edit_business")
def worker_set_status(request, worker_id: int, payload: WorkerStatusIn):
    """`status`: active(在职)、retired(离退休)、laid_off、self_employed、other、deceased(去世)。
    退休和去世须填 `status_date`(不晚于今天);劳模从不删除,去世的劳模不再进入慰问、疗休养等名单。"""
    worker = selectors.worker_get(user=request.user, pk=worker_id)
    w = services.worker_set_status(actor=request.user, worker=worker, status=payload.status,
                                   status_date=payload.status_date)
    event = w.life_event  # what the death or retirement closed in the modules (workers/lifeevents.py)
    return {"id": w.pk, "worker_no": w.worker_no, "name": w.name, "employment_status": w.employment_status,
            "status_date": w.status_date, "closed": event.closed if event is not None else []}


@router.post("/workers/{worker_id}/grant-login", response={201: WorkerLoginOut}, summary="为劳模开通登录账号")
@requires("edit_business")
def worker_grant_login(request, worker_id: int, payload: WorkerLoginIn):
    """A new self-service account (role 劳模) linked to the worker; the initial password is answered once and
    must be changed at first login."""
    worker = selectors.worker_get(user=request.user, pk=worker_id)
    user, password = services.worker_grant_login(actor=request.user, worker=worker, username=payload.username)
    return Status(201, {"worker_id": worker.pk, "username": user.username, "created": True, "password": password})


@router.post("/workers/{worker_id}/link-login", response=WorkerLoginOut, summary="关联已有的劳模登录账号")
@requires("edit_business")
def worker_link_login(request, worker_id: int, payload: WorkerLoginIn):
    """An existing, active account with the 劳模 role, in the caller's scope and linked to no other worker."""
    worker = selectors.worker_get(user=request.user, pk=worker_id)
    user = services.worker_link_login(actor=request.user, worker=worker, username=payload.username)
    return {"worker_id": worker.pk, "username": user.username, "created": False}


# --- the ID photo ---------------------------------------------------------------------------------------


@router.post("/workers/{worker_id}/photo", response={200: WorkerDetail, 202: SubmissionAccepted},
             summary="上传证件照")
@requires("edit_business")
def worker_photo_upload(request, worker_id: int, photo: File[UploadedFile]):
    """JPG 或 PNG,不超过 5 MB(multipart 字段 `photo`);重新编码为 JPEG 并去除 EXIF,仅经授权接口读取。
    须报送审核的单位:202,新照片随报送,审核通过后启用。"""
    worker = selectors.worker_get(user=request.user, pk=worker_id)
    if gate.needs_review(request.user, worker.org):
        return accepted(review.submit_worker_update(actor=request.user, worker=worker, fields={}, photo=photo))
    photos.worker_set_photo(actor=request.user, worker=worker, upload=photo)
    return _detail(request, selectors.worker_get(user=request.user, pk=worker_id))


@router.delete("/workers/{worker_id}/photo", response={204: None, 202: SubmissionAccepted}, summary="删除证件照")
@requires("edit_business")
def worker_photo_delete(request, worker_id: int):
    """204; 202 with the submission where the unit's changes are reviewed."""
    worker = selectors.worker_get(user=request.user, pk=worker_id)
    if gate.needs_review(request.user, worker.org):
        return accepted(review.submit_worker_update(actor=request.user, worker=worker, fields={}, remove_photo=True))
    photos.worker_set_photo(actor=request.user, worker=worker, upload=None)
    return Status(204, None)
