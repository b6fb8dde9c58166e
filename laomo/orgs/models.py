import json
from functools import cached_property

from django.contrib.auth.models import AbstractUser, Group, Permission
from django.db import models
from django.db.models import F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Concat, StrIndex, Substr

from laomo.core.prepared import PreparedQuery

from .roles import BUSINESS_ROLES, ROLE_SCOPE, DataScope, Role, widest_scope


class OrgKind(models.TextChoices):
    PROVINCE = "province", "省"
    CITY = "city", "市"
    CITY_DIRECT = "city_direct", "市本级/市直"
    COUNTY = "county", "县(市、区)"
    TOWNSHIP = "township", "乡镇(街道)"
    ENTERPRISE = "enterprise", "企业"
    INDUSTRY = "industry", "产业工会"


class OrgUnit(models.Model):
    """A node of the union org tree.

    `path` is the chain of primary keys from the root, delimited (`/1/5/`), so a subtree is one
    indexed prefix query on the path; it is never derived from the unit codes.
    """

    code = models.CharField("组织代码", max_length=32, unique=True)
    name = models.CharField("名称", max_length=100)
    short_name = models.CharField("简称", max_length=50, blank=True)
    kind = models.CharField("类型", max_length=16, choices=OrgKind.choices)
    parent = models.ForeignKey(
        "self", verbose_name="上级单位", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    path = models.CharField(max_length=255, db_index=True, editable=False, default="")
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    sort_order = models.PositiveIntegerField("排序", default=0)
    is_active = models.BooleanField("启用", default=True)
    # 报送→审核: changes to the registry of the units below this one (their workers and honors) are submitted
    # by their staff and take effect once a reviewer (capability `review_registry`) approves them.
    registry_review = models.BooleanField("下级单位劳模信息须报送审核", default=False)

    class Meta:
        verbose_name = "组织"
        verbose_name_plural = "组织"
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=~models.Q(parent=models.F("id")), name="orgunit_not_own_parent"),
        ]

    def __str__(self):
        return self.name

    @property
    def place_name(self) -> str:
        """The place the public knows the unit by: 莲都区, 丽水市本级 (not 莲都区总工会 or 市本级(市直))."""
        if self.kind == OrgKind.CITY_DIRECT and self.parent_id:
            return f"{self.parent.place_name}本级"
        return self.short_name or self.name.removesuffix("总工会")

    def is_within(self, other: "OrgUnit") -> bool:
        """True when this unit is `other` or lies below it."""
        return self.path.startswith(other.path)

    # --- the tree, in one place (no inline `path__startswith` or path decoding in the modules) -----------

    def subtree_q(self, field: str = "org") -> Q:
        """Records whose unit (`field`, a path to an OrgUnit; "" for OrgUnit itself) is this unit or below it."""
        lookup = f"{field}__path__startswith" if field else "path__startswith"
        return Q(**{lookup: self.path})

    def below_q(self, field: str = "org") -> Q:
        """Records whose unit (`field`, as in `subtree_q`) lies strictly below this unit."""
        prefix = f"{field}__" if field else ""
        return Q(**{f"{prefix}path__startswith": self.path, f"{prefix}depth__gt": self.depth})

    def child_key(self, field: str = "org"):
        """For records below this unit (`below_q`): an expression giving the path segment (the primary key as
        the path spells it) of the unit directly below this one whose subtree holds the record's unit, so that
        one GROUP BY on it gives the figures of every unit below (`laomo.core.byunit`)."""
        rest = Substr(F(f"{field}__path" if field else "path"), len(self.path) + 1)
        return Substr(rest, 1, StrIndex(rest, Value("/")) - 1)

    def subtree(self):
        """This unit and every unit below it, in tree order."""
        return OrgUnit.objects.filter(self.subtree_q(""))

    @staticmethod
    def ids_on_path(path: str) -> list[int]:
        """The primary keys of a `path` ("/1/5/9/"), root first."""
        return [int(pk) for pk in (path or "").strip("/").split("/") if pk]

    @property
    def ancestor_ids(self) -> list[int]:
        """This unit's ancestors' keys, root first, without the unit itself."""
        return self.ids_on_path(self.path)[:-1]

    def ancestors(self, *, include_self: bool = False):
        """The units above this one (and it, with `include_self`), root first."""
        ids = self.ids_on_path(self.path) if include_self else self.ancestor_ids
        return OrgUnit.objects.filter(pk__in=ids).order_by("depth")


