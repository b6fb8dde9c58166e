from django import forms
from django.utils import timezone

from laomo.core import dictionary
from laomo.core.forms import FilterForm, NamedChoiceField
from laomo.core.years import year_choices

from .models import (
    ACHIEVEMENT_KIND,
    AssessmentResult,
    MemberRole,
    MentorshipForm,
    OutcomeKind,
    ParticipantRole,
    ProjectStatus,
    StudioLevel,
    StudioStatus,
    StudioType,
    TargetType,
    TechHelpKind,
)
from .selectors import FLAGS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
WORKER_HELP = "填写劳模编号(如 LM0000123)或姓名;同名时请填编号。"


def _not_future(form, field: str, label: str):
    value = form.cleaned_data.get(field)
    if value and value > timezone.localdate():
        raise forms.ValidationError(f"{label}不能晚于今天。")
    return value


def _years(empty: str = "全部年度"):
    return [("", empty)] + [(y, f"{y}年") for y in year_choices()]


class WorkerInput(forms.TextInput):
    """A worker typed by number or name (编号或姓名), with the “查找劳模” helper under it."""

    template_name = "studios/widgets/worker_input.html"
    multi = False

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        ctx["widget"]["multi"] = "1" if self.multi else "0"
        return ctx


class WorkersInput(WorkerInput):
    """Several workers, separated by 、 or commas."""

    multi = True


class WorkersTextarea(forms.Textarea):
    """Several people on several lines (apprentices: workers, or “姓名(单位)”)."""

    template_name = "studios/widgets/worker_textarea.html"

    def get_context(self, name, value, attrs):
        ctx = super().get_context(name, value, attrs)
        ctx["widget"]["multi"] = "1"
        return ctx


class _Form(forms.Form):
    @property
    def wide(self) -> str:
        """The fields that take a whole row in `form_fields.html` (texts and check lists)."""
        return ",".join(name for name, f in self.fields.items()
                        if isinstance(f.widget, (forms.Textarea, forms.CheckboxSelectMultiple)))


class _OrgForm(_Form):
    def __init__(self, *args, org_queryset=None, studio_queryset=None, **kwargs):
        super().__init__(*args, **kwargs)
        if "org" in self.fields:
            self.fields["org"].queryset = org_queryset
        if "studio" in self.fields:
            self.fields["studio"].queryset = studio_queryset


# --- filters ----------------------------------------------------------------------------------------


class StudioFilterForm(FilterForm, _OrgForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "工作室/依托企业/领衔人/领域"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    level = forms.ChoiceField(label="级别", required=False, choices=[("", "全部级别"), *StudioLevel.choices])
    studio_type = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *StudioType.choices])
    status = forms.ChoiceField(label="状态", required=False,
                               choices=[("", "全部状态"), ("live", "未撤销"), *StudioStatus.choices])
    flag = forms.ChoiceField(label="提示", required=False,
                             choices=[("", "全部"), ("any", "需关注(任一提示)"), *FLAGS.items()])


class AchievementFilterForm(FilterForm, _OrgForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "成果名称/专利号/工作室"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    kind = forms.ChoiceField(label="类别", required=False, choices=())
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None, choices=())
    recognized = forms.ChoiceField(label="认定", required=False,
                                   choices=[("", "全部"), ("1", "已获认定"), ("0", "未认定")])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()
        # Every kind ever used (inactive ones too): old achievements stay findable.
        self.fields["kind"].choices = [("", "全部类别"), *dictionary.choices(ACHIEVEMENT_KIND, active_only=False)]


class MentorshipFilterForm(FilterForm, _OrgForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "结对名称/技艺/师傅或徒弟姓名"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    form = forms.ChoiceField(label="形式", required=False, choices=[("", "全部形式"), *MentorshipForm.choices])
    state = forms.ChoiceField(label="状态", required=False, choices=[
        ("", "全部状态"), ("active", "进行中"), ("upcoming", "未开始"), ("ended", "已结束")])
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None, choices=(),
                                  help_text="该年内进行中(含当年开始)的结对")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years("全部年度")


