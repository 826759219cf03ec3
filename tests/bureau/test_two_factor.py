"""Two-factor sign-in (TOTP): required for leaders, administrators and bureau staff, optional for others."""

from __future__ import annotations

import re
import time

import pytest
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from bureau import permissions, services
from bureau.roles import Role
from tests.bureau.factories import DEFAULT_PASSWORD, UserFactory
from tests.bureau.two_factor import code_for, code_for_key, enrol

# These tests sign in for real: no second factor is pre-set on their sessions.
pytestmark = [pytest.mark.django_db, pytest.mark.real_two_factor]

VERIFY = "bureau:two-factor-verify"
SETUP = "bureau:two-factor-setup"


def password_sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 302
    return response


def test_the_roles_that_decide_on_money_must_use_two_factor():
    from funds.workflows import DECIDERS, PAYERS

    assert DECIDERS | PAYERS <= permissions.TWO_FACTOR_ROLES
    assert {Role.LEADER, Role.ADMIN} <= permissions.TWO_FACTOR_ROLES
    for role in (Role.LEADER, Role.ADMIN, Role.BUREAU_STAFF):
        assert permissions.two_factor_required(UserFactory(roles=[role]))
    for role in (Role.DIVISION_STAFF, Role.EXPERT, Role.AUDITOR, Role.API_CLIENT):
        assert not permissions.two_factor_required(UserFactory(roles=[role]))


def test_a_leader_without_a_device_is_sent_to_enrol_before_any_page(client):
    leader = UserFactory(roles=[Role.LEADER])
    password_sign_in(client, leader)
    for url in (reverse("home"), reverse("bureau:index"), reverse("audit-log"), reverse("bureau:account")):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse(SETUP))
    page = client.get(response["Location"])
    html = page.content.decode()
    assert page.status_code == 200
    assert "<svg" in html
    assert "扫描" in html
    assert "您的角色涉及公共资金或门户管理，须使用两步验证登录。" in html
    assert "<script" not in html.split("<main")[1].split("</main>")[0]  # the QR code is drawn without script


def test_enrolment_confirms_with_a_code_and_shows_recovery_codes_once(client, settings):
    leader = UserFactory(roles=[Role.LEADER])
    password_sign_in(client, leader)
    page = client.get(reverse(SETUP)).content.decode()
    key = re.search(r'id="two-factor-key"[^>]*>([A-Z2-7 ]+)<', page).group(1)

    wrong = client.post(reverse(SETUP), {"code": "123456", "next": "/bureau/"})
    assert wrong.status_code == 200
    assert "验证码不正确" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=leader, confirmed=True).exists()

    done = client.post(reverse(SETUP), {"code": code_for_key(key), "next": "/bureau/"})
    html = done.content.decode()
    codes = re.findall(r"<li class=\"col\">(\w+)</li>", html)
    assert len(codes) == settings.OTP_RECOVERY_CODES
    assert set(codes) == set(StaticToken.objects.filter(device__user=leader).values_list("token", flat=True))
    assert TOTPDevice.objects.get(user=leader).confirmed
    assert 'href="/bureau/"' in html
    # Verified now: pages open, and the codes are not shown again.
    assert client.get(reverse("bureau:index")).status_code == 200
    assert client.get(reverse("bureau:account")).status_code == 200
    assert codes[0] not in client.get(reverse("bureau:account")).content.decode()


def test_a_user_with_a_device_enters_a_code_after_the_password(client):
    staff = UserFactory(roles=[Role.BUREAU_STAFF])
    device = enrol(staff)
    password_sign_in(client, staff)
    response = client.get(reverse("bureau:index"))
    assert response["Location"] == f"{reverse(VERIFY)}?next=%2Fbureau%2F"

    wrong = client.post(reverse(VERIFY), {"code": "000000", "next": "/bureau/"})
    assert wrong.status_code == 200
    assert "验证码不正确或已过期" in wrong.content.decode()
    assert client.get(reverse("bureau:index")).status_code == 302
    # Right after a wrong code the device is held back (django-otp's throttling), even for the right one.
    held_back = client.post(reverse(VERIFY), {"code": code_for(device), "next": "/bureau/"})
    assert held_back.status_code == 200
    assert "错误次数过多" in held_back.content.decode()
    time.sleep(1.1)

    session_before = client.session.session_key
    right = client.post(reverse(VERIFY), {"code": code_for(device), "next": "/bureau/"})
    assert right.status_code == 302
    assert right["Location"] == "/bureau/"
    assert client.session.session_key != session_before  # a fresh session key once fully signed in
    assert client.get(reverse("bureau:index")).status_code == 200


def test_a_code_is_not_accepted_twice(client):
    staff = UserFactory(roles=[Role.BUREAU_STAFF])
    device = enrol(staff)
    code = code_for(device)
    assert services.two_factor_verify(user=staff, code=code) is not None
    assert services.two_factor_verify(user=staff, code=code) is None


def test_the_next_address_must_stay_on_the_portal(client):
    staff = UserFactory(roles=[Role.BUREAU_STAFF])
    device = enrol(staff)
    password_sign_in(client, staff)
    response = client.post(reverse(VERIFY), {"code": code_for(device), "next": "https://evil.example/"})
    assert response["Location"] == reverse("home")


