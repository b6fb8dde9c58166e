from django import forms

from laomo.core.forms import FilterForm, NamedChoiceField
from laomo.core.years import year_choices
from laomo.workers.models import EmploymentStatus

from .models import RATING_FIELDS, RATING_LABELS, ApplicationStatus, BatchStatus, Channel, RetreatBatch, VendorKind

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"max_digits": 12, "decimal_places": 2, "min_value": 0,
         "error_messages": {"invalid": "请输入金额(元),最多两位小数。", "max_decimal_places": "金额最多两位小数。",
                            "min_value": "金额不能为负数。", "max_digits": "金额过大。"}}


def _years():
    return [("", "全部年度")] + [(y, f"{y}年") for y in year_choices()]


class BatchFilterForm(FilterForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "批次名称/目的地/旅行社/领队"}))
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *BatchStatus.choices])
    vendor = NamedChoiceField(label="旅行社", queryset=None, required=False, empty_label="全部旅行社/基地")

    def __init__(self, *args, vendor_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()
        self.fields["vendor"].queryset = vendor_queryset


class BatchForm(forms.Form):
    org = forms.ModelChoiceField(label="组织单位", queryset=None)
    name = forms.CharField(label="批次名称", max_length=100, help_text="如:2022年市级劳模疗休养第一批")
    destination = forms.CharField(label="目的地", max_length=100)
    start_date = forms.DateField(label="出发日期", widget=DATE)
    end_date = forms.DateField(label="返回日期", widget=DATE)
    registration_deadline = forms.DateField(label="报名截止日期", widget=DATE, required=False)
    vendor = forms.ModelChoiceField(label="承接旅行社/基地", queryset=None, required=False, empty_label="待定")
    capacity = forms.IntegerField(label="名额(人数)", min_value=1, max_value=1000,
                                  error_messages={"min_value": "名额至少为 1 人。", "invalid": "请填写整数。"})
    cost_per_person = forms.DecimalField(label="人均费用(元)", **MONEY)
    budget = forms.DecimalField(label="预算(元)", **MONEY)
    leader_name = forms.CharField(label="领队", max_length=50, required=False,
                                  help_text="工会带队人员,确定名单前须填写")
    leader_phone = forms.CharField(label="领队电话", max_length=30, required=False)
    min_level_rank = forms.TypedChoiceField(label="最低荣誉级别", coerce=int,
                                            choices=RetreatBatch._meta.get_field("min_level_rank").choices)
    employment_statuses = forms.MultipleChoiceField(
        label="在职状态", widget=forms.CheckboxSelectMultiple, required=False,
        choices=[c for c in EmploymentStatus.choices if c[0] != EmploymentStatus.DECEASED],
        help_text="不勾选表示不限")
    not_attended_years = forms.IntegerField(label="近N年内未参加", min_value=0, max_value=20, initial=3,
                                            help_text="近 N 年内参加过的不能报名;0 表示不限")
    max_age = forms.IntegerField(label="年龄上限(周岁)", min_value=30, max_value=100, required=False,
                                 help_text="按出发日计算;留空表示不限")
    health_declaration_required = forms.BooleanField(label="须本人作健康声明", required=False, initial=True)
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, org_queryset, vendor_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset
        self.fields["vendor"].queryset = vendor_queryset

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "返回日期不能早于出发日期。")
        return data


