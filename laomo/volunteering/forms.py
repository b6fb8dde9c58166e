from django import forms
from django.core.exceptions import ValidationError

from laomo.core.forms import FilterForm, NamedChoiceField
from laomo.core.years import year_choices

from .models import CATEGORY_CHOICES, Mobilization, PlaceKind, RequestChannel, RequestStatus, TeamType
from .services import DESCRIPTION_MAX

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class _Scoped:
    def _set_qs(self, **querysets):
        for name, qs in querysets.items():
            if name in self.fields:
                self.fields[name].queryset = qs


class TeamFilterForm(FilterForm):
    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "队名/服务阵地"}))
    team_type = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *TeamType.choices])
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    active = forms.ChoiceField(label="状态", required=False, choices=[("1", "在册"), ("0", "已撤销"), ("all", "全部")])

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset


class TeamForm(_Scoped, forms.Form):
    name = forms.CharField(label="队伍名称", max_length=100)
    team_type = forms.ChoiceField(label="服务类型", choices=TeamType.choices)
    org = forms.ModelChoiceField(label="所属单位", queryset=None)
    parent = forms.ModelChoiceField(label="上级服务队", queryset=None, required=False, empty_label="(无,一级服务队)")
    base = forms.CharField(label="服务阵地", max_length=100, required=False, help_text="如:庆工益之家")
    leader = forms.ModelChoiceField(label="队长账号", queryset=None, required=False, empty_label="(暂无)",
                                    help_text="具有“服务队队长”角色的账号")
    founded_on = forms.DateField(label="成立日期", widget=DATE)
    description = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, org_queryset, team_queryset, leader_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_qs(org=org_queryset, parent=team_queryset, leader=leader_queryset)


class DissolveForm(forms.Form):
    dissolved_on = forms.DateField(label="撤销日期", widget=DATE)
    reason = forms.CharField(label="撤销原因", max_length=200)


