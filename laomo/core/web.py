"""The web kit every module's views use: lists with count-free pages, filters kept in links, htmx
redirects, service errors onto forms, inline validation as the user types, and audited exports.

Views stay thin: parse the request, call a selector or a service, render. What they used to repeat
(`_query`, `_paged`, `_xlsx`, `_hx_redirect`, `_apply_errors`, `_validate_inline`, `run_action`/`_flash`/`act`)
lives here.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe

from . import aggregates, jinja
from .exports import export_xlsx
from .pagination import page_number, page_of
from .years import selected_year

PER_PAGE = 50
# Parameters that are about the response, not the filter: dropped from links that keep the filter.
NOT_FILTERS = ("page", "format", "full")


def query_string(request, drop=NOT_FILTERS) -> str:
    """The request's filter as a query string (for page links and exports), without `drop`."""
    params = request.GET.copy()
    for key in drop:
        params.pop(key, None)
    return params.urlencode()


def paged(request, qs, *, per_page: int = PER_PAGE) -> dict:
    """One page of `qs` without COUNT(*): {rows, page, has_next, query} for `pagination.html`."""
    page = page_number(request)
    rows, has_next = page_of(qs, page=page, per_page=per_page)
    return {"rows": rows, "page": page, "has_next": has_next, "query": query_string(request)}


def wants_export(request) -> bool:
    """The list asked for as a spreadsheet (`?format=xlsx`, the export link every list carries)."""
    return request.GET.get("format") == "xlsx"


def list_page(request, qs, *, template: str, partial: str | None = None, context: dict | None = None,
              per_page: int = PER_PAGE, export: Callable | None = None, each_page: Callable | None = None):
    """A list page: the whole page, or only its rows partial when htmx asks (filters, next page).

    `export`: the spreadsheet of the same filtered `qs` for `?format=xlsx` (a function returning the response,
    e.g. `lambda: xlsx_response(...)`). `each_page(rows)`: what the page's rows need beyond the query (figures,
    labels); it may return the rows to show instead."""
    if export is not None and wants_export(request):
        return export()
    ctx = dict(context or {})

    def page_rows() -> dict:
        shown = paged(request, qs, per_page=per_page)
        if each_page is not None:
            rows = each_page(shown["rows"])
            if rows is not None:
                shown["rows"] = rows
        return shown

    if partial and partial.endswith(jinja.SUFFIX):  # the rows only when they are rendered (maybe cached)
        ctx["query"] = query_string(request)
        return rows_response(request, template, partial, ctx, rows=page_rows)
    ctx.update(page_rows())
    return rows_response(request, template, partial, ctx)


def rows_response(request, template: str, partial: str | None, context: dict, *,
                  rows: Callable[[], dict] | None = None):
    """The whole page `template`, or only its rows `partial` when htmx asks.

    A Jinja2 partial (`.jinja`, laomo/core/jinja.py) is rendered once either way: alone for htmx, else into
    the page, which shows it as `{{ rows_html }}` where it used to `{% include %}` the partial (same HTML).
    `rows()`: the partial's page of rows ({rows, page, has_next, …}, added to `context`), asked for only when
    the HTML is not in the shared cache (`ListFragments`); so is the page's `{% fragment page_fragment %}`
    (its filter bar and rows)."""
    if not (partial and partial.endswith(jinja.SUFFIX)):
        return render(request, partial if (partial and request.htmx) else template, context)
    fragments = ListFragments(request, partial)

    def rows_html() -> str:
        return fragments.get("rows", lambda: render_to_string(
            partial, {**context, **(rows() if rows is not None else {})}, request, using=jinja.ENGINE))

    if request.htmx:
        return HttpResponse(rows_html())
    # rows_html is called by the template only when the page's fragment is not cached
    return render(request, template, {**context, "rows_html": lambda: mark_safe(rows_html()),  # noqa: S308
                                      "page_fragment": fragments})


class ListFragments:
    """A list page's HTML fragments (its rows, its filter bar with the rows), rendered once per data version
    (issue 16).

    A list page below the top bar is a function of what the view's scoped queries give for the request's
    filters: for a user whose lists follow only their capabilities, scope level and unit
    (`aggregates.card_audience`, as dashboard cards), the fragments are kept in the shared cache under (data
    version, that audience, the local date, the year chosen in the top bar (kept in the session: the studios'
    flags follow it), the partial, the path and query string). A write through the services changes the data
    version in its transaction, so the next view renders again; what changes with the clock alone (a request
    turning overdue) is at most LAOMO_AGGREGATE_CACHE_SECONDS old, as the dashboard's figures. Users whose
    lists follow their own identity (self scope, team leaders, model workers) are never served from it.
    Nothing in a fragment may depend on anything else: no CSRF token, no user name (the top bar has them)."""

    def __init__(self, request, partial: str):
        self.request, self.partial = request, partial
        self._key = None

    def key(self) -> tuple | None:
        if self._key is None:
            request = self.request
            audience = aggregates.card_audience(request.user) if aggregates.enabled() else None
            if audience is None:
                self._key = ()
            else:
                where = f"{self.partial}\n{request.path}\n{request.META.get('QUERY_STRING', '')}"
                self._key = (aggregates.data_version(), "list", audience, timezone.localdate().isoformat(),
                             selected_year(request), hashlib.sha256(where.encode()).hexdigest()[:32])
        return self._key or None

    def get(self, name: str, render_html: Callable[[], str]) -> str:
        """The fragment `name`: from the cache, or render_html() stored there."""
        key = self.key()
        if key is None:
            return render_html()
        return aggregates.cached((*key, name), render_html)


