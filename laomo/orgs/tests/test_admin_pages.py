import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from laomo.core.actors import SYSTEM
from laomo.core.models import AuditEntry
from laomo.orgs import services
from laomo.orgs.models import OrgUnit, User


@pytest.mark.django_db
def test_it_seeds_the_lishui_org_tree(orgs):
    assert orgs["331100"].parent is None
    counties = OrgUnit.objects.filter(parent=orgs["331100"])
    assert {o.code for o in counties} == {"331101", "331102", "331121", "331122", "331123", "331124", "331125",
                                          "331126", "331127", "331181"}
    assert orgs["331181"].name == "龙泉市总工会" and orgs["331181"].kind == "county"


@pytest.mark.django_db
def test_it_creates_org_units_from_the_page(clients, orgs):
    response = clients["sysadmin"].post("/system/orgs/new/", {
        "code": "331102001", "name": "紫金街道总工会", "kind": "township", "parent": orgs["331102"].pk,
        "sort_order": 1, "is_active": "on"})
    assert response.status_code == 302
    town = OrgUnit.objects.get(code="331102001")
    assert town.is_within(orgs["331102"]) and town.depth == 2
    assert AuditEntry.objects.filter(action="orgs.org.create", object_id=str(town.pk)).exists()


@pytest.mark.django_db
def test_it_rejects_a_duplicate_code_in_chinese(clients, orgs):
    page = clients["sysadmin"].post("/system/orgs/new/", {
        "code": "331102", "name": "重复", "kind": "county", "parent": orgs["331100"].pk}).content.decode()
    assert "已存在" in page


@pytest.mark.django_db
def test_it_moves_a_subtree_with_its_unit(orgs):
    town = services.org_create(actor=SYSTEM, code="T1", name="镇", kind="township", parent=orgs["331102"])
    firm = services.org_create(actor=SYSTEM, code="E1", name="企业", kind="enterprise", parent=town)
    services.org_update(actor=SYSTEM, org=town, parent=orgs["331126"])
    firm.refresh_from_db()
    assert firm.is_within(orgs["331126"]) and not firm.is_within(orgs["331102"]) and firm.depth == 3


@pytest.mark.django_db
def test_it_refuses_a_cycle(orgs):
    town = services.org_create(actor=SYSTEM, code="T1", name="镇", kind="township", parent=orgs["331102"])
    with pytest.raises(ValidationError):
        services.org_update(actor=SYSTEM, org=orgs["331102"], parent=town)


@pytest.mark.django_db
def test_it_enforces_separation_of_the_three_administrators(orgs):
    with pytest.raises(ValidationError, match="三员分立"):
        services.user_create(actor=SYSTEM, username="both", org=orgs["331100"], roles=["sysadmin", "auditor"])
    user, _ = services.user_create(actor=SYSTEM, username="sys", org=orgs["331100"], roles=["sysadmin"])
    with pytest.raises(ValidationError, match="三员分立"):
        services.user_update(actor=SYSTEM, user=user, full_name="x", org=orgs["331100"], roles=["sysadmin", "secadmin"])


@pytest.mark.django_db
def test_it_creates_users_from_the_page_with_a_one_time_password(clients, orgs):
    response = clients["sysadmin"].post("/system/users/new/", {
        "username": "qy_clerk", "full_name": "庆元办事员", "org": orgs["331126"].pk, "roles": ["county_staff"]})
    assert response.status_code == 200 and "临时密码" in response.content.decode()
    user = User.objects.get(username="qy_clerk")
    assert user.must_change_password and user.role_codes == {"county_staff"}


@pytest.mark.django_db
def test_it_keeps_a_user_s_title_for_the_signatures(clients, orgs):
    """A person signs what they issue with name and title (职务), never an account label (issue 13)."""
    clients["sysadmin"].post("/system/users/new/", {
        "username": "qy_clerk", "full_name": "吴芳", "title": "办公室主任", "org": orgs["331126"].pk,
        "roles": ["county_staff"]})
    user = User.objects.get(username="qy_clerk")
    assert (user.full_name, user.title) == ("吴芳", "办公室主任")
    clients["sysadmin"].post(f"/system/users/{user.pk}/edit/", {
        "username": "qy_clerk", "full_name": "吴芳", "title": "副主席", "org": orgs["331126"].pk,
        "roles": ["county_staff"]})
    user.refresh_from_db()
    assert user.title == "副主席"


@pytest.mark.django_db
def test_it_shows_three_admin_error_on_the_user_form(clients, orgs):
    page = clients["sysadmin"].post("/system/users/new/", {
        "username": "x", "full_name": "x", "org": orgs["331100"].pk, "roles": ["sysadmin", "auditor"]}
    ).content.decode()
    assert "三员分立" in page and not User.objects.filter(username="x").exists()


@pytest.mark.django_db
def test_it_resets_a_password(clients, users):
    target = users["county_staff"]
    response = clients["sysadmin"].post(f"/system/users/{target.pk}/reset-password/")
    assert "临时密码" in response.content.decode()
    target.refresh_from_db()
    assert target.must_change_password


@pytest.mark.django_db
def test_it_filters_users(clients, users):
    page = clients["sysadmin"].get("/system/users/", {"role": "auditor"}, HTTP_HX_REQUEST="true").content.decode()
    assert "t_auditor" in page and "t_liandu" not in page


@pytest.mark.django_db
def test_it_creates_users_from_the_command_line(orgs, capsys, monkeypatch):
    import io

    monkeypatch.setattr("sys.stdin", io.StringIO("Lishui-Strong-2022\n"))
    call_command("create_user", "cli_user", "--role", "county_staff", "--org", "331181", "--password-stdin")
    user = User.objects.get(username="cli_user")
    assert user.org.code == "331181" and user.check_password("Lishui-Strong-2022") and not user.must_change_password


@pytest.mark.django_db
def test_it_refuses_a_weak_password_on_the_command_line(orgs, monkeypatch):
    import io

    from django.core.management.base import CommandError

    monkeypatch.setattr("sys.stdin", io.StringIO("123\n"))
    with pytest.raises(CommandError):
        call_command("create_user", "weak", "--role", "viewer", "--org", "331100", "--password-stdin")


@pytest.mark.django_db
def test_it_resets_a_second_factor(clients, users):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    TOTPDevice.objects.create(user=users["county_staff"], name="p", confirmed=True)
    clients["secadmin"].post(f"/system/security/users/{users['county_staff'].pk}/reset-2fa/")
    assert not TOTPDevice.objects.filter(user=users["county_staff"]).exists()
