from django import forms

from laomo.core.forms import FilterForm, NamedChoiceField
from laomo.core.years import year_choices
from laomo.workers.models import HonorLevel

from .models import (
    DISABILITY_GRADES,
    INSURANCE_CHOICES,
    LEVEL_CHOICES,
    LIVING_STATUS_CHOICES,
    CampaignStatus,
    HardshipLevel,
    HardshipRequirement,
    HousingType,
    PaymentMethod,
    RecipientStatus,
    SurveyStatus,
    VerificationMethod,
    VisitMethod,
    VisitType,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MONEY = {"inputmode": "decimal", "placeholder": "0.00"}
CHECKS = forms.CheckboxSelectMultiple


def _years(blank: str = "全部年度"):
    return [("", blank)] + [(y, f"{y}年") for y in year_choices()]


def _money(label: str, required: bool = False, help_text: str = ""):
    return forms.CharField(label=label, required=required, max_length=20, help_text=help_text,
                           widget=forms.TextInput(attrs=MONEY))


class OrgFormMixin:
    def _set_orgs(self, org_queryset, name: str = "org"):
        if name in self.fields:
            self.fields[name].queryset = org_queryset


class WorkerNoField(forms.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("label", "劳模")
        kwargs.setdefault("max_length", 16)
        kwargs.setdefault("help_text", "劳模编号、姓名、拼音或身份证后四位;重名时在右侧查找选择")
        super().__init__(**kwargs)


# --- campaigns --------------------------------------------------------------------------------------------


class CampaignFilterForm(OrgFormMixin, FilterForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "活动名称/资金来源"}))
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    visit_type = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *VisitType.choices])
    org = NamedChoiceField(label="组织单位", queryset=None, required=False, empty_label="全部单位")
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *CampaignStatus.choices])

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()
        self._set_orgs(org_queryset)


