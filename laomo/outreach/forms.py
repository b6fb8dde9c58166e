from django import forms
from django.utils import timezone

from laomo.core.forms import FilterForm, NamedChoiceField
from laomo.core.years import year_choices

from .models import (
    HostType,
    LectureFormat,
    LectureStatus,
    MediaKind,
    PickupKind,
    SessionForm,
    SessionShift,
    SessionStage,
    VenueType,
)
from .services import Speaker

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkerPickerWidget(forms.SelectMultiple):
    """Chips of the chosen workers and a search box (htmx) instead of a select of thousands of workers."""

    template_name = "outreach/widgets/worker_picker.html"
    multiple = True

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        ids = [str(v) for v in context["widget"]["value"] or [] if str(v).isdigit()]
        queryset = getattr(self.choices, "queryset", None)
        picked = list(queryset.filter(pk__in=ids).select_related("org")) if queryset is not None and ids else []
        order = {v: i for i, v in enumerate(ids)}
        picked.sort(key=lambda w: order.get(str(w.pk), 0))
        context["widget"].update({"picked": picked, "multiple": self.multiple})
        return context

    def optgroups(self, name, value, attrs=None):
        return []  # never iterate the whole registry

    def value_from_datadict(self, data, files, name):
        values = super().value_from_datadict(data, files, name)
        return values if self.multiple else (values[-1:] if values else [])


class SingleWorkerPickerWidget(WorkerPickerWidget):
    multiple = False

    def format_value(self, value):
        if value in (None, ""):
            return []
        return [str(value.pk if hasattr(value, "pk") else value)]

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v]
        return values[-1] if values else None


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


def _year_field(label="年度"):
    return forms.TypedChoiceField(label=label, required=False, coerce=int, empty_value=None,
                                  choices=[("", "全部年度")] + [(y, f"{y}年") for y in year_choices()])


class ScopedForm(forms.Form):
    """A form whose choice fields are limited to what the user may see (querysets passed by the view)."""

    def __init__(self, *args, querysets=None, **kwargs):
        super().__init__(*args, **kwargs)
        for name, queryset in (querysets or {}).items():
            if name in self.fields:
                self.fields[name].queryset = queryset


# --- filters ---------------------------------------------------------------------------------------------


class LectureFilterForm(FilterForm, ScopedForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "题目/场所/主讲人"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    year = _year_field()
    venue_type = forms.ChoiceField(label="场所", required=False, choices=[("", "全部场所"), *VenueType.choices])
    # Not `format`: that parameter asks for the export (?format=xlsx).
    mode = forms.ChoiceField(label="形式", required=False, choices=[("", "全部形式"), *LectureFormat.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *LectureStatus.choices])
    campaign = NamedChoiceField(label="活动", queryset=None, required=False, empty_label="全部活动")
    date_from = forms.DateField(label="日期自", required=False, widget=DATE)
    date_to = forms.DateField(label="至", required=False, widget=DATE)
    worker = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return data


class CalendarFilterForm(FilterForm, ScopedForm):
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    venue_type = forms.ChoiceField(label="场所", required=False, choices=[("", "全部场所"), *VenueType.choices])
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *LectureStatus.choices])


class LeaderboardForm(FilterForm, ScopedForm):
    date_from = forms.DateField(label="日期自", required=False, widget=DATE)
    date_to = forms.DateField(label="至", required=False, widget=DATE)
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_from"] > data["date_to"]:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return data


class MediaFilterForm(FilterForm, ScopedForm):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "标题/备注"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    platform = forms.ModelChoiceField(label="平台", queryset=None, required=False, empty_label="全部平台")
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *MediaKind.choices])
    year = _year_field("发布年度")
    campaign = NamedChoiceField(label="活动", queryset=None, required=False, empty_label="全部活动")
    picked_up = forms.ChoiceField(label="采用", required=False,
                                  choices=[("", "采用情况"), ("1", "已被采用/转载"), ("0", "未被采用")])


class SessionFilterForm(FilterForm, ScopedForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "企业/车间/主题/主讲人"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    stage = forms.ChoiceField(label="阶段", required=False, choices=[("", "全部阶段"), *SessionStage.choices])
    form = forms.ChoiceField(label="形式", required=False, choices=[("", "全部形式"), *SessionForm.choices])
    shift = forms.ChoiceField(label="时段", required=False, choices=[("", "全部时段"), *SessionShift.choices])
    date_from = forms.DateField(label="日期自", required=False, widget=DATE)
    date_to = forms.DateField(label="至", required=False, widget=DATE)


class ShowcaseFilterForm(FilterForm, ScopedForm):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "名称/场所/地址"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    host_type = forms.ChoiceField(label="场所类型", required=False, choices=[("", "全部场所"), *HostType.choices])
    open = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), ("1", "开放中"), ("0", "已撤展")])