class ItineraryDayForm(forms.Form):
    title = forms.CharField(label="行程安排", max_length=200, required=False)
    activities = forms.CharField(label="活动内容", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    accommodation = forms.CharField(label="住宿", max_length=100, required=False)
    meals = forms.CharField(label="用餐", max_length=100, required=False)


ItineraryFormSet = forms.formset_factory(ItineraryDayForm, extra=0, max_num=60)


class QuotaForm(forms.Form):
    """One integer field per unit below the organizer (q_<org id>)."""

    def __init__(self, *args, orgs, current: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.orgs = list(orgs)
        for org in self.orgs:
            self.fields[f"q_{org.pk}"] = forms.IntegerField(
                label=org.short_name or org.name, min_value=0, max_value=1000, required=False,
                initial=current.get(org.pk, 0),
                error_messages={"min_value": "名额不能为负数。", "invalid": "请填写整数。"})

    def quotas(self) -> dict:
        return {org: self.cleaned_data.get(f"q_{org.pk}") or 0 for org in self.orgs}


class ApplyForm(forms.Form):
    front_line = forms.BooleanField(label="本人在一线或艰苦岗位工作", required=False)
    health_declared = forms.BooleanField(label="本人声明:身体状况良好,适合参加疗休养活动", required=False)
    health_note = forms.CharField(label="健康状况说明(慢性病、过敏、用药等,仅工会和领队可见)", required=False,
                                  max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    dietary_note = forms.CharField(label="饮食禁忌", required=False, max_length=200)

    def __init__(self, *args, batch=None, **kwargs):
        super().__init__(*args, **kwargs)
        if batch is not None and batch.health_declaration_required:
            self.fields["health_declared"].label += "(本批次必填)"


class NominateForm(ApplyForm):
    worker = forms.IntegerField(widget=forms.HiddenInput, error_messages={"required": "请先选择劳模。"})
    front_line = forms.BooleanField(label="一线/艰苦岗位", required=False)
    health_declared = forms.BooleanField(label="本人已作健康声明(身体状况适合参加)", required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, error_messages={"required": "请填写原因。"})


class OptionalReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200, required=False)


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="状态", choices=BatchStatus.choices)
    reason = forms.CharField(label="取消原因", max_length=200, required=False)


class ApplicationFilterForm(FilterForm):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名/拼音/单位"}))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *ApplicationStatus.choices])
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    channel = forms.ChoiceField(label="方式", required=False, choices=[("", "全部方式"), *Channel.choices])
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset
        self.fields["year"].choices = _years()


class CandidateFilterForm(FilterForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "姓名/拼音/首字母/单位"}))
    eligible = forms.ChoiceField(label="条件", required=False, choices=[("", "全部"), ("1", "仅符合条件")])


class VendorForm(forms.Form):
    org = forms.ModelChoiceField(label="签约单位", queryset=None)
    name = forms.CharField(label="名称", max_length=100)
    kind = forms.ChoiceField(label="类型", choices=VendorKind.choices)
    contact_person = forms.CharField(label="联系人", max_length=50, required=False)
    contact_phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="地址", max_length=200, required=False)
    license_no = forms.CharField(label="经营许可证号", max_length=60, required=False)
    contract_no = forms.CharField(label="合同编号", max_length=60, required=False)
    contract_start = forms.DateField(label="合同起始日", widget=DATE, required=False)
    contract_end = forms.DateField(label="合同终止日", widget=DATE, required=False)
    inspected_on = forms.DateField(label="最近实地考察日期", widget=DATE, required=False)
    inspection_note = forms.CharField(label="考察情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    is_active = forms.BooleanField(label="合作中", required=False, initial=True)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset

    def clean(self):
        data = super().clean()
        if data.get("contract_start") and data.get("contract_end") and data["contract_end"] < data["contract_start"]:
            self.add_error("contract_end", "合同终止日不能早于起始日。")
        return data


class VendorFilterForm(FilterForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "名称/联系人/合同编号"}))
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *VendorKind.choices])
    active = forms.ChoiceField(label="合作", required=False, choices=[("", "全部"), ("1", "合作中"), ("0", "已停止")])


RATING_CHOICES = [(i, str(i)) for i in range(1, 6)]


class SurveyForm(forms.Form):
    comment = forms.CharField(label="意见建议", required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 3, "placeholder": "选填"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        ratings = {}
        for name in RATING_FIELDS:
            ratings[name] = forms.TypedChoiceField(
                label=RATING_LABELS[name], choices=RATING_CHOICES, coerce=int, widget=forms.RadioSelect,
                error_messages={"required": f"请为“{RATING_LABELS[name]}”打分。",
                                "invalid_choice": f"“{RATING_LABELS[name]}”的评分应为 1–5 分。"})
        self.fields = {**ratings, **self.fields}

    def rating_fields(self):
        return [self[name] for name in RATING_FIELDS]
