"""Writes of the model-worker registry. Every function validates, saves and audits in one transaction."""

from __future__ import annotations

from datetime import date
from functools import lru_cache
from itertools import islice, product

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from pypinyin import Style, lazy_pinyin, pinyin

from laomo.core import audit
from laomo.core.actors import SYSTEM
from laomo.core.exports import record_export
from laomo.core.idnumber import (
    IdNumberError,
    PhoneError,
    mask_id_number,
    mask_phone,
    mask_text,
    normalize_phone,
    parse_id_number,
)
from laomo.core.permissions import has_capability, require_capability, require_edit
from laomo.core.scope import ensure_org_in_scope, org_in_scope
from laomo.core.services import counter_allocate, notify
from laomo.core.updates import lock, model_update
from laomo.orgs.models import OrgUnit, User
from laomo.orgs.selectors import staff_responsible_for
from laomo.orgs.services import user_create

from . import selectors
from .decisions import APPLICABLE, MATCHED, NEW
from .export import write_roster
from .gate import require_registry_write
from .history import bulk_record, record_change
from .indexes import id_index, phone_index
from .lifeevents import life_event_record
from .models import LEVEL_RANK, EmploymentStatus, Honor, HonorKind, HonorLevel, Worker
from .parsing import LISHUI_PLACES, HonorParseError, Place, make_place_kind, parse_honor

# Fields a form or the API may set directly (PII handled separately).
PLAIN_FIELDS = (
    "name", "sex", "ethnicity", "birth_date", "employer", "job_title", "industry", "political_status",
    "education", "specialties", "showcase_consent", "note", "benefit_category",
)
PII_FIELDS = ("id_number", "phone", "address")
# What the refusals name: 您没有维护劳模信息的权限。
WHAT = "劳模信息"


# --- derived values ----------------------------------------------------------------------------------


# Surnames whose reading differs from the character's common reading.
SURNAME_READINGS = {"曾": "zeng", "单": "shan", "仇": "qiu", "解": "xie", "乐": "yue", "查": "zha", "朴": "piao",
                    "区": "ou", "盖": "ge", "缪": "miao", "翟": "zhai", "尉": "yu", "覃": "qin", "黑": "he",
                    "种": "chong", "员": "yun", "能": "nai", "召": "shao", "繁": "po", "宿": "su", "祭": "zhai"}
MAX_PINYIN_VARIANTS = 6


@lru_cache(maxsize=65536)
def name_pinyin(name: str) -> tuple[str, str]:
    """('zhangsan', 'zs') for 张三.

    The first reading is the likely one (surname readings such as 曾 zeng, 单 shan fixed); other
    readings of heteronyms follow after spaces (叶长文: 'yezhangwen yechangwen ...'), so a search
    matches either reading: prefix on the first, ' '+query anywhere for the others.
    """
    primary = lazy_pinyin(name, style=Style.NORMAL, errors=lambda s: list(s.lower()))
    if name and name[0] in SURNAME_READINGS and primary:
        primary[0] = SURNAME_READINGS[name[0]]
    readings = pinyin(name, style=Style.NORMAL, heteronym=True, errors=lambda s: list(s.lower()))
    if len(readings) == len(primary):
        readings = [[p] + [r for r in rs if r != p] for p, rs in zip(primary, readings, strict=True)]
        variants = [list(v) for v in islice(product(*readings), MAX_PINYIN_VARIANTS)]
    else:
        variants = [primary]
    fulls, initials = [], []
    for variant in variants:
        full = "".join(variant).lower()
        initial = "".join(s[0] for s in variant if s).lower()
        if full not in fulls:
            fulls.append(full)
        if initial not in initials:
            initials.append(initial)
    return " ".join(fulls)[:120].strip(), " ".join(initials)[:30].strip()


def allocate_worker_numbers(count: int) -> list[str]:
    return [f"LM{n:07d}" for n in counter_allocate("worker_no", count)]