def hx_redirect(request, url: str):
    """After a successful post: htmx follows HX-Redirect (204), a plain form a 302."""
    if request.htmx:
        response = HttpResponse(status=204)
        response["HX-Redirect"] = url
        return response
    return redirect(url)


ERROR_SEPARATOR = "；"


def errors_text(source) -> str:
    """A refusal on one line, for a message: a ValidationError's messages, or a bound form's errors, joined by "；"."""
    if isinstance(source, ValidationError):
        return ERROR_SEPARATOR.join(source.messages)
    return ERROR_SEPARATOR.join(e for errs in source.errors.values() for e in errs)


def run_action(request, fn: Callable, *, success=None, redirect_to=None, done_to=None, form=None,
               invalid: str | None = None):
    """A one-button action (a POST with no form page of its own): `fn()` (one service call), then a message —
    the service's refusal (`errors_text`) as an error, or `success` (a text, or `success(result)`; None: none).
    With a small posted `form`, an invalid one is refused first (`invalid`, or its errors) and `fn` not run.

    Without `redirect_to`: True when it went through. With it: a redirect there (anything `redirect` takes),
    or after a success to `done_to` when given (a deleted record's list)."""
    done = False
    if form is not None and not form.is_valid():
        messages.error(request, invalid or errors_text(form))
    else:
        try:
            result = fn()
        except ValidationError as exc:
            messages.error(request, errors_text(exc))
        else:
            if success is not None:
                messages.success(request, success(result) if callable(success) else success)
            done = True
    if redirect_to is None:
        return done
    return redirect(done_to if done and done_to is not None else redirect_to)


def apply_errors(form, exc: ValidationError, mapping: dict | None = None) -> None:
    """A service's ValidationError onto a form: field errors on fields (renamed by `mapping`), the rest on top."""
    mapping = mapping or {}
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for key, errors in exc.message_dict.items():
        field = mapping.get(key, key)
        for message in errors:
            form.add_error(field if field in form.fields else None, message)


def save_form(request, form, save: Callable, success=None, *, mapping: dict | None = None):
    """Run `save()` (one service call) for a valid form: its result, after the success message (`success`, or
    `success(result)`; None: none), or None with the service's refusal on the form (`apply_errors`, fields
    renamed by `mapping`). Nothing typed is lost."""
    try:
        result = save()
    except ValidationError as exc:
        apply_errors(form, exc, mapping)
        return None
    if success is not None:
        messages.success(request, success(result) if callable(success) else success)
    return result


def is_inline_check(request) -> bool:
    """The form posts itself as the user types (`_validate=1`): answer with errors, write nothing."""
    return bool(request.htmx and request.POST.get("_validate"))


def _filled(request, name: str) -> bool:
    return any(str(v).strip() for v in request.POST.getlist(name))


def validate_inline(request, form, check: Callable | None = None, *, mapping: dict | None = None,
                    shown_when: dict | None = None, context: dict | None = None):
    """Check the form as it is typed: errors only for the fields the user has filled in, the service's
    rules too (`check(cleaned_data)` raising ValidationError). The answer holds only the error boxes,
    swapped out of band (`partials/inline_errors.html`): nothing the user typed is replaced.

    `shown_when` says which filled fields make a field's errors visible ({"end_date": ["start_date",
    "end_date"]}); by default a field's own.
    """
    mapping, shown_when = mapping or {}, shown_when or {}
    form.is_valid()
    service_errors = {}
    if check is not None:
        try:
            check(dict(getattr(form, "cleaned_data", {})))
        except ValidationError as exc:
            service_errors = exc.message_dict if hasattr(exc, "error_dict") else {}
        except Exception:  # noqa: BLE001  (incomplete input: the submit shows the errors)
            service_errors = {}

    def visible(field: str) -> bool:
        return any(_filled(request, name) for name in shown_when.get(field, [field]))

    for name in list(form.errors):
        if name == "__all__" or not visible(name):
            del form.errors[name]
    for key, errors in service_errors.items():
        field = mapping.get(key, key)
        if field in form.fields and visible(field) and field not in form.errors:
            for message in errors:
                form.add_error(field, message)
    return render(request, "partials/inline_errors.html", {"form": form, **(context or {})})


def xlsx_response(request, *, filename: str, action: str, what: str, headers=None, rows=None, text_columns=(),
                  write: Callable | None = None, object_type: str = "", dated: bool = True):
    """Download of a spreadsheet, written and audited by `laomo.core.exports.export_xlsx`.

    `filename` without extension; today's date is appended (`dated`) as clerks file them by date.
    """
    handle, _count = export_xlsx(actor=request.user, action=action, what=what, headers=headers, rows=rows,
                                 text_columns=text_columns, write=write, query=query_string(request),
                                 object_type=object_type)
    name = f"{filename}{timezone.localdate():%Y%m%d}.xlsx" if dated else f"{filename}.xlsx"
    return FileResponse(handle, as_attachment=True, filename=name)
