from django import forms

from laomo.outreach.forms import MultipleFileField, MultipleFileInput

from .files import ALLOWED_TEXT
from .models import NoticeCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ACCEPT = ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"


def _files(label: str) -> MultipleFileField:
    return MultipleFileField(label=label, required=False, widget=MultipleFileInput(attrs={"accept": ACCEPT}),
                             help_text=f"可多选;{ALLOWED_TEXT},单个不超过 20 MB")


class NoticeForm(forms.Form):
    org = forms.ModelChoiceField(label="发文单位", queryset=None, empty_label=None)
    title = forms.CharField(label="标题", max_length=200)
    doc_number = forms.CharField(label="文号", max_length=60, required=False,
                                 widget=forms.TextInput(attrs={"placeholder": "如:丽劳协〔2022〕5号"}))
    category = forms.ChoiceField(label="类别", choices=NoticeCategory.choices)
    deadline = forms.DateField(label="确认截止日期", required=False, widget=DATE)
    body = forms.CharField(label="正文", widget=forms.Textarea(attrs={"rows": 8}))
    all_counties = forms.BooleanField(label="全部县(市、区)", required=False,
                                      help_text="勾选后发给发文单位下的全部县(市、区),无需逐个选择")
    targets = forms.ModelMultipleChoiceField(label="接收单位", queryset=None, required=False,
                                             widget=forms.CheckboxSelectMultiple)
    attachments = _files("附件")
    worker_text = forms.CharField(label="致劳模本人的内容", required=False, widget=forms.Textarea(attrs={"rows": 4}),
                                  help_text="可选;填写后,接收单位及其下级的劳模可在“我的档案”中看到")
    worker_attachments = _files("劳模可见的附件")

    def __init__(self, *args, org_queryset, target_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org"].queryset = org_queryset
        self.fields["targets"].queryset = target_queryset


class WithdrawForm(forms.Form):
    reason = forms.CharField(label="撤回原因", max_length=500)