def place_kind_from_orgs():
    """`place_kind(name)` built from the org tree: a county-level unit is 'county', the city 'city'.

    So 龙泉市劳动模范 is county-level because 龙泉市 is a county unit in the tree, while
    丽水市劳动模范 is municipal; the 市 character decides nothing.
    """
    places = list(LISHUI_PLACES)
    for org in OrgUnit.objects.filter(kind__in=["city", "county"]).only("code", "name", "short_name", "kind"):
        names = {org.short_name, org.name.removesuffix("总工会")} - {""}
        for name in names:
            places.append(Place(org.code, name, org.kind, ()))
    return make_place_kind(places)


def mask_for_audit(field: str, value) -> str:
    if value in (None, ""):
        return ""
    if field == "id_number":
        return mask_id_number(value)
    if field == "phone":
        return mask_phone(value)
    return mask_text(str(value))


# --- identity ------------------------------------------------------------------------------------------


def apply_identity(worker: Worker, *, id_number: str, sex: str = "", birth_date: date | None = None) -> list[str]:
    """Set the ID number and what it implies; returns warnings. Raises ValidationError (Chinese)."""
    warnings: list[str] = []
    if not id_number:
        worker.id_number = ""
        worker.id_number_index = None
        worker.id_number_masked = ""
        worker.sex = sex or worker.sex
        worker.birth_date = birth_date or worker.birth_date
        return ["未填写身份证号,已标记为待补全"]
    try:
        info = parse_id_number(id_number)
    except IdNumberError as exc:
        raise ValidationError({"id_number": str(exc)}) from exc
    errors = {}
    if birth_date and birth_date != info.birth_date:
        # A month-only birth date (day 1) that matches year and month is consistent.
        if not (birth_date.day == 1 and (birth_date.year, birth_date.month) == (info.birth_date.year,
                                                                                  info.birth_date.month)):
            errors["birth_date"] = f"出生日期与身份证号不符(身份证号显示为 {info.birth_date:%Y-%m-%d})。"
    if sex and sex != info.sex:
        errors["sex"] = f"性别与身份证号不符(身份证号显示为{'男' if info.sex == 'M' else '女'})。"
    if errors:
        raise ValidationError(errors)
    worker.id_number = info.number
    worker.id_number_index = id_index(info.number)
    worker.id_number_masked = mask_id_number(info.number)
    worker.sex = info.sex
    worker.birth_date = info.birth_date
    return warnings


def apply_phone(worker: Worker, phone: str) -> None:
    if not phone:
        worker.phone, worker.phone_index, worker.phone_masked = "", "", ""
        return
    try:
        normalized = normalize_phone(phone)
    except PhoneError as exc:
        raise ValidationError({"phone": str(exc)}) from exc
    worker.phone = normalized
    worker.phone_index = phone_index(normalized)
    worker.phone_masked = mask_phone(normalized)


# The refusal of an ID number registered to a worker the actor may not see: it names no person,
# number or unit, so an ID number typed on a form cannot be used to look up another county's people.
DUPLICATE_ID_ELSEWHERE = "该身份证号已登记,不能重复登记;如需调整请联系市级管理员。"


def duplicate_id_message(*, actor, other: Worker, detail: str) -> str:
    """`detail` (naming the registered worker) when `actor` may see `other`, else the neutral refusal.

    SYSTEM (management commands, demo data) sees everything. The page form, the API and the roster
    import all decide through here.
    """
    if actor is SYSTEM or org_in_scope(actor, other.org):
        return detail
    return DUPLICATE_ID_ELSEWHERE


def _check_duplicate_id(worker: Worker, *, actor) -> None:
    if worker.id_number_index is None:
        return
    other = (Worker.objects.filter(id_number_index=worker.id_number_index).exclude(pk=worker.pk)
             .select_related("org").first())
    if other is not None:
        raise ValidationError({"id_number": duplicate_id_message(
            actor=actor, other=other, detail=f"该身份证号已登记为劳模 {other.name}(编号 {other.worker_no})。")})