class MemberForm(_Scoped, forms.Form):
    worker = forms.ModelChoiceField(label="劳模", queryset=None, required=False, empty_label="(非劳模志愿者)",
                                    widget=forms.Select(attrs={"data-search": "1"}))
    name = forms.CharField(label="姓名(非劳模志愿者)", max_length=50, required=False)
    phone = forms.CharField(label="联系电话(非劳模志愿者)", max_length=30, required=False)
    duty = forms.CharField(label="职责", max_length=50, required=False)
    joined_on = forms.DateField(label="加入日期", required=False, widget=DATE)

    def __init__(self, *args, worker_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_qs(worker=worker_queryset)

    def clean(self):
        data = super().clean()
        if not data.get("worker") and not (data.get("name") or "").strip():
            self.add_error("worker", "请选择劳模,或填写非劳模志愿者的姓名。")
        return data


class RecordFilterForm(FilterForm):
    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "地点/内容/队名/志愿者姓名"}))
    team_type = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *TeamType.choices])
    team = NamedChoiceField(label="服务队", queryset=None, required=False, empty_label="全部服务队")
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    date_from = forms.DateField(label="日期自", required=False, widget=DATE)
    date_to = forms.DateField(label="至", required=False, widget=DATE)

    def __init__(self, *args, org_queryset, team_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset
        self.fields["team"].queryset = team_queryset

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return data


class RecordForm(_Scoped, forms.Form):
    team = forms.ModelChoiceField(label="服务队", queryset=None, required=False, empty_label="(选择服务队)")
    mobilization = forms.ModelChoiceField(label="应急/专项行动", queryset=None, required=False,
                                          empty_label="(不属于行动)")
    date = forms.DateField(label="服务日期", widget=DATE)
    place_kind = forms.ChoiceField(label="场所类型", choices=PlaceKind.choices)
    place = forms.CharField(label="服务地点", max_length=200, help_text="村、社区或企业名称")
    content = forms.CharField(label="服务内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    person_times = forms.IntegerField(label="服务人次", min_value=0, max_value=100000,
                                      help_text="本次服务的群众人次")
    volunteers = forms.CharField(label="到场志愿者及时长", required=False, widget=forms.HiddenInput)

    def __init__(self, *args, team_queryset=None, mobilization_queryset=None, fixed_context=False, **kwargs):
        super().__init__(*args, **kwargs)
        if fixed_context:
            del self.fields["team"]
            del self.fields["mobilization"]
        else:
            self._set_qs(team=team_queryset, mobilization=mobilization_queryset)

    def clean(self):
        data = super().clean()
        if "team" in self.fields and not data.get("team") and not data.get("mobilization"):
            self.add_error("team", "请选择服务队或应急/专项行动。")
        return data


def parse_volunteers(post, *, worker_lookup, member_lookup) -> tuple[list[dict], list[dict], list[str]]:
    """Rows of the volunteer table (vol_kind_N, vol_id_N, vol_hours_N) → service input, redisplay rows, errors."""
    items, shown, errors = [], [], []
    indexes = sorted({k.rsplit("_", 1)[1] for k in post if k.startswith("vol_id_")}, key=lambda x: int(x)
                     if x.isdigit() else 0)
    for i in indexes:
        ref, hours = (post.get(f"vol_id_{i}") or "").strip(), (post.get(f"vol_hours_{i}") or "").strip()
        if not ref and not hours:
            continue
        shown.append({"ref": ref, "hours": hours})
        if not ref:
            errors.append("请为每一行选择志愿者。")
            continue
        kind, _, pk = ref.partition(":")
        obj = (worker_lookup if kind == "w" else member_lookup).get(int(pk)) if pk.isdigit() else None
        if obj is None:
            errors.append("所选志愿者不在可选范围内。")
            continue
        items.append({"worker" if kind == "w" else "member": obj, "hours": hours or "0"})
    return items, shown, errors


class RequestFilterForm(FilterForm):
    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "查询码/描述/乡镇/联系电话"}))
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部状态"), ("open", "未办结"), *RequestStatus.choices])
    category = forms.ChoiceField(label="类别", required=False, choices=[("", "全部类别"), *CATEGORY_CHOICES])
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    channel = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源"), *RequestChannel.choices])
    overdue = forms.BooleanField(label="仅超时", required=False)

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset


class RequestInputForm(forms.Form):
    """The fields of a request, shared by the public portal form and the staff phone-in form."""

    org = forms.ModelChoiceField(label="所在县(市、区)", queryset=None, empty_label="请选择")
    town = forms.CharField(label="乡镇(街道)", max_length=50)
    village = forms.CharField(label="村(社区)", max_length=50, required=False)
    category = forms.ChoiceField(label="服务类别", choices=[("", "请选择"), *CATEGORY_CHOICES])
    description = forms.CharField(label="需求描述", max_length=DESCRIPTION_MAX, min_length=5,
                                  widget=forms.Textarea(attrs={"rows": 4, "maxlength": DESCRIPTION_MAX}),
                                  help_text=f"请写明需要什么帮助,不超过{DESCRIPTION_MAX}字")
    contact_name = forms.CharField(label="联系人姓名", max_length=30)
    contact_phone = forms.CharField(label="联系电话", max_length=20)
    preferred_date = forms.DateField(label="期望服务日期", required=False, widget=DATE)
    preferred_time = forms.CharField(label="期望时间说明", max_length=50, required=False,
                                     widget=forms.TextInput(attrs={"placeholder": "如:周末上午"}))

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset
        for name, field in self.fields.items():
            if getattr(field, "max_length", None) and name != "description":
                field.widget.attrs.setdefault("maxlength", field.max_length)
        for field in self.fields.values():
            field.error_messages.update({
                "required": "此项为必填项。",
                "max_length": "不能超过 %(limit_value)d 个字(当前 %(show_value)d 个)。",
                "min_length": "至少 %(limit_value)d 个字(当前 %(show_value)d 个)。",
                "invalid_choice": "请选择有效的选项。",
                "invalid": "格式不正确。",
            })


