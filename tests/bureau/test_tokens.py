"""Department API tokens: issued, listed, rotated and revoked by administrators; refused once expired or revoked."""

from __future__ import annotations

import datetime
import time

import pytest
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from bureau import selectors, services
from bureau.models import ApiToken
from bureau.roles import Role
from tests.bureau.factories import DEFAULT_PASSWORD, UnitFactory, UserFactory

pytestmark = pytest.mark.django_db


def in_days(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


@pytest.fixture
def city():
    root = UnitFactory(code="city", kind="city")
    department = UnitFactory(code="commerce", parent=root)
    county = UnitFactory(code="county", kind="county_bureau", parent=root)
    county_department = UnitFactory(code="county-dept", parent=county)
    return {
        "root": root,
        "department": department,
        "county": county,
        "system": UserFactory(username="commerce-system", roles=[Role.API_CLIENT], unit=department),
        "county_system": UserFactory(username="county-system", roles=[Role.API_CLIENT], unit=county_department),
        "admin": UserFactory(username="city-admin", roles=[Role.ADMIN], unit=root),
        "county_admin": UserFactory(username="county-admin", roles=[Role.ADMIN], unit=county),
    }


def issue(city, days=30, user=None):
    return services.api_token_create(
        user=user or city["system"], name="商务局数据接口", expires_on=in_days(days), actor=city["admin"]
    )


def api_with(secret: str) -> APIClient:
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return api


# --- services ---


def test_only_a_hash_of_the_secret_is_stored_and_the_secret_authenticates(city):
    token, secret = issue(city)
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret.startswith("nedb_")
    assert len(secret) > 40
    assert secret not in {stored.key_hash, stored.prefix, stored.name}
    assert stored.key_hash == selectors.api_token_hash(secret)
    assert secret.startswith(stored.prefix)
    assert (stored.created_by, stored.user) == (city["admin"], city["system"])
    assert api_with(secret).get("/api/v1/auth/me/").json()["username"] == "commerce-system"
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_a_token_needs_an_expiry_within_the_maximum(city, settings):
    settings.API_TOKEN_MAX_DAYS = 365
    for days in (0, -1, 366):
        with pytest.raises(ValidationError) as error:
            issue(city, days=days)
        assert "expires_on" in error.value.message_dict
    assert issue(city, days=365)[0].expires_on == in_days(365)


def test_tokens_are_only_for_active_api_client_accounts(city):
    staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=city["department"])
    with pytest.raises(ValidationError) as error:
        issue(city, user=staff)
    assert "user" in error.value.message_dict
    city["system"].is_active = False
    city["system"].save()
    with pytest.raises(ValidationError):
        issue(city)
    assert not ApiToken.objects.exists()


def test_rotation_issues_a_new_secret_and_revokes_the_old_at_once(city):
    old, old_secret = issue(city)
    new, new_secret = services.api_token_rotate(token=old, actor=city["admin"])
    old.refresh_from_db()
    assert old.revoked_at is not None
    assert old.revoked_by == city["admin"]
    assert old.replaced_by == new
    assert (new.name, new.user, new.expires_on) == (old.name, old.user, old.expires_on)
    assert new_secret != old_secret
    with pytest.raises(ValidationError):
        services.api_token_rotate(token=old, actor=city["admin"])  # a revoked token is not rotated again


def test_revoking_twice_is_refused(city):
    token, _secret = issue(city)
    services.api_token_revoke(token=token, actor=city["admin"])
    with pytest.raises(ValidationError):
        services.api_token_revoke(token=token, actor=city["admin"])


def test_token_changes_are_in_the_audit_history_without_the_secret(city):
    from pghistory.models import Events

    token, secret = issue(city)
    services.api_token_revoke(token=token, actor=city["admin"])
    events = Events.objects.tracks(token).order_by("pgh_created_at", "pgh_id")
    assert [e.pgh_label for e in events] == ["insert", "update"]
    assert events[1].pgh_data["revoked_by_id"] == city["admin"].pk
    assert all(secret not in str(e.pgh_data) and "key_hash" not in e.pgh_data for e in events)
    # Using a token notes when, but that is not a change worth an audit row.
    live, live_secret = issue(city)
    api_with(live_secret).get("/api/v1/auth/me/")
    live.refresh_from_db()
    assert live.last_used_at is not None
    assert [e.pgh_label for e in Events.objects.tracks(live)] == ["insert"]


