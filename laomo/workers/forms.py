import copy

from django import forms

from laomo.core.forms import FilterForm, NamedChoiceField
from laomo.core.years import year_choices
from laomo.orgs.selectors import org_choices_for

from .decisions import DecisionError, text_from_upload
from .models import (
    EDUCATION_CHOICES,
    POLITICAL_STATUS_CHOICES,
    BenefitCategory,
    EmploymentStatus,
    HonorKind,
    HonorLevel,
    Sex,
)
from .selectors import WorkerFilters

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class WorkerFilterForm(FilterForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "姓名/拼音/首字母/身份证号/单位"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    level = forms.ChoiceField(label="最高级别", required=False,
                              choices=[("", "全部级别"), *HonorLevel.choices, ("none", "无荣誉")])
    kind = forms.ChoiceField(label="荣誉类别", required=False, choices=[("", "全部类别"), *HonorKind.choices])
    year_from = forms.IntegerField(label="获评年份自", required=False, min_value=1950, max_value=2100,
                                   widget=forms.NumberInput(attrs={"placeholder": "起始年"}))
    year_to = forms.IntegerField(label="获评年份至", required=False, min_value=1950, max_value=2100,
                                 widget=forms.NumberInput(attrs={"placeholder": "截止年"}))
    status = forms.ChoiceField(label="在职状态", required=False,
                               choices=[("", "全部状态"), *EmploymentStatus.choices])
    incomplete = forms.ChoiceField(label="资料", required=False,
                                   choices=[("", "全部"), ("1", "待补全"), ("0", "已完整")])
    sort = forms.ChoiceField(label="排序", required=False, choices=[
        ("", "级别从高到低"), ("name", "姓名拼音"), ("-name", "姓名拼音倒序"), ("level", "级别从低到高"),
        ("birth", "年龄从大到小"), ("-birth", "年龄从小到大"), ("new", "最近登记")])

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset

    def clean(self):
        data = super().clean()
        if data.get("year_from") and data.get("year_to") and data["year_from"] > data["year_to"]:
            self.add_error("year_to", "结束年份不能早于开始年份。")
        return data


class WorkerForm(forms.Form):
    name = forms.CharField(label="姓名", max_length=50)
    id_number = forms.CharField(label="身份证号", max_length=20, required=False,
                                help_text="18位;15位旧号自动升级。留空则标记为待补全。")
    sex = forms.ChoiceField(label="性别", choices=[("", "按身份证号"), *Sex.choices], required=False)
    birth_date = forms.DateField(label="出生日期", required=False, widget=DATE, help_text="填写身份证号时自动核对")
    ethnicity = forms.CharField(label="民族", max_length=20, required=False)
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="通讯地址", max_length=500, required=False)
    org = forms.ModelChoiceField(label="管理单位", queryset=None)
    employer = forms.CharField(label="工作单位", max_length=200, required=False)
    job_title = forms.CharField(label="职务/职称", max_length=100, required=False)
    industry = forms.CharField(label="行业", max_length=50, required=False)
    political_status = forms.ChoiceField(label="政治面貌", choices=POLITICAL_STATUS_CHOICES, required=False)
    education = forms.ChoiceField(label="学历", choices=EDUCATION_CHOICES, required=False)
    specialties = forms.CharField(label="专长", max_length=300, required=False,
                                  help_text="多个专长用顿号分隔,如:食用菌栽培、香菇")
    showcase_consent = forms.BooleanField(label="本人同意在公开风采展示中展示", required=False)
    benefit_category = forms.ChoiceField(label="享受待遇类别", choices=[("", "—"), *BenefitCategory.choices],
                                         required=False, help_text="按实际享受的待遇填写,可与最高荣誉级别不同")
    photo = forms.FileField(label="证件照", required=False, help_text="JPG 或 PNG,不超过 5 MB",
                            widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}))
    remove_photo = forms.BooleanField(label="删除现有证件照", required=False)
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset


def split_honor(data: dict) -> tuple[dict, list[dict]]:
    """(the worker's fields, [the honor typed with them]) of a new-worker form's cleaned data."""
    data = dict(data)
    honor = {key.removeprefix("honor_"): data.pop(key) for key in list(data) if key.startswith("honor_")}
    return data, [honor] if (honor.get("title") or "").strip() else []


def award_year_choices() -> list:
    return [("", "—")] + [(y, f"{y}年") for y in range(year_choices()[0], 1949, -1)]


