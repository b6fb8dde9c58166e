"""What the volunteering pages share: who may see and edit, a form posted to a service, and a list page that
also exports its rows."""

from __future__ import annotations

from collections.abc import Callable

from laomo.core.permissions import has_capability
from laomo.core.scope import org_in_scope
from laomo.core.web import list_page, save_form

VIEW = ("view_business", "lead_team")
EDIT = ("edit_business", "lead_team")


def can_edit(user, org=None) -> bool:
    """Staff who may edit (the unit's business, when `org` is given)."""
    return has_capability(user, "edit_business") and (org is None or org_in_scope(user, org))


def submitted(request, form, call: Callable):
    """A POST with a valid form: the service's result; its refusal goes onto the form (None then)."""
    if request.method != "POST" or not form.is_valid():
        return None
    return save_form(request, form, lambda: call(form.cleaned_data))


def list_or_export(request, qs, *, name: str, sheet: Callable, context: dict, template: str = "", shown=None,
                   each_page: Callable | None = None, partial: str = ""):
    """The list page `volunteering/<name>_list.html` (its rows partial, by default `<name>_rows.html`, for
    htmx), or the spreadsheet `sheet(qs)` for `?format=xlsx`. `shown`: what the page lists instead of `qs`
    (its rows as dicts, then completed by `each_page`)."""
    return list_page(request, qs if shown is None else shown, template=template or f"volunteering/{name}_list.html",
                     partial=partial or f"volunteering/partials/{name}_rows.html", context=context,
                     export=lambda: sheet(qs).response(request), each_page=each_page)
