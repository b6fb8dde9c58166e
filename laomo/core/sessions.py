"""Django's database sessions, the session row read by a query compiled once (issue 16).

The same rows, the same expiry check (a session past its `expire_date` is not loaded) and the same
handling of a missing one as `django.contrib.sessions.backends.db`; only the lookup skips the ORM's
building of the query on every request (laomo.core.prepared). SESSION_ENGINE = "laomo.core.sessions".
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from .prepared import PreparedQuery

_SESSION = PreparedQuery(lambda key: Session.objects.filter(session_key=key), "")


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        if self.get_model_class() is Session and self.session_key:
            found = _SESSION.objects(self.session_key)
            # Django's query asks for expire_date > now; the same test, made on the row read by its key.
            if found and found[0].expire_date > timezone.now():
                return found[0]
            self._session_key = None
            return None
        return super()._get_session_from_db()