def _audit_snapshot(worker: Worker) -> dict:
    snap = {f: getattr(worker, f) for f in PLAIN_FIELDS}
    snap.update({f: mask_for_audit(f, getattr(worker, f)) for f in PII_FIELDS})
    snap["org"] = worker.org.code if worker.org_id else ""
    snap["employment_status"] = worker.employment_status
    snap["status_date"] = worker.status_date
    return {k: (v.isoformat() if isinstance(v, date) else v) for k, v in snap.items()}


# --- workers -------------------------------------------------------------------------------------------


@transaction.atomic
def worker_create(*, actor, org: OrgUnit, name: str, id_number: str = "", phone: str = "", address: str = "",
                  sex: str = "", birth_date: date | None = None, employment_status: str = EmploymentStatus.ACTIVE,
                  status_date: date | None = None, **fields) -> Worker:
    require_edit(actor, org, WHAT)
    require_registry_write(actor, org)
    worker = Worker(org=org, name=name.strip(), employment_status=employment_status, status_date=status_date)
    for key, value in fields.items():
        if key not in PLAIN_FIELDS:
            raise TypeError(f"unknown worker field {key}")
        setattr(worker, key, value)
    apply_identity(worker, id_number=id_number, sex=sex, birth_date=birth_date)
    apply_phone(worker, phone)
    worker.address = address.strip()
    worker.name_pinyin, worker.name_initials = name_pinyin(worker.name)
    if worker.showcase_consent:
        worker.showcase_consent_date = timezone.localdate()
    worker.worker_no = allocate_worker_numbers(1)[0]
    _check_duplicate_id(worker, actor=actor)
    worker.full_clean(exclude=["id_number_index", "is_incomplete"])
    worker.save()
    snap = _audit_snapshot(worker)
    audit.record(actor=actor, action="workers.worker.create", obj=worker, org=org, changes=snap)
    record_change(worker=worker, kind="create", actor=actor,
                  diff={k: ["", org.name if k == "org" else v] for k, v in snap.items() if v not in ("", None, False)})
    return worker


IDENTITY_FIELDS = ("id_number", "sex", "birth_date")


def worker_update(*, actor, worker: Worker, **changes) -> Worker:
    """Update plain fields, PII (id_number, phone, address) and the managing unit (`org`).

    None leaves a field as it is (an API PATCH with `"name": null` erases nothing); "" clears a text field.
    """
    changes = {key: value for key, value in changes.items() if value is not None}
    identity = {key: changes.pop(key) for key in IDENTITY_FIELDS if key in changes}
    contact = {key: changes.pop(key) for key in ("phone", "address") if key in changes}
    data = {key: value.strip() if isinstance(value, str) else value for key, value in changes.items()}
    consent = {}

    snaps: list[dict] = []

    def remember(locked: Worker) -> None:
        require_registry_write(actor, locked.org)
        if data.get("org") is not None and data["org"].pk != locked.org_id:
            require_registry_write(actor, data["org"])
        consent["before"] = locked.showcase_consent

    def snap(w: Worker) -> dict:
        snaps.append(_audit_snapshot(w))
        return snaps[-1]

    def clean(updated: Worker) -> None:
        if identity:  # the identity fields are checked together
            apply_identity(updated, id_number=identity.get("id_number", updated.id_number),
                           sex=identity.get("sex") or "", birth_date=identity.get("birth_date"))
        if "phone" in contact:
            apply_phone(updated, contact["phone"])
        if "address" in contact:
            updated.address = (contact["address"] or "").strip()
        if updated.showcase_consent != consent["before"]:
            updated.showcase_consent_date = timezone.localdate()
        updated.name_pinyin, updated.name_initials = name_pinyin(updated.name)
        _check_duplicate_id(updated, actor=actor)
        updated.full_clean(exclude=["id_number_index", "is_incomplete"])

    with transaction.atomic():
        updated = model_update(worker, fields=(*PLAIN_FIELDS, "org"), data=data, actor=actor,
                               action="workers.worker.update", what=WHAT, check=remember, clean=clean, snap=snap)
        if len(snaps) == 2:
            diff = audit.diff(snaps[0], snaps[1])
            if "org" in diff:  # the history names the units, the audit log their codes
                names = dict(OrgUnit.objects.filter(code__in=diff["org"]).values_list("code", "name"))
                diff["org"] = [names.get(code, code) for code in diff["org"]]
            record_change(worker=updated, kind="update", diff=diff, actor=actor)
    return updated


