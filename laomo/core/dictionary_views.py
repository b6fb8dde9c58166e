"""The one page of the data dictionary (/core/dictionary/): every registered list, its entries, their forms."""

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render

from . import dictionary
from .models import DictItem
from .permissions import capability_required
from .web import apply_errors


class DictItemForm(forms.Form):
    code = forms.CharField(label="代码", max_length=32, help_text="小写字母、数字、下划线;创建后不能修改")
    label = forms.CharField(label="名称", max_length=50)
    sort_order = forms.IntegerField(label="排序", min_value=0, max_value=999, initial=0)
    is_active = forms.BooleanField(label="启用", required=False, initial=True)

    def __init__(self, *args, kind: dictionary.Kind, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind = kind
        for name, label in kind.flags.items():
            self.fields[f"flag_{name}"] = forms.BooleanField(label=label, required=False)

    def values(self) -> dict:
        data = dict(self.cleaned_data)
        data["flags"] = {name: data.pop(f"flag_{name}", False) for name in self.kind.flags}
        return data


@capability_required("manage_dictionary")
def dictionary_page(request):
    groups = []
    by_kind: dict[str, list] = {}
    for item in DictItem.objects.all():
        by_kind.setdefault(item.kind, []).append(item)
    for kind in dictionary.kinds():
        groups.append({"kind": kind, "items": by_kind.get(kind.code, [])})
    panels = [{"title": title, "template": template, **context(request)}
              for title, template, context in dictionary.panels()]
    return render(request, "core/dictionary.html", {"groups": groups, "panels": panels})


def _item_form(request, kind: dictionary.Kind, item: DictItem | None):
    initial = {"sort_order": 0, "is_active": True}
    if item is not None:
        initial = {"code": item.code, "label": item.label, "sort_order": item.sort_order, "is_active": item.is_active,
                   **{f"flag_{n}": item.flag(n) for n in kind.flags}}
    form = DictItemForm(request.POST or None, initial=initial, kind=kind)
    if item is not None:
        form.fields["code"].disabled = True
    if request.method == "POST" and form.is_valid():
        try:
            dictionary.item_save(actor=request.user, item=item, kind_code=kind.code, **form.values())
        except ValidationError as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, f"已保存{kind.label}“{form.cleaned_data['label']}”。")
            return redirect("core:dictionary")
    return render(request, "core/dictionary_form.html", {"form": form, "kind": kind, "obj": item})


def _kind_or_404(code: str) -> dictionary.Kind:
    try:
        return dictionary.kind(code)
    except ValidationError:
        raise Http404("未知的字典。") from None


@capability_required("manage_dictionary")
def dictionary_item_create(request, kind):
    return _item_form(request, _kind_or_404(kind), None)


@capability_required("manage_dictionary")
def dictionary_item_edit(request, pk):
    item = get_object_or_404(DictItem, pk=pk)
    return _item_form(request, _kind_or_404(item.kind), item)
