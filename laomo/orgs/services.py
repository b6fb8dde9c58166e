from __future__ import annotations

import secrets
import string

from django.contrib.auth.models import Group, Permission
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils import timezone

from laomo.core import audit

from .models import OrgUnit, User
from .roles import CAPABILITIES, ROLE_CAPABILITIES, SEPARATED_ROLES, Role

# --- roles -----------------------------------------------------------------------------------------


def sync_roles() -> None:
    """Create one group per role with its capabilities (idempotent; runs after every migrate)."""
    perms = {p.codename: p for p in Permission.objects.filter(content_type__app_label="core")}
    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = [perms[c] for c in ROLE_CAPABILITIES[role] if c in perms]
        group.permissions.set(wanted)
    missing = {c for c, _ in CAPABILITIES} - set(perms)
    if missing:  # permissions are created by post_migrate of core; sync again on the next run
        return


def validate_role_set(roles) -> None:
    roles = set(roles)
    unknown = roles - set(Role.values)
    if unknown:
        raise ValidationError({"roles": f"未知角色:{'、'.join(sorted(unknown))}"})
    separated = roles & SEPARATED_ROLES
    if len(separated) > 1:
        labels = "、".join(Role(r).label for r in sorted(separated))
        raise ValidationError({"roles": f"三员分立:同一账号不能同时担任{labels}。"})


# --- org units -------------------------------------------------------------------------------------


def _set_path(org: OrgUnit) -> None:
    org.path = f"{org.parent.path if org.parent_id else '/'}{org.pk:07d}/"
    org.depth = org.parent.depth + 1 if org.parent_id else 0


@transaction.atomic
def org_create(*, actor, code: str, name: str, kind: str, parent: OrgUnit | None, short_name: str = "",
               sort_order: int = 0) -> OrgUnit:
    org = OrgUnit(code=code.strip(), name=name.strip(), kind=kind, parent=parent, short_name=short_name.strip(),
                  sort_order=sort_order)
    org.full_clean(exclude=["path"])
    org.save()
    _set_path(org)
    org.save(update_fields=["path", "depth"])
    audit.record(actor=actor, action="orgs.org.create", obj=org, org=org,
                 changes={"code": org.code, "name": org.name, "kind": org.kind, "parent": str(parent or "")})
    return org


@transaction.atomic
def org_update(*, actor, org: OrgUnit, **fields) -> OrgUnit:
    org = OrgUnit.objects.select_for_update(of=("self",)).get(pk=org.pk)
    before = {k: getattr(org, k) for k in fields}
    new_parent = fields.get("parent", org.parent)
    if new_parent is not None and new_parent.is_within(org):
        raise ValidationError({"parent": "上级单位不能是本单位或其下级单位。"})
    if org.parent_id is None and "parent" in fields and new_parent is not None:
        raise ValidationError({"parent": "根单位不能设置上级。"})
    for key, value in fields.items():
        setattr(org, key, value)
    org.full_clean(exclude=["path"])
    old_path, below = org.path, OrgUnit.objects.filter(org.subtree_q("")).exclude(pk=org.pk)
    _set_path(org)
    org.save()
    if org.path != old_path:  # move the whole subtree with it
        below.update(
            path=Concat(Value(org.path), Substr(F("path"), len(old_path) + 1)),
            depth=F("depth") + (org.depth - old_path.count("/") + 2),
        )
    after = {k: getattr(org, k) for k in fields}
    audit.record(actor=actor, action="orgs.org.update", obj=org, org=org,
                 changes={k: [str(v[0]), str(v[1])] for k, v in audit.diff(before, after).items()})
    return org


# --- users -----------------------------------------------------------------------------------------


def generate_password(length: int = 14) -> str:
    """A random password meeting the complexity rule (used for admin-created accounts)."""
    alphabet = string.ascii_letters + string.digits + "!@#$%*"
    while True:
        pw = "".join(secrets.choice(alphabet) for _ in range(length))
        if (any(c.islower() for c in pw) and any(c.isupper() for c in pw) and any(c.isdigit() for c in pw)
                and any(c in "!@#$%*" for c in pw)):
            return pw