def worker_set_status(*, actor, worker: Worker, status: str, status_date: date | None) -> Worker:
    """Retire, mark deceased (with date) or restore; a worker is never deleted."""
    if status not in EmploymentStatus.values:
        raise ValidationError({"employment_status": "未知的在职状态。"})
    if status in (EmploymentStatus.DECEASED, EmploymentStatus.RETIRED) and status_date is None:
        raise ValidationError({"status_date": "请填写状态变更日期(退休或去世日期)。"})
    if status_date and status_date > timezone.localdate():
        raise ValidationError({"status_date": "状态变更日期不能晚于今天。"})
    before, before_date = worker.employment_status, worker.status_date
    worker = model_update(
        worker, fields=("employment_status", "status_date"), data={"employment_status": status,
                                                                   "status_date": status_date},
        actor=actor, action="workers.worker.status", what=WHAT,
        clean=lambda w: w.full_clean(exclude=["id_number_index", "is_incomplete"]),
        snap=lambda w: {"employment_status": w.employment_status, "status_date": str(w.status_date or "")})
    record_change(worker=worker, kind="status", actor=actor,
                  diff={"employment_status": [before, worker.employment_status],
                        "status_date": [str(before_date or ""), str(worker.status_date or "")]})
    # 去世 / 退休: every module closes what must close, in this transaction (workers/lifeevents.py).
    worker.life_event = life_event_record(worker=worker, before=before, actor=actor)
    return worker


def _require_reveal(actor, worker: Worker) -> None:
    if actor is not SYSTEM and not has_capability(actor, "reveal_pii"):
        raise PermissionDenied("您没有查看完整个人信息的权限。")
    ensure_org_in_scope(actor, worker.org)


def worker_reveal(*, actor, worker: Worker, field: str) -> str:
    """The full value of a PII field for a user allowed to see it; every reveal is audited."""
    if field not in PII_FIELDS:
        raise ValidationError("未知字段。")
    _require_reveal(actor, worker)
    value = getattr(worker, field)
    audit.record(actor=actor, action="core.pii.reveal", obj=worker, org=worker.org,
                 changes={"field": field, "masked": mask_for_audit(field, value)})
    return value


def worker_pii(*, actor, worker: Worker, purpose: str = "edit_form") -> dict:
    """The full PII values, for a form to start from (`edit_form`) or the API's detail (`api_detail`);
    every such read is a reveal, audited."""
    _require_reveal(actor, worker)
    audit.record(actor=actor, action="core.pii.reveal", obj=worker, org=worker.org,
                 changes={"field": purpose, "masked": mask_for_audit("id_number", worker.id_number)})
    return {field: getattr(worker, field) for field in PII_FIELDS}


def worker_pii_for_edit(*, actor, worker: Worker) -> dict:
    """The full PII values an edit form starts from; opening the form is a reveal, audited."""
    return worker_pii(actor=actor, worker=worker, purpose="edit_form")


@transaction.atomic
def worker_update_contact(*, actor, worker: Worker, phone: str, address: str) -> Worker:
    """A worker corrects their own contact details; the county staff are notified."""
    if worker.user_id is None or worker.user_id != actor.pk:
        raise PermissionDenied("只能修改本人的联系方式。")
    worker = lock(worker, "org")
    before = {"phone": mask_for_audit("phone", worker.phone), "address": mask_for_audit("address", worker.address)}
    apply_phone(worker, phone)
    worker.address = address.strip()
    worker.save(update_fields=["phone", "phone_index", "phone_masked", "address", "updated_at"])
    after = {"phone": mask_for_audit("phone", worker.phone), "address": mask_for_audit("address", worker.address)}
    diff = audit.diff(before, after)
    if diff:
        audit.record(actor=actor, action="workers.worker.self_update_contact", obj=worker, org=worker.org, changes=diff)
        record_change(worker=worker, kind="contact", diff=diff, actor=actor)
        notify(recipients=staff_responsible_for(worker.org),
               text=f"劳模 {worker.name} 更新了本人联系方式", url=reverse("workers:detail", args=[worker.pk]))
    return worker