def test_a_recovery_code_signs_in_once(client):
    leader = UserFactory(roles=[Role.LEADER])
    device = services.two_factor_start(user=leader)
    codes = services.two_factor_confirm(user=leader, device=device, code=code_for(device))
    password_sign_in(client, leader)
    assert client.post(reverse(VERIFY), {"code": codes[0].upper()}).status_code == 302
    assert client.get(reverse("home")).status_code == 200
    client.logout()
    password_sign_in(client, leader)
    again = client.post(reverse(VERIFY), {"code": codes[0]})
    assert again.status_code == 200
    assert "验证码不正确" in again.content.decode()
    assert StaticToken.objects.filter(device__user=leader).count() == len(codes) - 1


def test_only_a_verified_session_may_replace_the_authenticator(client):
    staff = UserFactory(roles=[Role.BUREAU_STAFF])
    enrol(staff)
    password_sign_in(client, staff)
    response = client.get(reverse(SETUP))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse(VERIFY))
    assert client.post(reverse(SETUP), {"code": "123456"}).status_code == 302
    assert TOTPDevice.objects.filter(user=staff).count() == 1


def test_two_factor_is_optional_for_division_staff_and_asked_once_enrolled(client):
    clerk = UserFactory(roles=[Role.DIVISION_STAFF])
    password_sign_in(client, clerk)
    assert client.get(reverse("home")).status_code == 200  # no code asked
    account = client.get(reverse("bureau:account")).content.decode()
    assert "启用两步验证" in account or "设置两步验证" in account
    page = client.get(reverse(SETUP)).content.decode()
    key = re.search(r'id="two-factor-key"[^>]*>([A-Z2-7 ]+)<', page).group(1)
    assert client.post(reverse(SETUP), {"code": code_for_key(key)}).status_code == 200
    client.logout()
    password_sign_in(client, clerk)
    assert client.get(reverse("home"))["Location"].startswith(reverse(VERIFY))


def test_an_unverified_session_does_not_reach_the_api_but_a_token_does(client):
    leader = UserFactory(roles=[Role.LEADER])
    enrol(leader)
    password_sign_in(client, leader)
    response = client.get("/api/v1/auth/me/")
    assert response.status_code in (401, 403)
    assert "error" in response.json()
    # A token is for a system: no second factor is asked of it.
    system = UserFactory(roles=[Role.API_CLIENT])
    _token, secret = services.api_token_issue_for_sign_in(user=system)
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    assert api.get("/api/v1/auth/me/").status_code == 200


def test_the_lockout_still_applies_with_two_factor(client, settings):
    settings.AXES_ENABLED = True
    leader = UserFactory(roles=[Role.LEADER])
    enrol(leader)
    for _n in range(5):
        client.post(reverse("login"), {"username": leader.username, "password": "wrong-password"})
    response = client.post(reverse("login"), {"username": leader.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "登录已锁定" in response.content.decode()


def test_an_administrator_resets_a_users_devices_in_the_admin_and_it_is_audited(client):
    from pghistory.models import MiddlewareEvents

    leader = UserFactory(roles=[Role.LEADER])
    device = services.two_factor_start(user=leader)
    services.two_factor_confirm(user=leader, device=device, code=code_for(device))
    admin = UserFactory(roles=[Role.ADMIN], unit=leader.unit, is_staff=True, is_superuser=True)
    admin_device = enrol(admin)
    password_sign_in(client, admin)
    client.post(reverse(VERIFY), {"code": code_for(admin_device)})
    response = client.post(
        reverse("admin:bureau_user_changelist"),
        {"action": "reset_two_factor", "_selected_action": [leader.pk]},
        follow=True,
    )
    assert response.status_code == 200
    assert "已为 1 位用户重置两步验证" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=leader).exists()
    assert not StaticDevice.objects.filter(user=leader).exists()
    leader.refresh_from_db()
    assert leader.two_factor_reset_at is not None
    event = MiddlewareEvents.objects.tracks(leader).filter(pgh_label="update").latest("pgh_created_at")
    assert event.user == admin
    assert "two_factor_reset_at" in event.pgh_diff


def test_a_non_administrator_may_not_reset_devices():
    from django.core.exceptions import PermissionDenied

    leader = UserFactory(roles=[Role.LEADER])
    enrol(leader)
    with pytest.raises(PermissionDenied):
        services.two_factor_reset(user=leader, actor=UserFactory(roles=[Role.BUREAU_STAFF], unit=leader.unit))
    assert TOTPDevice.objects.filter(user=leader).exists()


def test_the_readme_names_every_demo_account_that_signs_in_with_a_second_factor():
    from pathlib import Path

    from bureau.demo import DEMO_ACCOUNTS
    from datacenter.demo import CENTER_ACCOUNT

    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    sentence = re.search(r"((?:`\w+`,? (?:and )?)+)sign in with a second factor", readme)
    assert sentence is not None
    named = set(re.findall(r"`(\w+)`", sentence.group(1)))
    needing = {
        username
        for username, _name, role, _unit in [*DEMO_ACCOUNTS, CENTER_ACCOUNT]
        if role in permissions.TWO_FACTOR_ROLES
    }
    assert named == needing
