"""The past requests ledger (群众点单台账): each request with its real dates — received, dispatched, completed,
rated — so the summary counts it in the years of those dates. A completed request is closed by a service
record, as on the pages: the importer writes that record (volunteers and hours) and the request's timeline."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.utils import timezone

from laomo.core.actors import person
from laomo.core.idnumber import mask_phone
from laomo.core.importing import Column, Plan, Row, register
from laomo.core.pii import blind_index
from laomo.orgs.models import OrgUnit
from laomo.workers.models import Worker

from ..models import (
    OTHER_CATEGORY,
    RequestChannel,
    RequestEvent,
    RequestStatus,
    ServiceHours,
    ServiceRecord,
    ServiceRequest,
    ServiceTeam,
    TeamType,
)
from ..services.common import WHAT, clean_phone, mask_name
from ..services.requests import DEFAULT_PROMISE_DAYS, DESCRIPTION_MAX, PHONE_PURPOSE, new_tracking_code
from .common import (
    PLACE_HELP,
    TEAM_TYPE_WORDS,
    VolunteeringImporter,
    place_kind,
    resolve_volunteer,
    valid_hours,
    volunteer_names,
)

S = RequestStatus
REQUEST_ORG_KINDS = ("county", "city", "city_direct", "township")
CATEGORY_WORDS = [*TEAM_TYPE_WORDS, (("其他", "其它", "综合服务", "生活"), OTHER_CATEGORY)]
CHANNEL_WORDS = [(("网上", "网络", "小程序", "微信", "平台", "线上", "APP", "app"), RequestChannel.PORTAL),
                 (("电话", "热线", "来电", "12351"), RequestChannel.PHONE),
                 (("现场", "来访", "上门", "走访", "窗口"), RequestChannel.VISIT)]
# First match wins: 待派单 is pending, not dispatched; 待评价 is completed, not rated.
STATUS_WORDS = [(("不予受理", "拒绝", "驳回", "不受理"), S.REFUSED), (("取消", "撤销", "撤回"), S.CANCELLED),
                (("待评价", "未评价"), S.COMPLETED), (("已评价", "评价", "已评"), S.RATED),
                (("已完成", "完成", "办结", "已服务"), S.COMPLETED),
                (("待审核", "待派单", "待受理", "待处理", "未派"), S.PENDING),
                (("服务中", "已接单", "接单", "办理中"), S.ACCEPTED), (("已派单", "派单", "已派"), S.DISPATCHED)]
CLOSED_BY_REASON = (S.REFUSED, S.CANCELLED)
DONE = (S.COMPLETED, S.RATED)


@dataclass
class RequestRow:
    org: OrgUnit
    received_at: datetime
    channel: str
    category: str
    description: str
    town: str
    village: str
    contact_name: str
    contact_phone: str
    status: str
    team: ServiceTeam | None = None
    worker: Worker | None = None
    dispatched_at: datetime | None = None
    accepted_at: datetime | None = None
    completed_at: datetime | None = None
    rated_at: datetime | None = None
    closed_at: datetime | None = None
    rating: int | None = None
    rating_comment: str = ""
    reason: str = ""
    record: dict | None = None  # the service record a completed request is closed with
    volunteers: list = field(default_factory=list)  # (worker_id, member_id, name, hours)

    @property
    def phone_index(self) -> str:
        return blind_index(self.contact_phone, purpose=PHONE_PURPOSE)


@register
class RequestImporter(VolunteeringImporter):
    kind = "service_requests"
    label = "群众点单台账"
    record_label = "件点单"
    what = WHAT
    audit_action = "volunteering.request.import"
    order = 32
    key_help = "同一受理单位、同一受理时间、同一联系电话、同一需求描述的点单视为同一件(再次导入只补登评价)"
    count_labels = {"records": "服务记录", "volunteers": "志愿者人次", "rated": "补登评价"}
    columns = (
        Column("received_at", "受理时间", ("点单时间", "受理日期", "点单日期", "登记时间", "登记日期", "提交时间"),
               required=True, example="2023-04-05 09:30"),
        Column("unit", "受理单位", ("所属单位", "单位", "县(市、区)", "所属地区", "受理工会"), example="莲都区",
               help="县(市、区)、市本级或乡镇(街道)工会;空着为本次导入单位"),
        Column("channel", "来源", ("点单方式", "点单渠道", "渠道", "来源渠道"), example="电话",
               help="网上点单、电话点单、现场登记;空着按电话点单"),
        Column("category", "服务类别", ("需求类别", "点单类别", "服务类型", "类别"), required=True, example="医疗"),
        Column("description", "需求描述", ("需求内容", "点单内容", "服务需求", "诉求内容", "需求"), required=True,
               example="家中老人需要上门测血压、指导用药"),
        Column("town", "乡镇(街道)", ("乡镇", "街道", "所在乡镇", "乡镇街道"), required=True, example="碧湖镇"),
        Column("village", "村(社区)", ("村", "社区", "村社区", "所在村"), example="新合村"),
        Column("contact_name", "联系人", ("点单人", "点单群众", "群众姓名", "需求人", "联系人姓名"), required=True,
               example="王大妈"),
        Column("contact_phone", "联系电话", ("电话", "手机", "手机号码", "联系方式"), required=True, text=True,
               example="13800000000"),
        Column("status", "办理状态", ("状态", "办理结果", "办理情况"),
               help="空着按所填时间判断:有评分为已评价,有完成时间为已完成,有派单为已派单;不予受理、取消须填原因"),
        Column("team", "派单服务队", ("承接服务队", "服务队", "派单队伍"), example="莲都区劳模医疗服务队"),
        Column("worker", "派单劳模", ("承接劳模", "服务劳模", "派单对象")),
        Column("dispatched_at", "派单时间", ("派单日期",), example="2023-04-05 14:00"),
        Column("accepted_at", "接单时间", ("接单日期",)),
        Column("completed_at", "完成时间", ("完成日期", "办结时间", "办结日期", "服务完成时间"), example="2023-04-08"),
        Column("service_date", "服务日期", ("上门服务日期",), help="空着为完成日期"),
        Column("place_kind", "场所类型", ("服务场所类型",), help=PLACE_HELP),
        Column("person_times", "服务人次", ("受益人次", "服务人数"), help="空着按1人次"),
        Column("volunteers", "服务志愿者", ("参加志愿者", "服务人员", "志愿者"), example="张三(2)",
               help="空着为派单劳模;括号内可写此人的服务时长"),
        Column("hours", "服务时长(小时)", ("每人时长", "服务时长", "时长"), example="2"),
        Column("rating", "评分", ("满意度评分", "评价星级", "星级", "满意度"), example="5", help="1—5"),
        Column("rated_at", "评价时间", ("评价日期", "回访时间", "回访日期"), example="2023-04-10"),
        Column("rating_comment", "评价内容", ("群众评价", "回访意见", "评价")),
        Column("reason", "原因", ("不予受理原因", "取消原因", "备注")),
        Column("closed_at", "关闭时间", ("不予受理时间", "取消时间")),
    )

    # --- one row -------------------------------------------------------------------------------
    def parse(self, row: Row) -> RequestRow | None:
        item = self._request(row)
        if item is None or row.errors:
            return None
        self._status(row, item)
        if row.errors:
            return None
        self._assignee(row, item)
        self._times(row, item)
        if not row.errors and item.status in DONE:
            self._record(row, item)
        return None if row.errors else item

    def _request(self, row: Row) -> RequestRow | None:
        received = row.when("received_at", required=True)
        org = row.unit("unit")
        if org is not None and org.kind not in REQUEST_ORG_KINDS:
            row.error(f"受理单位“{org.name}”不是县(市、区)、市本级或乡镇(街道)工会")
        description = row.text("description", required=True, max_length=DESCRIPTION_MAX)
        if description and len(description) < 5:
            row.error("需求描述太短(至少5个字)")
        contact_name = row.text("contact_name", required=True, max_length=30)
        row.name = contact_name
        phone = ""
        if row.present("contact_phone"):
            try:
                phone = clean_phone(row.text("contact_phone"), "contact_phone")
            except ValidationError as exc:
                row.error("；".join(exc.messages))
        else:
            row.error("联系电话为空")
        item = RequestRow(
            org=org, received_at=received, description=description, contact_name=contact_name, contact_phone=phone,
            channel=row.choice("channel", CHANNEL_WORDS, default=RequestChannel.PHONE),
            category=row.choice("category", CATEGORY_WORDS, required=True),
            town=row.text("town", required=True, max_length=50), village=row.text("village", max_length=50),
            status="")
        return None if row.errors else item

    def _status(self, row: Row, item: RequestRow) -> None:
        stated = row.choice("status", STATUS_WORDS)
        item.rating = row.int("rating", minimum=1, maximum=5) if row.present("rating") else None
        if item.rating is None and row.present("rating") and not row.errors:
            row.error("评分应为1—5")
        if stated is None:
            stated = (S.RATED if item.rating is not None else S.COMPLETED if row.present("completed_at")
                      else S.ACCEPTED if row.present("accepted_at")
                      else S.DISPATCHED if any(row.present(k) for k in ("dispatched_at", "team", "worker"))
                      else S.PENDING)
        if stated == S.COMPLETED and item.rating is not None:
            stated = S.RATED
        if stated == S.RATED and item.rating is None:
            row.error("办理状态为已评价,但评分为空")
        item.status = stated
        if stated in CLOSED_BY_REASON:
            item.reason = row.text("reason", max_length=300)
            if not item.reason:
                row.error(f"{S(stated).label}的点单须填写原因")
        late = [k for k in ("completed_at", "rated_at", "rating") if row.present(k)]
        if stated not in DONE and late:
            row.error(f"办理状态为“{S(stated).label}”,却填了{'、'.join(row.label(k) for k in late)}")
        item.rating_comment = row.text("rating_comment", max_length=300) if stated == S.RATED else ""

    def _assignee(self, row: Row, item: RequestRow) -> None:
        if row.present("team"):
            item.team, problem = self.teams.find(row.text("team"), None)
            if problem:
                row.error(problem)
        if row.present("worker"):
            where = item.team.org.name if item.team is not None else ""
            item.worker, problem = self.matcher.match(name=row.text("worker").replace(" ", ""), unit_text=where)
            if problem:
                row.error(problem)
        needs = item.status in (S.DISPATCHED, S.ACCEPTED, *DONE)
        if needs and item.team is None and item.worker is None and not row.errors:
            row.error(f"办理状态为“{S(item.status).label}”的点单须填写派单服务队或派单劳模")

    def _times(self, row: Row, item: RequestRow) -> None:
        """The real dates, each after the one before and none in the future; the ones a status needs."""
        status = item.status
        if status in (S.DISPATCHED, S.ACCEPTED, *DONE):
            item.dispatched_at = row.when("dispatched_at")
            if item.dispatched_at is None and not row.present("dispatched_at"):
                item.dispatched_at = item.received_at
                row.warn("未填派单时间,按受理时间登记", kind="派单时间按受理时间登记")
            if status != S.DISPATCHED:
                item.accepted_at = row.when("accepted_at")
        if status in DONE:
            item.completed_at = row.when("completed_at")
            if item.completed_at is None and not row.errors:
                row.error("已完成的点单须填写完成时间")
        if status == S.RATED:
            item.rated_at = row.when("rated_at")
            if item.rated_at is None and not row.present("rated_at"):
                item.rated_at = item.completed_at
                row.warn("未填评价时间,按完成时间计入评价", kind="评价时间按完成时间登记")
        if status in CLOSED_BY_REASON:
            item.closed_at = row.when("closed_at") or item.received_at
        elif status == S.RATED:
            item.closed_at = item.rated_at
        steps = [("received_at", item.received_at), ("dispatched_at", item.dispatched_at),
                 ("accepted_at", item.accepted_at), ("completed_at", item.completed_at),
                 ("rated_at", item.rated_at), ("closed_at", item.closed_at if status in CLOSED_BY_REASON else None)]
        known = [(k, v) for k, v in steps if v is not None]
        for (k1, v1), (k2, v2) in zip(known, known[1:], strict=False):
            if v2 < v1:
                row.error(f"{row.label(k2)}早于{row.label(k1)}")
        team = item.team
        if team is not None and not team.is_active and team.dissolved_on and item.dispatched_at and (
                timezone.localtime(item.dispatched_at).date() > team.dissolved_on):
            row.error(f"派单时服务队“{team.name}”已撤销")

    def _record(self, row: Row, item: RequestRow) -> None:
        """The service record that closes a completed request (as 完成服务 on the pages writes it)."""
        received = timezone.localtime(item.received_at).date()
        day = row.date("service_date") or timezone.localtime(item.completed_at).date()
        if day < received:
            row.error("服务日期早于受理日期")
        person_times = row.int("person_times", maximum=100000)
        if person_times is None and not row.present("person_times"):
            person_times = 1
            row.warn("未填服务人次,按1人次登记", kind="服务人次按1人次登记")
        place = "".join(p for p in (item.town, item.village) if p)[:200]
        hours = row.decimal("hours", places=2, maximum=24)
        names = volunteer_names(row.text("volunteers"))
        people = []
        for name, own in names:
            worker, member = resolve_volunteer(self, row, item.team, name, "")
            if worker is not None or member is not None:
                people.append((worker, member, own))
        if not names:
            if item.worker is None:
                row.error("已完成的点单须填写服务志愿者(或派单劳模)")
            else:
                people.append((item.worker, None, None))
        for worker, member, own in people:
            name = (worker or member).name
            if own is None and hours is None:
                row.error(f"{name}的服务时长为空")
                continue
            value = valid_hours(row, name, own if own is not None else hours)
            item.volunteers.append((worker.pk if worker else None, member.pk if member else None, name, value))
        whos = [(w, m) for w, m, _, _ in item.volunteers]
        if len(set(whos)) != len(whos):
            row.error("服务志愿者中有人重复")
        team = item.team
        item.record = {
            "org_id": team.org_id if team is not None else item.org.pk, "team_id": team.pk if team else None,
            "team_type": team.team_type if team is not None else (
                item.category if item.category in TeamType.values else TeamType.TECHNICAL),
            "date": day, "place": place, "content": item.description[:2000], "person_times": person_times,
            "place_kind": place_kind(row, "place_kind", place),
        }

    # --- the same request ------------------------------------------------------------------------
    def key(self, item: RequestRow) -> tuple:
        return (item.org.pk, item.received_at, item.phone_index, item.description)

    def existing(self, keys):
        found = {}
        for req in ServiceRequest.objects.filter(org_id__in={k[0] for k in keys},
                                                 received_at__in={k[1] for k in keys},
                                                 contact_phone_index__in={k[2] for k in keys}):
            found.setdefault((req.org_id, req.received_at, req.contact_phone_index, req.description), req)
        return {k: found[k] for k in keys if k in found}

    def changes(self, item: RequestRow, req: ServiceRequest) -> dict:
        """Only a rating given since the request was imported (completed then, rated now)."""
        if req.status == S.COMPLETED and item.status == S.RATED and (
                req.completed_at is None or item.rated_at >= req.completed_at):
            return {"rating": item.rating, "rated_at": item.rated_at, "rating_comment": item.rating_comment}
        return {}

    # --- writing ---------------------------------------------------------------------------------
    def write(self, plan: Plan) -> None:
        recorder = person(self.actor)
        done = [i for i in plan.creates if i.record is not None]
        records = ServiceRecord.objects.bulk_create(
            [ServiceRecord(recorded_by=recorder, **i.record) for i in done], batch_size=2000)
        hours = [ServiceHours(record=r, worker_id=w, member_id=m, name=n, hours=h)
                 for r, i in zip(records, done, strict=True) for w, m, n, h in i.volunteers]
        ServiceHours.objects.bulk_create(hours, batch_size=5000)
        for record, item in zip(records, done, strict=True):
            item.record = record
        codes = self._codes(len(plan.creates))
        requests = ServiceRequest.objects.bulk_create(
            [self._request_obj(i, code) for i, code in zip(plan.creates, codes, strict=True)], batch_size=1000)
        RequestEvent.objects.bulk_create([e for req, i in zip(requests, plan.creates, strict=True)
                                          for e in self._events(req, i)], batch_size=5000)
        rated, events = [], []
        now = timezone.now()
        for item, req, changes in plan.updates:
            for key, value in changes.items():
                setattr(req, key, value)
            req.status, req.closed_at, req.updated_at = S.RATED, item.rated_at, now
            rated.append(req)
            events.append(self._event(req, "rate", S.COMPLETED, item.rated_at, f"{item.rating} 星"))
        ServiceRequest.objects.bulk_update(rated, ["rating", "rated_at", "rating_comment", "status", "closed_at",
                                                   "updated_at"], batch_size=1000)
        RequestEvent.objects.bulk_create(events)
        self.counts.update(records=len(records), volunteers=len(hours), rated=len(rated))

    def dry_counts(self, plan: Plan) -> dict:
        done = [i for i in plan.creates if i.record is not None]
        return {"records": len(done), "volunteers": sum(len(i.volunteers) for i in done), "rated": len(plan.updates)}

    @staticmethod
    def _codes(count: int) -> list[str]:
        codes: set[str] = set()
        while len(codes) < count:
            fresh = {new_tracking_code() for _ in range(count - len(codes))} - codes
            taken = set(ServiceRequest.objects.filter(tracking_code__in=fresh).values_list("tracking_code", flat=True))
            codes |= fresh - taken
        return list(codes)

    def _request_obj(self, i: RequestRow, code: str) -> ServiceRequest:
        promised = None
        if i.status in (S.DISPATCHED, S.ACCEPTED) or (i.status in DONE and i.dispatched_at):
            promised = timezone.localtime(i.dispatched_at).date() + timedelta(days=DEFAULT_PROMISE_DAYS)
        return ServiceRequest(
            tracking_code=code, org=i.org, channel=i.channel, category=i.category, description=i.description,
            town=i.town, village=i.village, contact_name=i.contact_name, contact_name_masked=mask_name(i.contact_name),
            contact_phone=i.contact_phone, contact_phone_masked=mask_phone(i.contact_phone),
            contact_phone_index=i.phone_index, status=i.status, team=i.team, worker=i.worker,
            promised_date=promised, received_at=i.received_at, dispatched_at=i.dispatched_at,
            accepted_at=i.accepted_at, completed_at=i.completed_at, rated_at=i.rated_at, closed_at=i.closed_at,
            refuse_reason=i.reason if i.status == S.REFUSED else "",
            cancel_reason=i.reason if i.status == S.CANCELLED else "",
            rating=i.rating, rating_comment=i.rating_comment, record=i.record)

    def _events(self, req: ServiceRequest, i: RequestRow) -> list[RequestEvent]:
        """The request's timeline at its real dates, as the pages would have written it step by step."""
        out = [RequestEvent(request=req, action="submit", from_status="", to_status=S.PENDING,
                            actor_label="群众", note=RequestChannel(i.channel).label, created_at=i.received_at)]
        status = S.PENDING
        steps = [("dispatch", S.DISPATCHED, i.dispatched_at, f"派给 {req.assignee_label}"),
                 ("accept", S.ACCEPTED, i.accepted_at, ""),
                 ("complete", S.COMPLETED, i.completed_at,
                  f"服务 {i.record.person_times} 人次,志愿者 {len(i.volunteers)} 人" if i.record else ""),
                 ("rate", S.RATED, i.rated_at, f"{i.rating} 星")]
        for action, target, moment, note in steps:
            if moment is not None:
                out.append(self._event(req, action, status, moment, note, to_status=target))
                status = target
        if i.status in CLOSED_BY_REASON:
            action = "refuse" if i.status == S.REFUSED else "cancel"
            out.append(self._event(req, action, status, i.closed_at, i.reason, to_status=i.status))
        return out

    def _event(self, req, action: str, from_status: str, moment, note: str, *, to_status: str = S.RATED
               ) -> RequestEvent:
        user = person(self.actor)
        label = ((user.full_name or user.username) if user is not None else "台账导入")[:60]
        return RequestEvent(request=req, action=action, from_status=from_status, to_status=to_status,
                            actor=user, actor_label=label, note=f"{note}(台账导入)"[:300], created_at=moment)