@transaction.atomic
def worker_grant_login(*, actor, worker: Worker, username: str) -> tuple:
    """Give a worker a self-service account (role `worker`) linked to their record."""
    require_edit(actor, worker.org, WHAT)
    if worker.user_id:
        raise ValidationError({"username": f"该劳模已有登录账号 {worker.user.username}。"})
    user, password = user_create(actor=actor, username=username, org=worker.org, roles=["worker"],
                                 full_name=worker.name)
    Worker.objects.filter(pk=worker.pk).update(user=user)
    worker.user = user
    audit.record(actor=actor, action="workers.worker.grant_login", obj=worker, org=worker.org,
                 changes={"username": username})
    return user, password


def _account_to_link(actor, username: str) -> User:
    """An active self-service (劳模 role) account in the actor's scope, linked to no other worker; the same
    answer for a missing account and one out of scope (a guessed name tells nothing)."""
    user = User.objects.filter(username__iexact=(username or "").strip()).select_related("org").first()
    if user is None or not (actor is SYSTEM or org_in_scope(actor, user.org)):
        raise ValidationError({"username": f"账号 {username} 不存在或不在您的数据范围内。"})
    if not user.is_active:
        raise ValidationError({"username": f"账号 {user.username} 已停用。"})
    if not user.has_role("worker"):
        raise ValidationError({"username": "只能关联具有“劳模”角色的账号。"})
    other = Worker.objects.filter(user=user).first()
    if other is not None:
        raise ValidationError({"username": f"账号 {user.username} 已关联劳模 {other.worker_no}。"})
    return user


@transaction.atomic
def worker_link_login(*, actor, worker: Worker, username: str) -> User:
    """Link a worker to an existing self-service account (an account made before the record, or migrated)."""
    worker = lock(worker, "org", "user")
    require_edit(actor, worker.org, WHAT)
    if worker.user_id:
        raise ValidationError({"username": f"该劳模已有登录账号 {worker.user.username}。"})
    user = _account_to_link(actor, username)
    worker.user = user
    worker.save(update_fields=["user", "updated_at"])
    audit.record(actor=actor, action="workers.worker.link_login", obj=worker, org=worker.org,
                 changes={"username": user.username})
    return user


EXPORT_WHAT = "劳模名册"


def export_action(full: bool) -> str:
    return "workers.worker.export_full" if full else "workers.worker.export"


def export_allowed(*, actor, full: bool) -> None:
    """Full PII (ID numbers, phones, addresses) only with `export_pii`; masked exports for any viewer."""
    if full and actor is not SYSTEM and not has_capability(actor, "export_pii"):
        raise PermissionDenied("您没有导出完整个人信息的权限。")


def worker_export(*, actor, qs, full: bool, target, query: str = "", progress=None) -> int:
    """Write the scoped, filtered roster to `target`; full PII only with `export_pii`, always audited."""
    export_allowed(actor=actor, full=full)
    count = write_roster(target, qs, full=full, progress=progress)
    record_export(actor=actor, action=export_action(full), what=EXPORT_WHAT, count=count, query=query,
                  object_type="workers.worker")
    return count


# --- honors --------------------------------------------------------------------------------------------


def recompute_highest_levels(worker_ids) -> None:
    """Derive each worker's highest honor level from their live honors."""
    worker_ids = list(worker_ids)
    best: dict[int, int] = {pk: 0 for pk in worker_ids}
    for start in range(0, len(worker_ids), 900):
        chunk = worker_ids[start:start + 900]
        for worker_id, level in (Honor.objects.filter(worker_id__in=chunk, is_deleted=False)
                                 .values_list("worker_id", "level").distinct()):
            best[worker_id] = max(best[worker_id], LEVEL_RANK[level])
    by_rank: dict[int, list[int]] = {}
    for pk, rank in best.items():
        by_rank.setdefault(rank, []).append(pk)
    for rank, pks in by_rank.items():
        for start in range(0, len(pks), 900):
            Worker.objects.filter(pk__in=pks[start:start + 900]).exclude(highest_level_rank=rank).update(
                highest_level_rank=rank)


