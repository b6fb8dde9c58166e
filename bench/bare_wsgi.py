"""The floor of the load benchmark: one Django view, no middleware, no database, no templates, served by
gunicorn exactly as laomo is (`bench/load.py`). Everything laomo's pages cost above this is laomo's."""

import os

from django.conf import settings
from django.core.wsgi import get_wsgi_application
from django.http import HttpResponse
from django.urls import path


def hello(request):
    return HttpResponse("ok")


urlpatterns = [path("", hello)]

if not settings.configured:
    os.environ.pop("DJANGO_SETTINGS_MODULE", None)
    settings.configure(DEBUG=False, SECRET_KEY="bench-bare-view", ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__,
                       MIDDLEWARE=[], INSTALLED_APPS=[], DATABASES={}, USE_TZ=True)
application = get_wsgi_application()
