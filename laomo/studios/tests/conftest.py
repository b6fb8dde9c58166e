import pytest

from laomo.orgs.models import User
from laomo.workers.services import worker_grant_login

from .factories import ensure_achievement_kinds


@pytest.fixture
def orgs(orgs):
    """The org tree, and the achievement kinds (both seeded by migrations, both emptied by a transactional
    test's flush)."""
    ensure_achievement_kinds()
    return orgs


@pytest.fixture
def make_worker_login(users):
    """Give a worker a self-service login (role `worker`) through the registry service."""
    def make(worker, username):
        user, _ = worker_grant_login(actor=users["city_staff"], worker=worker, username=username)
        User.objects.filter(pk=user.pk).update(must_change_password=False)  # past the first-login change
        user.refresh_from_db()
        return user

    return make
