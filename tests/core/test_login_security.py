"""Failed sign-ins lock the account and the address (django-axes); sessions end after inactivity."""

import pytest
from django.test import override_settings
from django.urls import reverse

from tests.bureau.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("axes_on")]


@pytest.fixture
def axes_on(settings):
    settings.AXES_ENABLED = True


def fail(client, username, times, **extra):
    for _ in range(times):
        client.post(reverse("login"), {"username": username, "password": "wrong-password"}, **extra)


def test_an_account_is_locked_after_five_failures_even_with_the_right_password(client):
    user = UserFactory()
    fail(client, user.username, 5)
    response = client.post(reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()
    assert "登录已锁定" in response.content.decode()


def test_an_address_is_locked_for_every_account(client):
    fail(client, "someone", 3)
    fail(client, "someone-else", 2)
    other = UserFactory()
    response = client.post(reverse("login"), {"username": other.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429


def test_a_success_before_the_limit_clears_the_count(client):
    user = UserFactory()
    fail(client, user.username, 4)
    assert client.post(reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD}).status_code == 302
    client.logout()
    fail(client, user.username, 4)
    assert client.post(reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD}).status_code == 302


@override_settings(AXES_IPWARE_PROXY_COUNT=1, AXES_IPWARE_META_PRECEDENCE_ORDER=("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"))
def test_behind_a_proxy_the_real_client_address_is_locked_not_the_proxys(client):
    # Five failures from one client behind the proxy (the proxy itself is REMOTE_ADDR for everyone).
    for n in range(5):
        client.post(
            reverse("login"), {"username": f"guess{n}", "password": "x"}, HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1"
        )
    user = UserFactory()
    blocked = client.post(
        reverse("login"),
        {"username": user.username, "password": DEFAULT_PASSWORD},
        HTTP_X_FORWARDED_FOR="203.0.113.7, 10.0.0.1",
    )
    assert blocked.status_code == 429
    allowed = client.post(
        reverse("login"),
        {"username": user.username, "password": DEFAULT_PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.9, 10.0.0.1",
    )
    assert allowed.status_code == 302


def test_the_api_token_endpoint_is_locked_too():
    from rest_framework.test import APIClient

    user = UserFactory()
    api = APIClient()
    for _ in range(5):
        api.post("/api/v1/auth/token/", {"username": user.username, "password": "nope"})
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD})
    assert response.status_code == 429
    assert response.json()["error"]["code"] == "locked_out"
    assert "token" not in response.content.decode()


def test_a_session_ends_after_inactivity_and_each_request_extends_it(client, settings):
    import time

    from django.contrib.sessions.models import Session

    client.force_login(UserFactory())
    client.get(reverse("home"))
    key = client.session.session_key
    first = Session.objects.get(session_key=key).expire_date
    assert settings.SESSION_COOKIE_AGE == 30 * 60
    time.sleep(1.1)
    client.get(reverse("home"))
    assert Session.objects.get(session_key=key).expire_date > first  # activity pushes the end on
    Session.objects.filter(session_key=key).update(expire_date=first.replace(year=2000))
    assert client.get(reverse("home")).status_code == 302  # an expired session signs the user out