def parse_honor_title(title: str) -> tuple[str, str, int | None, str]:
    """(level, kind, year, title without the year) — the title is stored as the importer stores it, so
    '2015年浙江省劳动模范' typed on the form and 浙江省劳动模范/2015 in a roster are the same honor."""
    try:
        parsed = parse_honor(title, place_kind_from_orgs())
    except HonorParseError as exc:
        raise ValidationError({"title": str(exc)}) from exc
    if len(parsed) != 1:
        raise ValidationError({"title": "请一次填写一个荣誉称号。"})
    return parsed[0].level, parsed[0].kind, parsed[0].year, parsed[0].title


@transaction.atomic
def honor_add(*, actor, worker: Worker, title: str, year: int | None = None, award_date: date | None = None,
              awarding_body: str = "", document_no: str = "", level: str = "", kind: str = "",
              certificate_no: str = "") -> Honor:
    require_edit(actor, worker.org, WHAT)
    require_registry_write(actor, worker.org)
    parsed_level, parsed_kind, parsed_year, title = parse_honor_title(title.strip())
    level = level or parsed_level
    kind = kind or parsed_kind
    year = year or (award_date.year if award_date else None) or parsed_year
    if level not in HonorLevel.values or kind not in HonorKind.values:
        raise ValidationError({"title": "荣誉级别或类别无效。"})
    if year and worker.birth_date and year < worker.birth_date.year + 16:
        raise ValidationError({"year": f"获评年份 {year} 早于本人年满16周岁,请核对。"})
    if year and year > timezone.localdate().year:
        raise ValidationError({"year": "获评年份不能晚于今年。"})
    if Honor.objects.filter(worker=worker, title=title, year=year, is_deleted=False).exists():
        raise ValidationError({"title": "该荣誉已登记。"})
    honor = Honor(worker=worker, title=title, year=year, award_date=award_date, awarding_body=awarding_body.strip(),
                  document_no=document_no.strip(), certificate_no=certificate_no.strip(), level=level, kind=kind)
    honor.full_clean()
    honor.save()
    recompute_highest_levels([worker.pk])
    audit.record(actor=actor, action="workers.honor.create", obj=honor, org=worker.org,
                 object_repr=f"{worker.name} {honor}", changes={"level": level, "kind": kind, "year": year})
    record_change(worker=worker, kind="honor_add", actor=actor, rows=[
        [label, "", str(value)] for label, value in (
            ("荣誉称号", honor.title), ("获评年份", year or ""), ("级别", HonorLevel(level).label),
            ("表彰机关", honor.awarding_body), ("表彰文号", honor.document_no), ("证书编号", honor.certificate_no))
        if value])
    return honor


@transaction.atomic
def honor_remove(*, actor, honor: Honor, reason: str) -> Honor:
    worker = honor.worker
    require_edit(actor, worker.org, WHAT)
    require_registry_write(actor, worker.org)
    if not reason.strip():
        raise ValidationError({"reason": "请填写删除原因。"})
    honor.is_deleted = True
    honor.deleted_at = timezone.now()
    honor.save(update_fields=["is_deleted", "deleted_at", "updated_at"])
    recompute_highest_levels([worker.pk])
    audit.record(actor=actor, action="workers.honor.delete", obj=honor, org=worker.org,
                 object_repr=f"{worker.name} {honor}", changes={"reason": reason.strip()})
    record_change(worker=worker, kind="honor_remove", actor=actor,
                  rows=[["荣誉称号", str(honor), ""], ["原因", "", reason.strip()]])
    return honor


def latest_award_year(worker: Worker) -> int | None:
    return worker.honors.filter(is_deleted=False).aggregate(y=Max("year"))["y"]


# --- award decisions (表彰决定) ---------------------------------------------------------------------------

DECISION_WHAT = "表彰决定"