# --- permissions: only administrators manage tokens, within their jurisdiction ---


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.LEADER, Role.AUDITOR, Role.DIVISION_STAFF, Role.API_CLIENT])
def test_only_administrators_manage_tokens(city, client, role):
    token, _secret = issue(city)
    client.force_login(UserFactory(roles=[role], unit=city["root"]))
    assert client.get(reverse("bureau:api-token-list")).status_code == 403
    assert client.get(reverse("bureau:api-token-create")).status_code == 403
    assert client.post(reverse("bureau:api-token-revoke", args=[token.pk])).status_code == 403
    assert client.post(reverse("bureau:api-token-rotate", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_a_county_administrator_manages_only_the_countys_tokens(city):
    city_token, _secret = issue(city)
    with pytest.raises(PermissionDenied):
        services.api_token_create(user=city["system"], name="x", expires_on=in_days(10), actor=city["county_admin"])
    with pytest.raises(PermissionDenied):
        services.api_token_revoke(token=city_token, actor=city["county_admin"])
    county_token, _secret = services.api_token_create(
        user=city["county_system"], name="县接口", expires_on=in_days(10), actor=city["county_admin"]
    )
    assert list(selectors.api_token_list(user=city["county_admin"])) == [county_token]
    assert set(selectors.api_client_accounts(user=city["county_admin"])) == {city["county_system"]}


# --- pages ---


def test_admin_issues_a_token_and_sees_the_secret_once(city, client):
    client.force_login(city["admin"])
    form = client.get(reverse("bureau:api-token-create")).content.decode()
    assert "commerce-system" in form
    assert "county-system" in form
    response = client.post(
        reverse("bureau:api-token-create"),
        {"user": city["system"].pk, "name": "商务局网店数据", "expires_on": in_days(90).isoformat()},
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "只显示这一次" in html
    assert "no-store" in response["Cache-Control"]
    token = ApiToken.objects.get(name="商务局网店数据")
    secret = html.split('id="api-token-secret"')[1].split('value="')[1].split('"')[0]
    assert token.key_hash == selectors.api_token_hash(secret)
    listing = client.get(reverse("bureau:api-token-list")).content.decode()
    assert token.prefix in listing
    assert secret not in listing


def test_a_bad_expiry_is_a_form_error_and_nothing_is_saved(city, client):
    client.force_login(city["admin"])
    response = client.post(
        reverse("bureau:api-token-create"),
        {"user": city["system"].pk, "name": "太久", "expires_on": in_days(2000).isoformat()},
    )
    assert response.status_code == 200
    assert "令牌最长有效" in response.content.decode()
    assert not ApiToken.objects.exists()


def test_admin_rotates_and_revokes_from_the_list(city, client):
    token, old_secret = issue(city)
    other, other_secret = issue(city)
    client.force_login(city["admin"])
    rotated = client.post(reverse("bureau:api-token-rotate", args=[token.pk]))
    assert rotated.status_code == 200
    assert "只显示这一次" in rotated.content.decode()
    response = client.post(reverse("bureau:api-token-revoke", args=[other.pk]), follow=True)
    assert "已吊销" in response.content.decode()
    other.refresh_from_db()
    assert other.revoked_at is not None
    assert api_with(old_secret).get("/api/v1/auth/me/").status_code == 401
    assert api_with(other_secret).get("/api/v1/auth/me/").status_code == 401


def test_the_token_list_uses_a_constant_number_of_queries(city, client, django_assert_max_num_queries):
    for _n in range(3):
        issue(city)
    client.force_login(city["admin"])
    # 13: one is the top bar's count of unseen notifications
    with django_assert_max_num_queries(13):
        small = client.get(reverse("bureau:api-token-list"))
    for _n in range(10):
        services.api_token_rotate(token=issue(city)[0], actor=city["admin"])
    with django_assert_max_num_queries(13):
        big = client.get(reverse("bureau:api-token-list"))
    assert small.status_code == big.status_code == 200
    assert big.content.decode().count('<tr id="api-token-') == 23


# --- the API ---


def assert_refused(response, text):
    assert response.status_code == 401
    error = response.json()["error"]
    assert error["code"] == "authentication_failed"
    assert text in error["message"]


def test_expired_revoked_and_rotated_out_tokens_get_401_in_the_error_format(city):
    expired, expired_secret = issue(city, days=5)
    ApiToken.objects.filter(pk=expired.pk).update(expires_on=in_days(-1))
    revoked, revoked_secret = issue(city)
    services.api_token_revoke(token=revoked, actor=city["admin"])
    rotated, rotated_secret = issue(city)
    _new, new_secret = services.api_token_rotate(token=rotated, actor=city["admin"])

    assert_refused(api_with(expired_secret).get("/api/v1/units/"), "过期")
    assert_refused(api_with(revoked_secret).get("/api/v1/units/"), "吊销")
    assert_refused(api_with(rotated_secret).get("/api/v1/units/"), "吊销")
    assert_refused(api_with("nedb_not-a-token").get("/api/v1/units/"), "令牌无效")
    assert api_with(new_secret).get("/api/v1/units/").status_code == 200


def test_a_token_of_the_last_valid_day_still_works(city):
    token, secret = issue(city, days=5)
    ApiToken.objects.filter(pk=token.pk).update(expires_on=timezone.localdate())
    assert api_with(secret).get("/api/v1/auth/me/").status_code == 200


def test_requests_are_throttled_per_token(city, settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {**rates, "token": "3/minute"}}
    cache.clear()  # a run of this test a minute ago used the same token ids (a fresh test database)
    _token, first = issue(city)
    _token, second = issue(city)  # the same account: the limit is the token's, not the account's
    api = api_with(first)
    for _n in range(3):
        assert api.get("/api/v1/auth/me/").status_code == 200
    throttled = api.get("/api/v1/auth/me/")
    assert throttled.status_code == 429
    assert throttled.json()["error"]["code"] == "throttled"
    assert throttled.json()["error"]["details"]["retry_after_seconds"] > 0
    assert api_with(second).get("/api/v1/auth/me/").status_code == 200


def test_the_sign_in_endpoint_issues_an_expiring_token_of_the_new_kind(city, settings):
    settings.API_TOKEN_SIGN_IN_DAYS = 30
    response = APIClient().post("/api/v1/auth/token/", {"username": "commerce-system", "password": DEFAULT_PASSWORD})
    assert response.status_code == 200
    body = response.json()
    token = ApiToken.objects.get(key_hash=selectors.api_token_hash(body["token"]))
    assert token.user == city["system"]
    assert body["expires_on"] == in_days(30).isoformat()
    assert api_with(body["token"]).get("/api/v1/auth/me/").status_code == 200
    services.api_token_revoke(token=token, actor=city["admin"])
    assert api_with(body["token"]).get("/api/v1/auth/me/").status_code == 401


def test_signing_in_again_and_again_keeps_only_the_newest_sign_in_tokens_alive(city, settings):
    settings.API_TOKEN_SIGN_IN_KEEP = 2
    issued, _secret = services.api_token_create(user=city["system"], name="对接系统", expires_on=in_days(90),
                                                actor=city["admin"])  # fmt: skip
    secrets = []
    for _ in range(4):
        response = APIClient().post(
            "/api/v1/auth/token/", {"username": "commerce-system", "password": DEFAULT_PASSWORD}
        )
        secrets.append(response.json()["token"])
    statuses = [api_with(secret).get("/api/v1/auth/me/").status_code for secret in secrets]
    assert statuses == [401, 401, 200, 200]
    live = ApiToken.objects.filter(user=city["system"], revoked_at__isnull=True)
    assert set(live.values_list("via_sign_in", flat=True)) == {True, False}
    assert live.get(via_sign_in=False) == issued  # an administrator's token is never revoked by a sign-in
    assert live.count() == 3


def test_the_sign_in_endpoint_asks_two_factor_accounts_for_a_code(city):
    from tests.bureau.two_factor import code_for, enrol

    api = APIClient()
    # An administrator without an authenticator gets no token by password alone.
    response = api.post("/api/v1/auth/token/", {"username": "city-admin", "password": DEFAULT_PASSWORD})
    assert response.status_code == 400
    assert "otp" in response.json()["error"]["details"]
    device = enrol(city["admin"])
    wrong = api.post("/api/v1/auth/token/", {"username": "city-admin", "password": DEFAULT_PASSWORD, "otp": "000000"})
    assert wrong.status_code == 400
    assert "token" not in wrong.json()
    time.sleep(1.1)  # django-otp holds the device back for a second after a wrong code
    right = api.post(
        "/api/v1/auth/token/", {"username": "city-admin", "password": DEFAULT_PASSWORD, "otp": code_for(device)}
    )
    assert right.status_code == 200
    assert (
        not ApiToken.objects.filter(user=city["admin"])
        .exclude(key_hash=selectors.api_token_hash(right.json()["token"]))
        .exists()
    )


# --- managing tokens through the API ---


def api_as(user) -> APIClient:
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_an_administrator_issues_rotates_and_revokes_tokens_through_the_api(city):
    api = api_as(city["admin"])
    issued = api.post(
        "/api/v1/api-tokens/", {"user": city["system"].pk, "name": "接口", "expires_on": in_days(60).isoformat()}
    )
    assert issued.status_code == 201
    body = issued.json()
    assert body["secret"].startswith(body["prefix"])
    assert api_with(body["secret"]).get("/api/v1/auth/me/").status_code == 200
    listed = api.get("/api/v1/api-tokens/").json()["results"]
    assert [t["id"] for t in listed] == [body["id"]]
    assert "secret" not in listed[0]
    assert "key_hash" not in listed[0]

    rotated = api.post(f"/api/v1/api-tokens/{body['id']}/rotate/")
    assert rotated.status_code == 201
    assert api_with(body["secret"]).get("/api/v1/auth/me/").status_code == 401
    new = rotated.json()
    revoked = api.post(f"/api/v1/api-tokens/{new['id']}/revoke/")
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"]
    assert api_with(new["secret"]).get("/api/v1/auth/me/").status_code == 401


def test_a_bad_token_request_is_a_400_and_nothing_is_issued(city):
    api = api_as(city["admin"])
    too_long = api.post(
        "/api/v1/api-tokens/", {"user": city["system"].pk, "name": "接口", "expires_on": in_days(4000).isoformat()}
    )
    assert too_long.status_code == 400
    assert "expires_on" in too_long.json()["error"]["details"]
    not_a_system = api.post(
        "/api/v1/api-tokens/", {"user": city["admin"].pk, "name": "接口", "expires_on": in_days(10).isoformat()}
    )
    assert not_a_system.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.parametrize("role", [Role.BUREAU_STAFF, Role.LEADER, Role.AUDITOR, Role.API_CLIENT])
def test_only_administrators_manage_tokens_through_the_api(city, role):
    token, _secret = issue(city)
    api = api_as(UserFactory(roles=[role], unit=city["root"]))
    assert api.get("/api/v1/api-tokens/").status_code == 403
    created = api.post(
        "/api/v1/api-tokens/", {"user": city["system"].pk, "name": "x", "expires_on": in_days(10).isoformat()}
    )
    assert created.status_code == 403
    assert api.post(f"/api/v1/api-tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None
    assert ApiToken.objects.count() == 1


def test_a_county_administrator_cannot_issue_a_city_departments_token_through_the_api(city):
    response = api_as(city["county_admin"]).post(
        "/api/v1/api-tokens/", {"user": city["system"].pk, "name": "x", "expires_on": in_days(10).isoformat()}
    )
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def sign_in_token(username: str) -> str:
    response = APIClient().post("/api/v1/auth/token/", {"username": username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 200, response.content
    return response.json()["token"]


def test_a_password_change_revokes_the_tokens_the_old_password_got_but_not_an_administrators(city, client):
    _issued, admin_secret = issue(city)
    signed_in = sign_in_token("commerce-system")
    client.force_login(city["system"])
    response = client.post(
        reverse("password_change"),
        {
            "old_password": DEFAULT_PASSWORD,
            "new_password1": "Wz-portal-2026-new",
            "new_password2": "Wz-portal-2026-new",
        },
    )
    assert response.status_code == 302, response.content
    assert api_with(signed_in).get("/api/v1/auth/me/").status_code == 401
    assert api_with(admin_secret).get("/api/v1/auth/me/").status_code == 200
    city["system"].refresh_from_db()
    assert city["system"].check_password("Wz-portal-2026-new")


def test_a_superusers_password_change_in_the_admin_revokes_the_sign_in_tokens(city, client):
    signed_in = sign_in_token("commerce-system")
    superuser = UserFactory(roles=[Role.ADMIN], unit=city["root"], is_staff=True, is_superuser=True)
    client.force_login(superuser)
    response = client.post(
        f"/admin/bureau/user/{city['system'].pk}/password/",
        {"password1": "Wz-portal-2026-set", "password2": "Wz-portal-2026-set", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content
    assert api_with(signed_in).get("/api/v1/auth/me/").status_code == 401


def test_resetting_an_authenticator_revokes_the_sign_in_tokens(city):
    signed_in = sign_in_token("commerce-system")
    services.two_factor_reset(user=city["system"], actor=city["admin"])
    assert api_with(signed_in).get("/api/v1/auth/me/").status_code == 401