class HonorForm(forms.Form):
    title = forms.CharField(label="荣誉称号", max_length=100,
                            help_text="如:浙江省劳动模范、丽水市劳动模范、全国五一劳动奖章")
    year = forms.TypedChoiceField(label="获评年份", coerce=int, required=False, empty_value=None)
    award_date = forms.DateField(label="表彰日期", required=False, widget=DATE)
    awarding_body = forms.CharField(label="表彰机关", max_length=100, required=False)
    document_no = forms.CharField(label="表彰文号", max_length=100, required=False)
    certificate_no = forms.CharField(label="证书编号", max_length=100, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = award_year_choices()


class NewWorkerForm(WorkerForm):
    """The new-worker form: the record and, optionally, the honor that makes them a model worker
    (the honor form's fields, prefixed `honor_`, none of them required)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in HonorForm.base_fields.items():
            self.fields[f"honor_{name}"] = copy.deepcopy(field)
            self.fields[f"honor_{name}"].required = False
        self.fields["honor_year"].choices = award_year_choices()
        self.fields["honor_title"].help_text = "如:浙江省劳动模范;可稍后在档案页继续添加"


class StatusForm(forms.Form):
    status = forms.ChoiceField(label="在职状态", choices=EmploymentStatus.choices)
    status_date = forms.DateField(label="变更日期(退休/去世日期)", required=False, widget=DATE)


class ContactForm(forms.Form):
    phone = forms.CharField(label="联系电话", max_length=30, required=False)
    address = forms.CharField(label="通讯地址", max_length=500, required=False)


class GrantLoginForm(forms.Form):
    username = forms.RegexField(label="登录用户名", max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": "用户名只能包含字母、数字和 @/./+/-/_ 。"})


class ImportUploadForm(forms.Form):
    file = forms.FileField(label="名册文件", help_text="支持 .xlsx、.xls、.csv(UTF-8 或 GBK/GB18030)")
    org = forms.ModelChoiceField(label="导入单位", queryset=None,
                                 help_text="各行按“所属地区”列归入相应单位;未填地区的行归入本单位")

    def __init__(self, *args, org_queryset, max_bytes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset
        self.max_bytes = max_bytes

    def clean_file(self):
        upload = self.cleaned_data["file"]
        name = upload.name.lower()
        if not name.endswith((".xlsx", ".xls", ".csv")):
            raise forms.ValidationError("只支持 .xlsx、.xls、.csv 文件。")
        if upload.size > self.max_bytes:
            raise forms.ValidationError(f"文件过大(上限 {self.max_bytes // (1024 * 1024)} MB)。")
        return upload


def filters_from(data, *, user):
    """(form, WorkerFilters) from query parameters; (form, None) when a filter has an error — an
    invalid filter matches nothing, it never widens the list or an export to the whole registry."""
    form = WorkerFilterForm(data or None, org_queryset=org_choices_for(user=user))
    if not data:
        return form, WorkerFilters()
    if not form.is_valid():
        return form, None
    d = form.cleaned_data
    return form, WorkerFilters(
        q=d["q"] or "", org=d["org"], level=d["level"] or "", kind=d["kind"] or "",
        year_from=d["year_from"], year_to=d["year_to"], status=d["status"] or "",
        incomplete={"1": True, "0": False}.get(d["incomplete"] or ""), sort=d["sort"] or "",
        min_level=data.get("min_level", ""),
    )


DECISION_MAX_BYTES = 5 * 1024 * 1024


class DecisionForm(forms.Form):
    text = forms.CharField(label="表彰决定全文", required=False, strip=False, widget=forms.Textarea(attrs={
        "rows": 12, "placeholder": "粘贴表彰决定全文:标题、文号、“授予以下同志……称号”及按单位分组的名单"}))
    file = forms.FileField(label="或上传文件", required=False, help_text="支持 .txt、.docx;上传文件时以文件内容为准")

    def clean(self):
        data = super().clean()
        upload = data.get("file")
        if upload:
            if upload.size > DECISION_MAX_BYTES:
                self.add_error("file", f"文件过大(上限 {DECISION_MAX_BYTES // (1024 * 1024)} MB)。")
                return data
            try:
                data["text"] = text_from_upload(upload.name, upload.read())
            except DecisionError as exc:
                self.add_error("file", str(exc))
                return data
        if not (data.get("text") or "").strip():
            self.add_error("text", "请粘贴或上传表彰决定的全文。")
        return data


def decision_choices(post) -> dict[int, str]:
    """The review form's choices: ticked rows ("accept" = index) → "auto"; an ambiguous row's pick
    ("pick-<index>" = a candidate's pk or "new")."""
    choices: dict[int, str] = {}
    for value in post.getlist("accept"):
        if value.isdigit():
            choices[int(value)] = "auto"
    for key, value in post.items():
        if key.startswith("pick-") and key[5:].isdigit() and value:
            choices[int(key[5:])] = value
    return choices
