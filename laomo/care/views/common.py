"""What the care pages share: the units a user may pick, the worker typed into a box, a form saved through a
service (its "worker" error on the worker box)."""

from __future__ import annotations

from functools import partial

from laomo.core import web
from laomo.core.permissions import has_capability
from laomo.orgs.selectors import org_choices_for

from .. import selectors

# A service's "worker" error belongs to the form's worker box.
WORKER_FIELD = {"worker": "worker_no"}


def orgs(request):
    return org_choices_for(user=request.user)


def can(request, capability: str) -> bool:
    return has_capability(request.user, capability)


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


# A service's refusal onto the form, a "worker" error on the worker box.
save_form = partial(web.save_form, mapping=WORKER_FIELD)
