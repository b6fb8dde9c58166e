"""The worker part of notices on 我的档案 (`{% worker_notices worker %}`)."""

from django import template

from laomo.notices import selectors

register = template.Library()


@register.inclusion_tag("notices/partials/worker_notices.html")
def worker_notices(worker):
    notices = list(selectors.worker_notices(worker=worker)[:20])
    for notice in notices:
        notice.worker_files = [a for a in notice.attachments.all() if a.for_workers]
    return {"notices": notices}