@transaction.atomic
def user_create(*, actor, username: str, org: OrgUnit, roles: list[str], full_name: str = "",
                password: str | None = None, must_change_password: bool = True, data_scope: str = "",
                email: str = "", title: str = "") -> tuple[User, str]:
    """Create an account; returns (user, password). An admin-created account changes its password
    at first login."""
    validate_role_set(roles)
    if not roles:
        raise ValidationError({"roles": "请至少选择一个角色。"})
    username = username.strip()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": "该用户名已存在。"})
    user = User(username=username, full_name=full_name.strip(), title=title.strip(), org=org, data_scope=data_scope,
                must_change_password=must_change_password, email=email)
    if password is None:
        password = generate_password()
    validate_password(password, user)
    user.set_password(password)
    user.password_changed_at = timezone.now()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    audit.record(actor=actor, action="orgs.user.create", obj=user, org=org,
                 changes={"username": username, "roles": sorted(roles), "org": org.code})
    return user, password


@transaction.atomic
def user_update(*, actor, user: User, full_name: str, org: OrgUnit, roles: list[str], data_scope: str = "",
                email: str = "", title: str | None = None) -> User:
    validate_role_set(roles)
    if not roles:
        raise ValidationError({"roles": "请至少选择一个角色。"})
    before = {"full_name": user.full_name, "org": user.org.code if user.org else "", "roles": sorted(user.role_codes),
              "data_scope": user.data_scope, "email": user.email, "title": user.title}
    user.full_name, user.org, user.data_scope, user.email = full_name.strip(), org, data_scope, email
    if title is not None:
        user.title = title.strip()
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.set(Group.objects.filter(name__in=roles))
    user.__dict__.pop("role_codes", None)
    after = {"full_name": user.full_name, "org": org.code, "roles": sorted(roles), "data_scope": data_scope,
             "email": email, "title": user.title}
    audit.record(actor=actor, action="orgs.user.update", obj=user, org=org, changes=audit.diff(before, after))
    return user


def end_sessions(user: User) -> int:
    """Delete every session of the user (ASVS 7.4.2: end sessions when an account is disabled)."""
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def user_set_active(*, actor, user: User, active: bool) -> User:
    if not active and actor.pk == user.pk:  # SYSTEM is nobody's account (pk None)
        raise ValidationError("不能停用自己的账号。")
    user.is_active = active
    user.save(update_fields=["is_active"])
    ended = 0 if active else end_sessions(user)
    audit.record(actor=actor, action="orgs.user.enable" if active else "orgs.user.disable", obj=user, org=user.org,
                 changes={"sessions_ended": ended})
    return user


@transaction.atomic
def user_reset_password(*, actor, user: User) -> str:
    password = generate_password()
    user.set_password(password)
    user.must_change_password = True
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    end_sessions(user)
    audit.record(actor=actor, action="orgs.user.reset_password", obj=user, org=user.org)
    return password


@transaction.atomic
def user_change_own_password(*, user: User, new_password: str) -> None:
    validate_password(new_password, user)
    user.set_password(new_password)
    user.must_change_password = False
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password", "must_change_password", "password_changed_at"])
    audit.record(actor=user, action="auth.password.change", obj=user, org=user.org)


@transaction.atomic
def user_unlock(*, actor, username: str) -> int:
    from axes.utils import reset

    count = reset(username=username)
    audit.record(actor=actor, action="auth.account.unlock", object_type="orgs.user", object_repr=username,
                 changes={"attempts_cleared": count})
    return count


@transaction.atomic
def user_reset_second_factor(*, actor, user: User) -> int:
    from django_otp.plugins.otp_totp.models import TOTPDevice

    count, _ = TOTPDevice.objects.filter(user=user).delete()
    user._laomo_has_totp = False
    end_sessions(user)
    audit.record(actor=actor, action="auth.otp.reset", obj=user, org=user.org, changes={"devices": count})
    return count