# A user's group names, compiled once (laomo.core.prepared): read on every request that checks a role.
_GROUP_NAMES = PreparedQuery(lambda pk: Group.objects.filter(user=pk).values_list("name"), 0)


class User(AbstractUser):
    full_name = models.CharField("姓名", max_length=50, blank=True)
    title = models.CharField("职务", max_length=50, blank=True,
                             help_text="如“办公室主任”;出具证明时随姓名一同署名")
    org = models.ForeignKey(
        OrgUnit, verbose_name="所属单位", null=True, blank=True, on_delete=models.PROTECT, related_name="users"
    )
    data_scope = models.CharField(
        "数据范围", max_length=16, choices=DataScope.choices, blank=True,
        help_text="留空则按角色确定",
    )
    must_change_password = models.BooleanField("下次登录须修改密码", default=False)
    password_changed_at = models.DateTimeField("密码修改时间", null=True, blank=True)

    class Meta:
        verbose_name = "用户"
        verbose_name_plural = "用户"
        ordering = ["username"]

    def __str__(self):
        return self.full_name or self.username

    @cached_property
    def role_codes(self) -> frozenset[str]:
        valid = set(Role.values)
        if "groups" in getattr(self, "_prefetched_objects_cache", {}):
            return frozenset(g.name for g in self.groups.all() if g.name in valid)
        if "role_names_json" in self.__dict__:
            # Read with the user (`role_names()` on the session's or the API token's query): used once, so that
            # a later reading after `role_codes` is dropped asks the database again.
            raw = self.__dict__.pop("role_names_json")
            return frozenset(name for name in (json.loads(raw) if raw else ()) if name in valid)
        return frozenset(name for (name,) in _GROUP_NAMES.rows(self.pk) if name in valid)

    def has_role(self, *roles) -> bool:
        return bool(self.role_codes.intersection(roles))

    @property
    def role_labels(self) -> str:
        return "、".join(Role(r).label for r in Role.values if r in self.role_codes)

    @property
    def scope_level(self) -> str:
        if self.data_scope:
            return self.data_scope
        return widest_scope(ROLE_SCOPE[Role(r)] for r in self.role_codes) if self.role_codes else DataScope.NONE

    @property
    def has_business_access(self) -> bool:
        return bool(self.role_codes & BUSINESS_ROLES)


class _JsonArray(models.Aggregate):
    """The values as one JSON array in text (SQLite's JSON_GROUP_ARRAY, PostgreSQL's JSON_AGG): unambiguous
    whatever a value holds, where a separator could be forged by a group's name."""

    function = "JSON_GROUP_ARRAY"
    name = "JsonArray"
    output_field = models.TextField()

    def as_postgresql(self, compiler, connection, **extra_context):
        sql, params = self.as_sql(compiler, connection, function="JSON_AGG", **extra_context)
        return f"({sql})::text", params


def role_names(user_ref: str = "pk") -> Subquery:
    """The group names of the user at `user_ref` (outer reference) as JSON text, to annotate as
    `role_names_json` on the query that loads the user (the session's, the API token's): `role_codes` then
    reads them from there instead of a query of its own — one round trip less on every request (issue 16)."""
    return Subquery(User.groups.through.objects.filter(user_id=OuterRef(user_ref)).order_by().values("user_id")
                    .annotate(names=_JsonArray("group__name")).values("names"))


def permission_names(user_ref: str = "pk") -> Subquery:
    """The user's own and their groups' permissions (`app_label.codename`, as `get_all_permissions` gives them)
    of the user at `user_ref` (outer reference) as JSON text, to annotate as `permission_names_json` next to
    `role_names`: `backends.ModelBackend` then needs no query of its own for `has_perm` (issue 16)."""
    own = User.user_permissions.through.objects.filter(user_id=OuterRef(OuterRef(user_ref))).values("permission_id")
    of_groups = Group.permissions.through.objects.filter(group__user=OuterRef(OuterRef(user_ref))).values(
        "permission_id")
    # Grouped by a constant, which Django leaves out of GROUP BY: one aggregate over all the rows.
    return Subquery(Permission.objects.filter(Q(pk__in=own) | Q(pk__in=of_groups)).order_by()
                    .annotate(one=Value(1)).values("one")
                    .annotate(names=_JsonArray(Concat("content_type__app_label", Value("."), "codename",
                                                      output_field=models.TextField())))
                    .values("names"))