def _decision_worker(entry, org: OrgUnit) -> Worker:
    """A registry draft for a name the registry does not know: no ID number, so 待补全 (`is_incomplete`)."""
    pinyin, initials = name_pinyin(entry.name)
    return Worker(name=entry.name, name_pinyin=pinyin, name_initials=initials, org=org, employer=entry.employer,
                  sex=entry.sex, ethnicity=entry.ethnicity[:20], employment_status=EmploymentStatus.ACTIVE)


def _decision_target(row, choice) -> Worker | str | None:
    """The worker a reviewed row goes to, "new" for a new draft, or None to leave it out."""
    if choice is None or row.status not in APPLICABLE:
        return None
    if row.status == MATCHED:
        return row.worker
    if row.status == NEW:
        return "new"
    if str(choice) == "new":
        return "new"
    picked = next((w for w in row.candidates if str(w.pk) == str(choice)), None)
    if picked is None and str(choice) not in ("", "auto"):
        raise ValidationError(f"“{row.entry.name}”所选人员不在候选名单中,请重新识别后再确认。")
    return picked


@transaction.atomic
def decision_apply(*, actor, decision, choices) -> dict:
    """Write the honors of a reviewed award decision; returns the counts.

    `choices` maps a row index (the entry's position) to "auto" for a matched or new row, or, for an ambiguous
    row, the chosen candidate's pk or "new"; rows left out are skipped. The rows are matched again here, so a
    decision applied twice (or a stale form) adds nothing: names that now hold the honor are skipped. New
    people become drafts without an ID number (待补全). One audit entry for the whole decision.
    """
    require_capability(actor, "import_data", DECISION_WHAT)
    # One decision applied at a time: a second clerk confirming the same decision waits here, then its
    # matching below sees the honors the first wrote and adds nothing (no duplicate drafts either).
    counter_allocate("workers.decision_apply")
    rows = selectors.decision_review(user=actor, decision=decision)
    honors: dict[tuple, tuple] = {}  # (worker pk or new index, title) → (entry, worker or draft)
    drafts: list[Worker] = []
    for row in rows:
        target = _decision_target(row, choices.get(row.index))
        if target is None:
            continue
        unit = row.org if target == "new" else target.org
        require_edit(actor, unit, DECISION_WHAT, capability="import_data")
        require_registry_write(actor, unit)
        if target == "new":
            drafts.append(_decision_worker(row.entry, row.org))
            target = drafts[-1]
            key = ("new", len(drafts), row.entry.title)
        else:
            key = (target.pk, row.entry.title)
        honors.setdefault(key, (row.entry, target))
    if drafts:
        for worker, number in zip(drafts, allocate_worker_numbers(len(drafts)), strict=True):
            worker.worker_no = number
        Worker.objects.bulk_create(drafts)
    try:
        with transaction.atomic():
            Honor.objects.bulk_create([
                Honor(worker=worker, level=entry.level, kind=entry.kind, title=entry.title[:100],
                      year=decision.year, award_date=decision.award_date, awarding_body=decision.issuer[:100],
                      document_no=decision.doc_no[:100])
                for entry, worker in honors.values()])
    except IntegrityError as exc:  # the same honor typed on a worker's page meanwhile
        raise ValidationError("部分人员刚刚被登记了相同的荣誉,请重新识别后再确认。") from exc
    touched = {worker.pk for _, worker in honors.values()}
    recompute_highest_levels(touched)
    bulk_record(actor=actor, entries=[
        (worker, "create" if any(worker is d for d in drafts) else "honor_add",
         {"title": ["", entry.title], "year": ["", decision.year], "document_no": ["", decision.doc_no]})
        for entry, worker in honors.values()])
    counts = {"honors": len(honors), "new_workers": len(drafts), "existing_workers": len(touched) - len(drafts),
              "skipped": len(rows) - len(honors), "entries": len(rows)}
    audit.record(actor=actor, action="workers.decision.apply", object_type="workers.decision",
                 object_repr=(decision.doc_no or decision.title)[:200],
                 changes={"document_no": decision.doc_no, "title": decision.title, "year": decision.year, **counts})
    return counts
