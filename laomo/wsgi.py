import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "laomo.settings")
application = get_wsgi_application()

# Keys checked at start (gunicorn runs no system checks): refuse to serve a database whose encrypted
# data the configured keys cannot read, instead of answering 500 on every page that decrypts.
from django.db import connections  # noqa: E402

from laomo.core.keycheck import assert_keys  # noqa: E402

assert_keys()
connections.close_all()