class StaffRequestForm(RequestInputForm):
    channel = forms.ChoiceField(label="来源", choices=[(RequestChannel.PHONE, "电话点单"),
                                                      (RequestChannel.VISIT, "现场登记")])

    field_order = ["channel"]


class DispatchForm(_Scoped, forms.Form):
    team = forms.ModelChoiceField(label="服务队", queryset=None, required=False, empty_label="(不指定服务队)")
    worker = forms.ModelChoiceField(label="劳模", queryset=None, required=False, empty_label="(不指定劳模)")
    promised_date = forms.DateField(label="承诺完成日期", required=False, widget=DATE,
                                    help_text="默认为期望服务日期,或7天后")
    note = forms.CharField(label="派单说明", max_length=300, required=False)
    redispatch = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, team_queryset, worker_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_qs(team=team_queryset, worker=worker_queryset)

    def clean(self):
        data = super().clean()
        if not data.get("team") and not data.get("worker"):
            raise ValidationError("请选择派单的服务队或劳模。")
        return data


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class ScheduleForm(forms.Form):
    scheduled_at = forms.DateTimeField(label="约定服务时间", required=False, widget=DATETIME,
                                       input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])


class RateForm(forms.Form):
    rating = forms.TypedChoiceField(label="评分", coerce=int, choices=[(i, f"{i} 星") for i in range(5, 0, -1)],
                                    widget=forms.RadioSelect, error_messages={"required": "请选择评分。"})
    comment = forms.CharField(label="评价内容", max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 3, "maxlength": 300}),
                              error_messages={"max_length": "评价内容不能超过 %(limit_value)d 个字。"})


class MobilizationForm(forms.Form):
    name = forms.CharField(label="行动名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=Mobilization.Kind.choices)
    org = forms.ModelChoiceField(label="组织单位", queryset=None)
    team_type = forms.ChoiceField(label="服务类型", choices=TeamType.choices,
                                  help_text="本行动的服务记录计入该类型的服务人次")
    start_date = forms.DateField(label="开始日期", widget=DATE)
    end_date = forms.DateField(label="结束日期", required=False, widget=DATE)
    area = forms.CharField(label="区域", max_length=200)
    description = forms.CharField(label="任务说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    posts = forms.CharField(label="点位/任务", required=False, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="每行一个,如:银苑小广场核酸检测点")

    def __init__(self, *args, org_queryset, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset
        if editing:
            del self.fields["org"]
            del self.fields["posts"]

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "结束日期不能早于开始日期。")
        return data


class PostForm(forms.Form):
    name = forms.CharField(label="点位/任务", max_length=100)
    place = forms.CharField(label="地点", max_length=200, required=False)


class RosterForm(_Scoped, forms.Form):
    worker = forms.ModelChoiceField(label="劳模", queryset=None)
    post = forms.ModelChoiceField(label="点位/任务", queryset=None, required=False, empty_label="(不指定)")
    duty_from = forms.DateField(label="值守开始", widget=DATE)
    duty_to = forms.DateField(label="值守结束", widget=DATE)
    role = forms.CharField(label="岗位职责", max_length=50, required=False)

    def __init__(self, *args, worker_queryset, post_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_qs(worker=worker_queryset, post=post_queryset)


class CertificateForm(_Scoped, forms.Form):
    worker = forms.ModelChoiceField(label="志愿者(劳模)", queryset=None)
    org = forms.ModelChoiceField(label="出具单位", queryset=None, help_text="证明只列出本单位及下级记录的志愿服务")
    period_from = forms.DateField(label="起始日期", widget=DATE)
    period_to = forms.DateField(label="截止日期", widget=DATE)

    def __init__(self, *args, worker_queryset, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_qs(worker=worker_queryset, org=org_queryset)


class HoursFilterForm(FilterForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False)
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    q = forms.CharField(label="搜索", required=False, max_length=50,
                        widget=forms.TextInput(attrs={"placeholder": "姓名/劳模编号"}))

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset
        self.fields["year"].choices = [(y, f"{y}年") for y in year_choices()]
