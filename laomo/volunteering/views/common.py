"""What the volunteering pages share: who may see and edit, a service call with its outcome as a message,
a form posted to a service, and a list page that also exports its rows."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError

from laomo.core.permissions import has_capability
from laomo.core.scope import org_in_scope
from laomo.core.web import apply_errors, list_page

VIEW = ("view_business", "lead_team")
EDIT = ("edit_business", "lead_team")


def messages_from(exc: ValidationError) -> str:
    return ";".join(exc.messages)


def form_errors(form) -> str:
    return ";".join(e for errs in form.errors.values() for e in errs)


def can_edit(user, org=None) -> bool:
    """Staff who may edit (the unit's business, when `org` is given)."""
    return has_capability(user, "edit_business") and (org is None or org_in_scope(user, org))


def act(request, call: Callable, done) -> bool:
    """Run a service call; its refusal becomes the error message, else `done` (text, or a function of the
    call's result). True when it went through."""
    try:
        result = call()
    except ValidationError as exc:
        messages.error(request, messages_from(exc))
        return False
    messages.success(request, done(result) if callable(done) else done)
    return True


def act_on_form(request, form, call: Callable, done, invalid: str | None = None) -> bool:
    """`act` with the cleaned data of a small posted form; an invalid form says what is missing."""
    if not form.is_valid():
        messages.error(request, invalid or form_errors(form))
        return False
    return act(request, lambda: call(form.cleaned_data), done)


def submitted(request, form, call: Callable):
    """A POST with a valid form: the service's result; its refusal goes onto the form (None then)."""
    if request.method != "POST" or not form.is_valid():
        return None
    try:
        return call(form.cleaned_data)
    except ValidationError as exc:
        apply_errors(form, exc)
        return None


def list_or_export(request, qs, *, name: str, sheet: Callable, context: dict, template: str = ""):
    """The list page `volunteering/<name>_list.html` (its rows partial `<name>_rows.html` for htmx), or the
    spreadsheet `sheet(qs)` for `?format=xlsx`."""
    if request.GET.get("format") == "xlsx":
        return sheet(qs).response(request)
    return list_page(request, qs, template=template or f"volunteering/{name}_list.html",
                     partial=f"volunteering/partials/{name}_rows.html", context=context)
