"""What the pages of the module share: workers typed by number or name, saving through a service or checking
it while the user types, and the small forms posted from a detail page."""

from __future__ import annotations

import re

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import render

from laomo.core.permissions import has_capability
from laomo.core.web import hx_redirect, is_inline_check, save_form, validate_inline
from laomo.orgs.selectors import org_choices_for

from .. import selectors, services

_FREE_PERSON = re.compile(r"^(.+?)\s*[((](.*)[))]$")


def can_edit(request) -> bool:
    return has_capability(request.user, "edit_business")


def done(request, url: str, message: str = ""):
    if message:
        messages.success(request, message)
    return hx_redirect(request, url)


def default_org(request):
    orgs = org_choices_for(user=request.user)
    return request.user.org if request.user.org_id and orgs.filter(pk=request.user.org_id).exists() else orgs.first()


def posted(request):
    """The form data of a POST (even an empty one, which must be refused, not taken for a GET)."""
    return request.POST if request.method == "POST" else None


def _split_free(tokens: list[str], free_text: bool) -> tuple[dict, list[str]]:
    free: dict[str, services.Person] = {}
    lookup = []
    for token in tokens:
        match = _FREE_PERSON.match(token)
        if free_text and match:
            free[token] = services.Person(name=match.group(1).strip(), employer=match.group(2).strip())
        else:
            lookup.append(token)
    return free, lookup


def people(request, form, field: str, text: str, *, free_text: bool = False) -> list:
    """Resolve “编号或姓名” tokens to workers (and, where allowed, “姓名(单位)” to people not in the registry).

    Errors go onto `form.field`: an unknown name, a name shared by several workers (asks for the number).
    """
    tokens = selectors.split_names(text)
    free, lookup = _split_free(tokens, free_text)
    resolved = selectors.resolve_workers(user=request.user, tokens=lookup)
    for token, workers in resolved.ambiguous.items():
        choices = "、".join(f"{w.worker_no}({w.org.short_name or w.org.name}{' ' + w.employer if w.employer else ''})"
                           for w in workers[:5])
        form.add_error(field, f"“{token}”对应多名劳模,请改填劳模编号:{choices}。")
    for token in resolved.unknown:
        if free_text and not selectors.is_worker_no(token):
            free[token] = services.Person(name=token)
        else:
            form.add_error(field, f"未找到劳模“{token}”(或不在您的数据范围内)。")
    return [resolved.found[t] if t in resolved.found else free[t] for t in tokens if t in resolved.found or t in free]


def one_worker(request, form, field: str, text: str):
    workers = people(request, form, field, text)
    if len(workers) > 1:
        form.add_error(field, "只能填写一名劳模。")
        return None
    return workers[0] if workers else None


def service_check(request, form, call, kwargs: dict, people_kwargs: dict | None = None):
    """The service's own rules for inline validation (`laomo.core.web.validate_inline`): a dry run of the save
    when the form is complete; while it is not, only the checks on the people typed so far."""

    def check(_data) -> None:
        if form.errors:
            if people_kwargs and not any(name in form.errors for name in people_kwargs):
                raise ValidationError(services.people_errors(request.user, **people_kwargs) or {})
            return
        error = services.dry_run(call, **kwargs)
        if error is not None:
            raise error

    return check


def form_page(request, form, prepare, *, template: str, context: dict, on_saved, check=None):
    """The flow of a form page: show it; on a POST, `prepare(form)` gives the service call (call, kwargs, the
    people typed), checked while the user types (`check(form, kwargs)` or the service's dry run) or saved, and
    `on_saved(saved)` answers. Nothing typed is lost when the service refuses."""
    if request.method == "POST":
        call, kwargs, people_kwargs = prepare(form)
        if is_inline_check(request):
            checker = check(form, kwargs) if check else service_check(request, form, call, kwargs, people_kwargs)
            return validate_inline(request, form, checker)
        saved = None if form.errors else save_form(request, form, lambda: call(**kwargs))
        if saved is not None:
            return on_saved(saved)
    return render(request, template, {"form": form, **context})