class CampaignFilterForm(FilterForm, ScopedForm):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "活动名称/主题"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    year = _year_field()


# --- records ---------------------------------------------------------------------------------------------


class CampaignForm(ScopedForm):
    name = forms.CharField(label="活动名称", max_length=100,
                           help_text="如:党的二十大精神宣讲、劳动教育开学第一课、“劳动创造幸福”五月主题宣传")
    theme = forms.CharField(label="主题", max_length=200, required=False)
    org = forms.ModelChoiceField(label="主办单位", queryset=None)
    start_date = forms.DateField(label="开始日期", widget=DATE)
    end_date = forms.DateField(label="结束日期", widget=DATE)
    description = forms.CharField(label="活动说明", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class LectureForm(ScopedForm):
    title = forms.CharField(label="宣讲题目", max_length=200)
    date = forms.DateField(label="宣讲日期", widget=DATE)
    status = forms.ChoiceField(label="状态", choices=LectureStatus.choices, initial=LectureStatus.HELD,
                               help_text="尚未举办的宣讲请选“计划中”(可填今后的日期)")
    speaker_workers = forms.ModelMultipleChoiceField(
        label="主讲劳模", queryset=None, required=False, widget=WorkerPickerWidget,
        help_text="可选多位;非劳模主讲人填在下一栏")
    speaker_names = forms.CharField(label="其他主讲人(非劳模)", max_length=200, required=False,
                                    help_text="多人用顿号或逗号分隔")
    org = forms.ModelChoiceField(label="组织单位", queryset=None)
    venue_type = forms.ChoiceField(label="场所类型", choices=[("", "请选择"), *VenueType.choices])
    venue_name = forms.CharField(label="场所名称", max_length=200, required=False,
                                 widget=forms.TextInput(attrs={"placeholder": "如:丽水市实验学校"}))
    format = forms.ChoiceField(label="形式", choices=LectureFormat.choices)
    audience = forms.IntegerField(label="受众人数", initial=0,
                                  widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    campaign = forms.ModelChoiceField(label="所属活动", queryset=None, required=False, empty_label="(无)")
    summary = forms.CharField(label="内容摘要", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def speakers(self) -> list:
        data = self.cleaned_data
        order = {v: i for i, v in enumerate(self.data.getlist("speaker_workers"))} if hasattr(
            self.data, "getlist") else {}
        workers = sorted(data.get("speaker_workers") or [], key=lambda w: order.get(str(w.pk), len(order)))
        out = [Speaker(worker=w) for w in workers]
        out += [Speaker(name=n) for n in split_names(data.get("speaker_names") or "")]
        return out


def split_names(text: str) -> list[str]:
    import re

    return [n for n in (s.strip() for s in re.split(r"[、,,;;\n]+", text or "")) if n]


class PhotoForm(forms.Form):
    photo = forms.FileField(label="照片", widget=forms.ClearableFileInput(
        attrs={"accept": "image/jpeg,image/png,image/webp"}), help_text="JPG/PNG/WebP,单张不超过 10 MB")
    caption = forms.CharField(label="说明", max_length=100, required=False)


class LecturePhotosForm(forms.Form):
    photos = MultipleFileField(label="现场照片", required=False, help_text="可多选;JPG/PNG/WebP,单张不超过 10 MB")


class MediaForm(ScopedForm):
    title = forms.CharField(label="标题", max_length=200)
    kind = forms.ChoiceField(label="类型", choices=MediaKind.choices)
    platform = forms.ModelChoiceField(label="平台", queryset=None, empty_label="请选择")
    url = forms.CharField(label="链接", max_length=500, required=False,
                          widget=forms.URLInput(attrs={"placeholder": "https://"}))
    publish_date = forms.DateField(label="发布日期", widget=DATE)
    org = forms.ModelChoiceField(label="发布单位", queryset=None)
    campaign = forms.ModelChoiceField(label="所属活动", queryset=None, required=False, empty_label="(无)")
    lecture = forms.ModelChoiceField(label="对应宣讲", queryset=None, required=False, widget=forms.HiddenInput)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ReadingForm(forms.Form):
    date = forms.DateField(label="读数日期", widget=DATE)
    views = forms.IntegerField(label="累计观看/阅读人次", widget=forms.NumberInput(attrs={"inputmode": "numeric"}))
    note = forms.CharField(label="来源说明", max_length=200, required=False,
                           widget=forms.TextInput(attrs={"placeholder": "如:平台后台截图"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["date"].initial = timezone.localdate()


class PickupForm(forms.Form):
    outlet = forms.CharField(label="采用平台/媒体", max_length=100,
                             widget=forms.TextInput(attrs={"placeholder": "学习强国"}))
    column = forms.CharField(label="栏目", max_length=100, required=False,
                             widget=forms.TextInput(attrs={"placeholder": "爱·思政"}))
    kind = forms.ChoiceField(label="方式", choices=PickupKind.choices)
    date = forms.DateField(label="采用日期", widget=DATE)
    url = forms.CharField(label="链接", max_length=500, required=False)
    note = forms.CharField(label="备注", max_length=200, required=False)


class SessionRecordForm(ScopedForm):
    enterprise = forms.CharField(label="企业", max_length=100,
                                 widget=forms.TextInput(attrs={"list": "enterprise-list", "autocomplete": "off"}))
    workshop = forms.CharField(label="车间/班组", max_length=100, required=False)
    org = forms.ModelChoiceField(label="所属工会", queryset=None)
    date = forms.DateField(label="日期", widget=DATE)
    shift = forms.ChoiceField(label="时段", choices=SessionShift.choices)
    speaker = forms.ModelChoiceField(label="主讲劳模", queryset=None, required=False,
                                     widget=SingleWorkerPickerWidget)
    speaker_name = forms.CharField(label="其他主讲人", max_length=50, required=False,
                                   help_text="非劳模主讲时填写,如:车间组长")
    topic = forms.CharField(label="主题", max_length=200)
    stage = forms.ChoiceField(label="阶段", choices=SessionStage.choices)
    forms_used = forms.MultipleChoiceField(label="形式", choices=SessionForm.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    participants = forms.IntegerField(label="参加人数", initial=0)
    minutes = forms.IntegerField(label="时长(分钟)", initial=10)
    campaign = forms.ModelChoiceField(label="所属活动", queryset=None, required=False, empty_label="(无)")
    note = forms.CharField(label="备注", max_length=300, required=False)


WEEKDAYS = [(0, "周一"), (1, "周二"), (2, "周三"), (3, "周四"), (4, "周五"), (5, "周六"), (6, "周日")]


class SessionBatchForm(ScopedForm):
    enterprise = forms.CharField(label="企业", max_length=100,
                                 widget=forms.TextInput(attrs={"list": "enterprise-list", "autocomplete": "off"}))
    workshop = forms.CharField(label="车间/班组", max_length=100, required=False)
    org = forms.ModelChoiceField(label="所属工会", queryset=None)
    shift = forms.ChoiceField(label="时段", choices=SessionShift.choices)
    date_from = forms.DateField(label="开始日期", widget=DATE)
    date_to = forms.DateField(label="结束日期", widget=DATE)
    weekdays = forms.TypedMultipleChoiceField(label="开展的星期", choices=WEEKDAYS, coerce=int,
                                              widget=forms.CheckboxSelectMultiple, initial=[0, 1, 2, 3, 4])
    topics = forms.CharField(label="主题(每行一个)", widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="按日期依次使用;行数少于场次时循环使用")
    speaker = forms.ModelChoiceField(label="主讲劳模", queryset=None, required=False,
                                     widget=SingleWorkerPickerWidget)
    speaker_name = forms.CharField(label="其他主讲人", max_length=50, required=False)
    stage = forms.ChoiceField(label="阶段", choices=SessionStage.choices)
    forms_used = forms.MultipleChoiceField(label="形式", choices=SessionForm.choices, required=False,
                                      widget=forms.CheckboxSelectMultiple)
    participants = forms.IntegerField(label="每场参加人数", initial=0)
    minutes = forms.IntegerField(label="时长(分钟)", initial=10)
    campaign = forms.ModelChoiceField(label="所属活动", queryset=None, required=False, empty_label="(无)")


class ShowcaseForm(ScopedForm):
    name = forms.CharField(label="展示区名称", max_length=100,
                           widget=forms.TextInput(attrs={"placeholder": "如:劳模工匠风采展示区"}))
    host_type = forms.ChoiceField(label="场所类型", choices=[("", "请选择"), *HostType.choices])
    host_place = forms.CharField(label="所在场所", max_length=200,
                                 widget=forms.TextInput(attrs={"placeholder": "如:庆元县工人文化宫"}))
    org = forms.ModelChoiceField(label="建设单位", queryset=None)
    opened_date = forms.DateField(label="开放日期", widget=DATE)
    closed_date = forms.DateField(label="撤展日期", required=False, widget=DATE, help_text="仍在展出则留空")
    address = forms.CharField(label="地址", max_length=200, required=False)
    featured_workers = forms.ModelMultipleChoiceField(label="展示劳模", queryset=None, required=False,
                                                      widget=WorkerPickerWidget)
    description = forms.CharField(label="介绍", required=False, widget=forms.Textarea(attrs={"rows": 3}))


class DeleteForm(forms.Form):
    reason = forms.CharField(label="删除原因", max_length=200)
