import pytest


@pytest.fixture
def make_worker_login():
    """Give a worker a self-service login (role `worker`) through the registry service."""
    from laomo.orgs.models import User
    from laomo.workers.services import worker_grant_login

    def make(worker, username):
        user, _ = worker_grant_login(actor=None, worker=worker, username=username)
        User.objects.filter(pk=user.pk).update(must_change_password=False)  # past the first-login change
        user.refresh_from_db()
        return user

    return make