class TechHelpFilterForm(FilterForm, _OrgForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "主题/服务对象/解决的问题"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    kind = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *TechHelpKind.choices])
    target_type = forms.ChoiceField(label="对象", required=False, choices=[("", "全部对象"), *TargetType.choices])
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None, choices=())
    date_from = forms.DateField(label="日期自", required=False, widget=DATE)
    date_to = forms.DateField(label="至", required=False, widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()

    def clean(self):
        data = super().clean()
        if data.get("date_from") and data.get("date_to") and data["date_to"] < data["date_from"]:
            self.add_error("date_to", "结束日期不能早于开始日期。")
        return data


# --- studios ----------------------------------------------------------------------------------------


class StudioForm(_OrgForm):
    name = forms.CharField(label="工作室名称", max_length=100)
    studio_type = forms.ChoiceField(label="类型", choices=StudioType.choices)
    level = forms.ChoiceField(label="示范级别", choices=StudioLevel.choices)
    lead = forms.CharField(label="领衔人", max_length=60, widget=WorkerInput,
                           help_text=WORKER_HELP + "一般应为市级及以上劳模。")
    host_enterprise = forms.CharField(label="依托企业(单位)", max_length=200)
    org = forms.ModelChoiceField(label="所属工会", queryset=None)
    specialty = forms.CharField(label="专业领域", max_length=100, required=False)
    founded_date = forms.DateField(label="创建日期", widget=DATE)
    status = forms.ChoiceField(label="登记时状态", choices=[(StudioStatus.CULTIVATING, "培育/创建中"),
                                                            (StudioStatus.NAMED, "已命名")],
                               initial=StudioStatus.CULTIVATING)
    named_date = forms.DateField(label="命名日期", required=False, widget=DATE, help_text="已命名的工作室填写")
    space_note = forms.CharField(label="场地情况", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text="如:实训场地 200㎡,配有数控加工设备")
    funding_note = forms.CharField(label="经费情况", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                                   help_text="如:企业年投入 20 万元,市总工会补助 5 万元")
    description = forms.CharField(label="简介", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["status"]
            del self.fields["named_date"]

    def clean_founded_date(self):
        return _not_future(self, "founded_date", "创建日期")

    def clean_named_date(self):
        return _not_future(self, "named_date", "命名日期")


class TransitionForm(_Form):
    to_status = forms.ChoiceField(label="操作", choices=())
    date = forms.DateField(label="日期", widget=DATE)
    reason = forms.CharField(label="说明/撤销原因", required=False, widget=forms.Textarea(attrs={"rows": 2}),
                             help_text="撤销时必填")

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_status"].choices = list(choices)


class MemberForm(_Form):
    worker = forms.CharField(label="劳模", max_length=60, required=False, widget=WorkerInput, help_text=WORKER_HELP)
    name = forms.CharField(label="或其他成员姓名", max_length=50, required=False, help_text="非劳模的技术人员、职工")
    title = forms.CharField(label="岗位/职称", max_length=100, required=False)
    role = forms.ChoiceField(label="角色", choices=[(MemberRole.CORE, "核心成员"), (MemberRole.MEMBER, "成员")],
                             initial=MemberRole.MEMBER)
    joined_date = forms.DateField(label="加入日期", required=False, widget=DATE)


class MemberLeaveForm(_Form):
    left_date = forms.DateField(label="退出日期", widget=DATE)


class ProjectForm(_Form):
    title = forms.CharField(label="项目名称", max_length=200)
    start_date = forms.DateField(label="立项日期", widget=DATE)
    goal = forms.CharField(label="攻关目标", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ProjectCloseForm(_Form):
    status = forms.ChoiceField(label="结果",
                               choices=[(ProjectStatus.CONCLUDED, "结题"), (ProjectStatus.STOPPED, "中止")])
    end_date = forms.DateField(label="日期", widget=DATE)


class AchievementForm(_Form):
    kind = forms.ChoiceField(label="成果类别", choices=())
    title = forms.CharField(label="成果名称", max_length=200)
    achieved_date = forms.DateField(label="取得日期", widget=DATE, help_text="授权、发布、获奖或发表日期")
    patent_no = forms.CharField(label="专利号", max_length=40, required=False,
                                help_text="专利成果必填,如 ZL202110123456.7")
    is_recognized = forms.BooleanField(label="已获认定(已授权、发布、批准、表彰、发表或通过验收)", required=False,
                                       initial=True)
    recognized_by = forms.CharField(label="认定/授权单位", max_length=100, required=False,
                                    help_text="如:国家知识产权局、浙江省总工会")
    economic_benefit = forms.CharField(label="经济效益(元)", max_length=20, required=False,
                                       help_text="可不填;填写时不能为负数,最多两位小数")
    credited = forms.ModelMultipleChoiceField(label="完成人", queryset=None, required=False,
                                              widget=forms.CheckboxSelectMultiple)
    evidence = forms.FileField(label="佐证材料", required=False, help_text="PDF、JPG 或 PNG,不超过 10 MB")

    def __init__(self, *args, members=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "请选择"), *dictionary.choices(ACHIEVEMENT_KIND)]
        self.fields["credited"].queryset = members
        self.fields["credited"].label_from_instance = lambda m: m.name

    def clean_achieved_date(self):
        return _not_future(self, "achieved_date", "取得日期")


class EvidenceForm(_Form):
    evidence = forms.FileField(label="佐证材料", help_text="PDF、JPG 或 PNG,不超过 10 MB")


class ReasonForm(_Form):
    reason = forms.CharField(label="原因", max_length=500)


class ReportForm(_Form):
    year = forms.TypedChoiceField(label="年度", coerce=int, choices=())
    quarter = forms.TypedChoiceField(label="季度", coerce=int,
                                     choices=[(1, "第一季度"), (2, "第二季度"), (3, "第三季度"), (4, "第四季度")])
    summary = forms.CharField(label="工作小结", widget=forms.Textarea(attrs={"rows": 4}))
    activities = forms.IntegerField(label="开展活动(次)", min_value=0, initial=0)
    participants = forms.IntegerField(label="参与职工(人次)", min_value=0, initial=0)
    trainees = forms.IntegerField(label="培训(人次)", min_value=0, initial=0)
    problems_solved = forms.IntegerField(label="解决技术难题(项)", min_value=0, initial=0)
    funds_spent = forms.CharField(label="经费投入(元)", max_length=20, required=False, initial="0")
    next_plan = forms.CharField(label="下季度计划", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in year_choices()]


class AssessmentForm(_Form):
    year = forms.TypedChoiceField(label="考核年度", coerce=int, choices=())
    score = forms.DecimalField(label="得分", min_value=0, max_value=100, decimal_places=1, max_digits=4)
    result = forms.ChoiceField(label="考核结果", choices=[("", "请选择"), *AssessmentResult.choices])
    assessed_date = forms.DateField(label="考核日期", widget=DATE)
    assessor = forms.CharField(label="考核单位", max_length=100, required=False)
    comment = forms.CharField(label="考核意见", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = [(y, f"{y}年") for y in year_choices()]


# --- mentorships ----------------------------------------------------------------------------------------


class MentorshipEditForm(_OrgForm):
    title = forms.CharField(label="结对名称", max_length=100, help_text="如:青瓷烧制技艺传帮带")
    skill = forms.CharField(label="传授技艺", max_length=100, required=False)
    org = forms.ModelChoiceField(label="所属工会", queryset=None)
    studio = forms.ModelChoiceField(label="依托工作室", queryset=None, required=False, empty_label="无")
    start_date = forms.DateField(label="开始日期", widget=DATE)
    end_date = forms.DateField(label="结束日期", required=False, widget=DATE, help_text="约定或实际结束日期,可留空")
    goals = forms.CharField(label="培养目标", widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            self.add_error("end_date", "结束日期不能早于开始日期。")
        return data


class MentorshipCreateForm(MentorshipEditForm):
    mentors = forms.CharField(label="师傅", max_length=500, widget=WorkersInput,
                              help_text=WORKER_HELP + "多名用顿号分隔。")
    apprentices = forms.CharField(
        label="徒弟", max_length=2000, widget=WorkersTextarea(attrs={"rows": 2}),
        help_text="劳模编号或姓名,多名用顿号分隔;不在劳模库的徒弟写“姓名(单位)”,如 王小明(丽水万控)。")
    field_order = ["title", "skill", "mentors", "apprentices", "org", "studio", "start_date", "end_date", "goals"]


class ParticipantForm(_Form):
    role = forms.ChoiceField(label="角色", choices=ParticipantRole.choices, initial=ParticipantRole.APPRENTICE)
    worker = forms.CharField(label="劳模", max_length=60, required=False, widget=WorkerInput, help_text=WORKER_HELP)
    name = forms.CharField(label="或徒弟姓名(非劳模)", max_length=50, required=False)
    employer = forms.CharField(label="工作单位", max_length=200, required=False)
    job = forms.CharField(label="岗位", max_length=100, required=False)


class CheckinForm(_Form):
    date = forms.DateField(label="日期", widget=DATE)
    content = forms.CharField(label="带徒内容", widget=forms.Textarea(attrs={"rows": 2}))
    hours = forms.DecimalField(label="时长(小时)", required=False, min_value=0, max_value=24, decimal_places=1,
                               max_digits=3)


class OutcomeForm(_Form):
    apprentice = forms.ModelChoiceField(label="徒弟", queryset=None, empty_label="请选择")
    kind = forms.ChoiceField(label="类别", choices=OutcomeKind.choices)
    result = forms.CharField(label="新技能等级/证书名称", max_length=200, help_text="如:高级工(三级)、电工作业操作证")
    certificate_no = forms.CharField(label="证书编号", max_length=60, required=False)
    achieved_date = forms.DateField(label="取得日期", widget=DATE)

    def __init__(self, *args, apprentices=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["apprentice"].queryset = apprentices
        self.fields["apprentice"].label_from_instance = lambda p: p.name


# --- technical help -----------------------------------------------------------------------------------------


class TechHelpForm(_OrgForm):
    kind = forms.ChoiceField(label="类型", choices=TechHelpKind.choices)
    topic = forms.CharField(label="主题", max_length=200)
    target_type = forms.ChoiceField(label="对象类型", choices=TargetType.choices)
    target_name = forms.CharField(label="服务对象", max_length=200, help_text="企业、社区或学校的名称")
    date = forms.DateField(label="日期", widget=DATE)
    participants = forms.CharField(label="参与劳模", max_length=1000, widget=WorkersInput,
                                   help_text=WORKER_HELP + "多名用顿号分隔。")
    trainees_count = forms.IntegerField(label="受训/受益人数", min_value=0, initial=0)
    problems_solved = forms.CharField(label="解决的问题", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    org = forms.ModelChoiceField(label="所属工会", queryset=None)
    studio = forms.ModelChoiceField(label="工作室", queryset=None, required=False, empty_label="无")
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_date(self):
        return _not_future(self, "date", "活动日期")
