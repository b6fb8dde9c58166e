"""Settings of the benchmarks only: laomo's settings plus the Django admin (the list page's peer).

The admin is never part of laomo; it is installed here so that `bench/worker_list.py` can time the
admin changelist of Worker next to laomo's list page, in the same process and middleware stack.
"""

from laomo.settings import *  # noqa: F403
from laomo.settings import INSTALLED_APPS

INSTALLED_APPS = ["django.contrib.admin", *INSTALLED_APPS]
ROOT_URLCONF = "admin_urls"
# The middleware stack is laomo's, unchanged: the list page, the admin and the floor all cross it.

# The admin's static files are not in laomo's manifest: collect laomo's and the admin's into the bench
# work dir (same manifest storage as production, without the compression step).
STATIC_ROOT = VAR_DIR.parent / "static"  # noqa: F405
STORAGES = {**STORAGES, "staticfiles": {  # noqa: F405
    "BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"}}
