"""What the care pages share: the units a user may pick, the worker typed into a box, messages of a refusal."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.core.exceptions import ValidationError

from laomo.core.permissions import has_capability
from laomo.core.web import apply_errors
from laomo.orgs.selectors import org_choices_for

from .. import selectors

# A service's "worker" error belongs to the form's worker box.
WORKER_FIELD = {"worker": "worker_no"}


def orgs(request):
    return org_choices_for(user=request.user)


def can(request, capability: str) -> bool:
    return has_capability(request.user, capability)


def error_message(request, exc) -> None:
    """A refusal of a one-button action, shown as a message on the page it returns to."""
    messages.error(request, ";".join(exc.messages))


def run_action(request, call: Callable, success: str | Callable) -> bool:
    """A one-button action (a POST with no form page of its own): `call()` (one service call), then the
    success message (`success`, or `success(result)`), or the service's refusal as an error message."""
    try:
        result = call()
    except ValidationError as exc:
        error_message(request, exc)
        return False
    messages.success(request, success(result) if callable(success) else success)
    return True


def safe_next(request, default: str) -> str:
    """The local page to return to after a save (`next`), never another site."""
    target = request.POST.get("next") or ""
    return target if target.startswith("/") and not target.startswith("//") else default


def worker_missing(text: str, matches: int) -> str:
    if matches > 1:
        return f"有多位劳模符合“{text}”,请输入劳模编号,或在右侧查找后选择。"
    return "未找到该劳模(可填劳模编号、姓名、拼音或身份证后四位),或该劳模不在您的数据范围内。"


def worker_or_error(request, form, field: str = "worker_no"):
    """The worker named in `field`: a worker number, or a name / pinyin / ID last four with one match."""
    text = form.cleaned_data.get(field, "")
    worker, matches = selectors.worker_resolve(user=request.user, text=text)
    if worker is None:
        form.add_error(field, worker_missing(text, matches))
    return worker


def chart_data(rows) -> dict:
    return {"units": [r["org"].short_name or r["org"].name for r in rows],
            "amounts": [str(r["amount"]) for r in rows], "visits": [r["visits"] for r in rows]}


def save_form(request, form, save: Callable, success: str | Callable):
    """Run `save()` (one service call) for a valid form: its result after a success message (`success`, or
    `success(result)`), or None with the service's refusal on the form (a "worker" error on the worker box)."""
    try:
        result = save()
    except ValidationError as exc:
        apply_errors(form, exc, WORKER_FIELD)
        return None
    messages.success(request, success(result) if callable(success) else success)
    return result
