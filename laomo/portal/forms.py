from django import forms

from laomo.volunteering.forms import RateForm, RequestInputForm


class PortalRequestForm(RequestInputForm):
    # The request's own fields, laid out by the kit's form_fields.html; the captcha and the honeypot follow.
    request_fields = ",".join(RequestInputForm.base_fields)

    captcha_answer = forms.CharField(label="验证题", max_length=4,
                                     widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    captcha_token = forms.CharField(widget=forms.HiddenInput, max_length=300)
    website = forms.CharField(required=False, max_length=100, label="网址",
                              widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["captcha_answer"].error_messages["required"] = "请填写验证题的答案。"
        # The public picks a place (莲都区, 丽水市本级), not a union (莲都区总工会, 市本级(市直)).
        self.fields["org"].label_from_instance = lambda org: org.place_name


class TrackForm(forms.Form):
    code = forms.CharField(label="查询码", max_length=16, widget=forms.TextInput(attrs={"autocomplete": "off"}))


__all__ = ["PortalRequestForm", "RateForm", "TrackForm"]