class CampaignForm(OrgFormMixin, forms.Form):
    name = forms.CharField(label="活动名称", max_length=100, help_text="如:2022年春节劳模走访慰问")
    year = forms.TypedChoiceField(label="年度", coerce=int)
    visit_type = forms.ChoiceField(label="慰问类型", choices=VisitType.choices)
    org = forms.ModelChoiceField(label="组织单位", queryset=None, help_text="名单从本单位及下级单位的劳模中生成")
    start_date = forms.DateField(label="开始日期", widget=DATE)
    end_date = forms.DateField(label="结束日期", widget=DATE)
    budget = _money("预算(元)", required=True)
    fund_source = forms.CharField(label="资金来源", max_length=100, required=False,
                                  help_text="如:市总工会劳模专项经费、全国劳模专项资金")
    min_level_rank = forms.TypedChoiceField(label="最低荣誉级别", coerce=int, choices=LEVEL_CHOICES, initial=2)
    statuses = forms.MultipleChoiceField(label="在职状态(不选为全部在世劳模)", required=False, widget=CHECKS,
                                         choices=LIVING_STATUS_CHOICES)
    hardship_only = forms.BooleanField(label="仅困难劳模(以最新审核通过的困难调查为准)", required=False)
    amount_national = _money("全国级标准(元)", help_text="全国劳模/全国五一劳动奖章")
    amount_provincial = _money("省部级标准(元)")
    amount_municipal = _money("市级标准(元)")
    amount_county = _money("县级标准(元)")
    hardship_extra = _money("困难劳模加发(元)")
    note = forms.CharField(label="备注", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years("请选择")[1:]
        self._set_orgs(org_queryset)


class RecipientFilterForm(OrgFormMixin, FilterForm):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名/拼音/编号"}))
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    status = forms.ChoiceField(label="名单", required=False,
                               choices=[(RecipientStatus.INCLUDED, "在名单中"), (RecipientStatus.EXCLUDED, "已移出"),
                                        ("all", "全部")])
    paid = forms.ChoiceField(label="发放", required=False, choices=[("", "全部"), ("1", "已发放"), ("0", "未发放")])
    level = forms.ChoiceField(label="级别", required=False, choices=[("", "全部级别"), *HonorLevel.choices])
    hardship = forms.ChoiceField(label="困难", required=False, choices=[("", "全部"), ("1", "困难劳模")])

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_orgs(org_queryset)


class RecipientAddForm(forms.Form):
    worker_no = WorkerNoField()
    planned_amount = _money("计划金额(元)", help_text="留空按活动标准")
    reason = forms.CharField(label="添加原因", max_length=200)


class RecipientAdjustForm(forms.Form):
    action = forms.ChoiceField(label="调整", choices=[("exclude", "移出名单"), ("include", "恢复到名单"),
                                                     ("amount", "修改计划金额")])
    planned_amount = _money("计划金额(元)")
    reason = forms.CharField(label="调整原因", max_length=200)


# --- visits -----------------------------------------------------------------------------------------------


class VisitForm(forms.Form):
    campaign = forms.ModelChoiceField(label="慰问活动", queryset=None, required=False, empty_label="(不属于活动)")
    worker_no = WorkerNoField()
    visit_type = forms.ChoiceField(label="慰问类型", choices=[("", "请选择"), *VisitType.choices],
                                   error_messages={"required": "请选择慰问类型。"})
    visit_date = forms.DateField(label="慰问日期", widget=DATE)
    method = forms.ChoiceField(label="慰问方式", choices=VisitMethod.choices)
    visitors = forms.CharField(label="慰问人", max_length=200, required=False)
    amount = _money("慰问金(元)", help_text="不发放慰问金填 0")
    goods = forms.CharField(label="慰问品", max_length=200, required=False)
    payment_method = forms.ChoiceField(label="发放方式", choices=PaymentMethod.choices)
    bank_name = forms.CharField(label="开户银行", max_length=100, required=False)
    bank_account = forms.CharField(label="本人银行账号", max_length=40, required=False,
                                   help_text="转账须转入劳模本人账户;已登记账户的可留空")
    receipt_signed = forms.BooleanField(label="现金已由本人签收", required=False)
    receipt_no = forms.CharField(label="签收单号", max_length=50, required=False)
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, campaign_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["campaign"].queryset = campaign_queryset
        # "按活动" is only a choice when a campaign is chosen (the campaign's type then applies); without
        # one, a type must be picked, so the default is never a value the service refuses.
        chosen = self.data.get("campaign") if self.is_bound else self.initial.get("campaign")
        campaign = None
        if chosen:
            pk = getattr(chosen, "pk", chosen)
            campaign = campaign_queryset.filter(pk=pk).first() if str(pk).isdigit() else None
        if campaign is not None:
            field = self.fields["visit_type"]
            field.required = False
            field.choices = [("", f"按活动({campaign.get_visit_type_display()})")]
            field.help_text = "属于活动时按活动的类型"


class VisitBatchForm(forms.Form):
    visit_date = forms.DateField(label="慰问日期", widget=DATE)
    method = forms.ChoiceField(label="慰问方式", choices=VisitMethod.choices)
    payment_method = forms.ChoiceField(label="发放方式", choices=PaymentMethod.choices,
                                       help_text="按各人计划金额发放;转账使用本人已登记的账户")
    visitors = forms.CharField(label="慰问人", max_length=200, required=False)
    goods = forms.CharField(label="慰问品", max_length=200, required=False)
    receipt_signed = forms.BooleanField(label="现金已全部由本人签收", required=False)
    note = forms.CharField(label="备注", max_length=300, required=False)


class VisitFilterForm(OrgFormMixin, FilterForm):
    q = forms.CharField(label="搜索", required=False,
                        widget=forms.TextInput(attrs={"placeholder": "劳模姓名/拼音/编号/慰问人"}))
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    campaign = NamedChoiceField(label="活动", queryset=None, required=False, empty_label="全部活动")
    visit_type = forms.ChoiceField(label="类型", required=False, choices=[("", "全部类型"), *VisitType.choices])
    method = forms.ChoiceField(label="方式", required=False, choices=[("", "全部方式"), *VisitMethod.choices])
    payment_method = forms.ChoiceField(label="发放", required=False,
                                       choices=[("", "全部发放方式"), *PaymentMethod.choices])
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    void = forms.ChoiceField(label="状态", required=False, choices=[("0", "有效"), ("1", "已作废"), ("all", "全部")])

    def __init__(self, *args, org_queryset, campaign_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()
        self.fields["campaign"].queryset = campaign_queryset
        self._set_orgs(org_queryset)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="原因", max_length=200)


class BankAccountForm(forms.Form):
    bank_name = forms.CharField(label="开户银行", max_length=100, help_text="如:中国农业银行丽水分行")
    account_number = forms.CharField(label="本人银行账号", max_length=40,
                                     help_text="须为劳模本人名下账户,慰问金直接转入")


class LedgerFilterForm(OrgFormMixin, FilterForm):
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    campaign = NamedChoiceField(label="活动", queryset=None, required=False, empty_label="本年度全部活动")
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="我的单位")

    def __init__(self, *args, org_queryset, campaign_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years("本年度")
        self.fields["campaign"].queryset = campaign_queryset
        self._set_orgs(org_queryset)


# --- hardship survey --------------------------------------------------------------------------------------


class RoundForm(forms.Form):
    year = forms.TypedChoiceField(label="年度", coerce=int)
    name = forms.CharField(label="调查名称", max_length=100, help_text="如:2022年全市困难劳模调查走访")
    start_date = forms.DateField(label="开始日期", widget=DATE)
    end_date = forms.DateField(label="截止日期", widget=DATE)
    income_threshold = _money("困难标准:家庭人均月收入低于(元)", required=True, help_text="可参照当地城乡低保标准")
    marginal_factor = forms.DecimalField(label="低收入边缘系数", max_digits=4, decimal_places=2, initial="1.50",
                                         help_text="人均收入低于标准×系数且有因病、因残、因灾等重大致困原因的,也评为困难")
    min_level_rank = forms.TypedChoiceField(label="调查范围(最低荣誉级别)", coerce=int, choices=LEVEL_CHOICES,
                                            initial=2,
                                            help_text="另含困难劳模信息库中的全部劳模")
    note = forms.CharField(label="说明", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years("请选择")[1:]


class SurveyForm(forms.Form):
    worker_no = WorkerNoField()
    survey_date = forms.DateField(label="走访日期", widget=DATE)
    verification_method = forms.ChoiceField(label="核实方式", choices=VerificationMethod.choices,
                                            help_text="先核实、后补助")
    visitors = forms.CharField(label="走访人", max_length=200, required=False)
    household_size = forms.IntegerField(label="家庭人口数", min_value=1, max_value=30)
    income_own = _money("本人月收入(元)", required=True)
    income_per_capita = _money("家庭人均月收入(元)", required=True)
    employment = forms.ChoiceField(label="就业状况", choices=LIVING_STATUS_CHOICES)
    health_category = forms.ChoiceField(label="健康状况", choices=())
    major_illness = forms.BooleanField(label="患有重大疾病", required=False)
    disability_grade = forms.ChoiceField(label="残疾等级", choices=DISABILITY_GRADES, required=False)
    health_detail = forms.CharField(label="疾病说明", required=False, max_length=500,
                                    widget=forms.Textarea(attrs={"rows": 2}))
    insurance = forms.MultipleChoiceField(label="参保情况", required=False, widget=CHECKS, choices=INSURANCE_CHOICES)
    housing_type = forms.ChoiceField(label="住房情况", choices=HousingType.choices)
    housing_area = forms.DecimalField(label="人均住房面积(㎡)", required=False, max_digits=7, decimal_places=2,
                                      min_value=0)
    causes = forms.MultipleChoiceField(label="致困原因(可多选)", required=False, widget=CHECKS, choices=())
    needs = forms.CharField(label="困难与需求", required=False, max_length=500,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, health_choices, cause_choices, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["health_category"].choices = [("", "请选择"), *health_choices]
        self.fields["causes"].choices = cause_choices
        if editing:
            del self.fields["worker_no"]


class SurveyFilterForm(OrgFormMixin, FilterForm):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名/拼音/编号"}))
    round = NamedChoiceField(label="调查", queryset=None, required=False, empty_label="全部调查")
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部状态"), *SurveyStatus.choices])
    level = forms.ChoiceField(label="困难等级", required=False,
                              choices=[("", "全部等级"), ("in", "困难及特殊困难"), *HardshipLevel.choices])
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")

    def __init__(self, *args, org_queryset, round_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["round"].queryset = round_queryset
        self._set_orgs(org_queryset)


class ReviewForm(forms.Form):
    comment = forms.CharField(label="审核意见", max_length=300, required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))


class HardshipFilterForm(OrgFormMixin, FilterForm):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名/拼音/编号"}))
    level = forms.ChoiceField(label="困难等级", required=False,
                              choices=[("in", "困难及特殊困难"), ("special", "特殊困难"), ("hardship", "困难"),
                                       ("none", "非困难"), ("all", "全部已调查")])
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self._set_orgs(org_queryset)


class NotSurveyedFilterForm(OrgFormMixin, FilterForm):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名/拼音/编号"}))
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")

    def __init__(self, *args, org_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years("本年度")
        self._set_orgs(org_queryset)


# --- benefits ---------------------------------------------------------------------------------------------


class GrantForm(forms.Form):
    worker_no = WorkerNoField()
    benefit_type = forms.ChoiceField(label="待遇", choices=())
    year = forms.TypedChoiceField(label="待遇年度", coerce=int)
    grant_date = forms.DateField(label="落实日期", widget=DATE)
    amount = _money("金额(元)", help_text="非现金待遇(如体检)可留空")
    note = forms.CharField(label="备注", max_length=300, required=False)

    def __init__(self, *args, type_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["benefit_type"].choices = [("", "请选择"), *type_choices]
        self.fields["year"].choices = _years("请选择")[1:]


class GrantFilterForm(OrgFormMixin, FilterForm):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名/拼音/编号"}))
    year = forms.TypedChoiceField(label="年度", required=False, coerce=int, empty_value=None)
    benefit_type = forms.ChoiceField(label="待遇", required=False, choices=())
    source = forms.ChoiceField(label="来源", required=False, choices=[("", "全部来源"), ("manual", "人工登记"),
                                                                   ("visit", "慰问记录"), ("retreat", "疗休养")])
    org = NamedChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    void = forms.ChoiceField(label="状态", required=False, choices=[("0", "有效"), ("1", "已作废"), ("all", "全部")])

    def __init__(self, *args, org_queryset, type_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years()
        self.fields["benefit_type"].choices = [("", "全部待遇"), *type_choices]
        self._set_orgs(org_queryset)


class BenefitReportForm(OrgFormMixin, forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "姓名/拼音/编号"}))
    year = forms.TypedChoiceField(label="年度", coerce=int, required=False, empty_value=None)
    org = forms.ModelChoiceField(label="单位", queryset=None, required=False, empty_label="全部单位")
    benefit_type = forms.ChoiceField(label="待遇", required=False, choices=())

    def __init__(self, *args, org_queryset, type_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].choices = _years("本年度")
        self.fields["benefit_type"].choices = [("", "全部待遇"), *type_choices]
        self._set_orgs(org_queryset)


class BenefitTypeForm(forms.Form):
    code = forms.CharField(label="代码", max_length=32, help_text="小写字母、数字、下划线;创建后不能修改")
    name = forms.CharField(label="待遇名称", max_length=50)
    min_level_rank = forms.TypedChoiceField(label="最低荣誉级别", coerce=int, choices=LEVEL_CHOICES, initial=2)
    statuses = forms.MultipleChoiceField(label="在职状态(不选为全部在世劳模)", required=False, widget=CHECKS,
                                         choices=LIVING_STATUS_CHOICES)
    hardship = forms.ChoiceField(label="困难要求", required=False, choices=HardshipRequirement.choices)
    standard_amount = _money("标准金额(元)")
    visit_types = forms.MultipleChoiceField(label="发放慰问金时自动登记的慰问类型", required=False, widget=CHECKS,
                                            choices=VisitType.choices)
    yearly = forms.BooleanField(label="每年应落实(列入待遇落实情况表)", required=False, initial=True)
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    note = forms.CharField(label="说明", max_length=200, required=False)
