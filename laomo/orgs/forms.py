from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.password_validation import password_validators_help_text_html

from .models import OrgKind, OrgUnit
from .roles import DataScope, Role


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": "用户名或密码错误。连续失败 5 次,账号将被锁定 15 分钟。",
        "inactive": "该账号已停用,请联系系统管理员。",
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].label = "用户名"
        self.fields["password"].label = "密码"
        self.fields["username"].widget.attrs.update({"class": "form-control", "autofocus": True})
        self.fields["password"].widget.attrs.update({"class": "form-control"})


class OtpTokenForm(forms.Form):
    token = forms.RegexField(
        label="动态验证码", regex=r"^\d{6}$", max_length=6,
        error_messages={"invalid": "请输入 6 位数字验证码。", "required": "请输入验证码。"},
        widget=forms.TextInput(attrs={"class": "form-control", "inputmode": "numeric", "autocomplete": "one-time-code",
                                      "autofocus": True}),
    )


class PasswordChangeForm(forms.Form):
    old_password = forms.CharField(label="当前密码", widget=forms.PasswordInput(attrs={"class": "form-control"}))
    new_password1 = forms.CharField(label="新密码", widget=forms.PasswordInput(attrs={"class": "form-control"}),
                                    help_text=password_validators_help_text_html())
    new_password2 = forms.CharField(label="确认新密码", widget=forms.PasswordInput(attrs={"class": "form-control"}))

    def __init__(self, user, *args, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_old_password(self):
        value = self.cleaned_data["old_password"]
        if not self.user.check_password(value):
            raise forms.ValidationError("当前密码不正确。")
        return value

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("new_password1"), data.get("new_password2")
        if p1 and p2 and p1 != p2:
            self.add_error("new_password2", "两次输入的新密码不一致。")
        if p1 and data.get("old_password") == p1:
            self.add_error("new_password1", "新密码不能与当前密码相同。")
        return data


class OrgUnitForm(forms.Form):
    code = forms.CharField(label="组织代码", max_length=32)
    name = forms.CharField(label="名称", max_length=100)
    short_name = forms.CharField(label="简称", max_length=50, required=False)
    kind = forms.ChoiceField(label="类型", choices=OrgKind.choices)
    parent = forms.ModelChoiceField(label="上级单位", queryset=OrgUnit.objects.order_by("path"), required=False)
    sort_order = forms.IntegerField(label="排序", min_value=0, initial=0, required=False)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)
    registry_review = forms.BooleanField(
        label="下级单位劳模信息须报送审核", required=False,
        help_text="勾选后,下级单位新增或修改劳模、荣誉及导入名册须报送本级审核,审核通过后才生效")


class UserForm(forms.Form):
    username = forms.RegexField(label="用户名", max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": "用户名只能包含字母、数字和 @/./+/-/_ 。"})
    full_name = forms.CharField(label="姓名", max_length=50)
    title = forms.CharField(label="职务", max_length=50, required=False,
                            help_text="如“办公室主任”;出具证明时随姓名署名")
    email = forms.EmailField(label="邮箱", required=False)
    org = forms.ModelChoiceField(label="所属单位", queryset=OrgUnit.objects.filter(is_active=True).order_by("path"))
    roles = forms.MultipleChoiceField(label="角色", choices=Role.choices, widget=forms.CheckboxSelectMultiple)
    data_scope = forms.ChoiceField(label="数据范围", required=False,
                                   choices=[("", "按角色确定")] + list(DataScope.choices))

    def __init__(self, *args, editing=False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["username"].disabled = True
