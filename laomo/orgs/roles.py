"""Roles (DESIGN.md §1), their data-scope levels and their permissions.

Roles are Django groups named by the role code; permissions are the custom permissions of
`core.Capability`. The data scope of a user is the widest scope of their roles unless an admin set
an explicit level on the user.
"""

from django.db import models


class Role(models.TextChoices):
    CITY_STAFF = "city_staff", "市级业务管理员"
    COUNTY_STAFF = "county_staff", "县级业务管理员"
    TEAM_LEADER = "team_leader", "服务队队长"
    WORKER = "worker", "劳模本人"
    VIEWER = "viewer", "领导查看"
    SYSADMIN = "sysadmin", "系统管理员"
    SECADMIN = "secadmin", "安全管理员"
    AUDITOR = "auditor", "审计管理员"


class DataScope(models.TextChoices):
    ALL = "all", "全部数据"
    SUBTREE = "subtree", "本单位及下级"
    UNIT = "unit", "仅本单位"
    SELF = "self", "仅本人"
    NONE = "none", "无业务数据"


# Ordered from widest to narrowest; a user with several roles gets the widest.
SCOPE_ORDER = [DataScope.ALL, DataScope.SUBTREE, DataScope.UNIT, DataScope.SELF, DataScope.NONE]

ROLE_SCOPE = {
    Role.CITY_STAFF: DataScope.ALL,
    Role.COUNTY_STAFF: DataScope.SUBTREE,
    Role.VIEWER: DataScope.SUBTREE,
    Role.TEAM_LEADER: DataScope.SELF,
    Role.WORKER: DataScope.SELF,
    Role.SYSADMIN: DataScope.NONE,
    Role.SECADMIN: DataScope.NONE,
    Role.AUDITOR: DataScope.NONE,
}

# 三员分立 (GB/T 22239-2019): one person may hold at most one of these.
SEPARATED_ROLES = frozenset({Role.SYSADMIN, Role.SECADMIN, Role.AUDITOR})
# Roles with business-data access; the three administrators have none.
BUSINESS_ROLES = frozenset({Role.CITY_STAFF, Role.COUNTY_STAFF, Role.TEAM_LEADER, Role.WORKER, Role.VIEWER})

# Custom permissions (codename, label) declared on core.Capability.
CAPABILITIES = [
    ("view_business", "查看业务数据"),
    ("edit_business", "维护业务数据"),
    ("reveal_pii", "查看完整个人敏感信息"),
    ("export_pii", "导出完整个人敏感信息"),
    ("import_data", "批量导入数据"),
    ("review_registry", "审核劳模信息报送"),
    ("manage_dictionary", "维护数据字典"),
    ("self_service", "本人自助服务"),
    ("lead_team", "管理本服务队"),
    ("manage_orgs", "管理组织机构"),
    ("manage_users", "管理用户账号"),
    ("manage_security", "安全管理(角色、锁定、密钥)"),
    ("read_audit", "查阅审计日志"),
]

ROLE_CAPABILITIES = {
    Role.CITY_STAFF: {
        "view_business", "edit_business", "reveal_pii", "export_pii", "import_data", "manage_dictionary",
        "review_registry",
    },
    Role.COUNTY_STAFF: {"view_business", "edit_business", "reveal_pii", "import_data"},
    Role.TEAM_LEADER: {"lead_team", "self_service"},
    Role.WORKER: {"self_service"},
    Role.VIEWER: {"view_business"},
    Role.SYSADMIN: {"manage_orgs", "manage_users"},
    Role.SECADMIN: {"manage_security"},
    Role.AUDITOR: {"read_audit"},
}


def widest_scope(scopes) -> str:
    scopes = set(scopes)
    for level in SCOPE_ORDER:
        if level in scopes:
            return level
    return DataScope.NONE
