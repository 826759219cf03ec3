import pytest
from django.urls import reverse

from bureau.roles import Role
from core.context_processors import AREAS
from tests.bureau.factories import DEFAULT_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_chinese_by_default(client):
    response = client.get(reverse("login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="zh-hans">' in html
    assert "登录工作门户" in html
    assert "Sign in to the portal" not in html


def test_login_page_renders_in_english_after_switching(client):
    response = client.post(reverse("set_language"), {"language": "en", "next": reverse("login")}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert "Sign in to the portal" in html
    assert "登录工作门户" not in html


def test_wrong_password_shows_a_chinese_error(client):
    user = UserFactory()
    response = client.post(reverse("login"), {"username": user.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert "请输入一个正确的" in response.content.decode()


def test_signing_in_leads_to_the_home_page_with_the_five_areas(client):
    # Division staff open all five areas (and sign in without a second factor).
    user = UserFactory(full_name="陈局长", roles=[Role.DIVISION_STAFF])
    response = client.post(reverse("login"), {"username": user.username, "password": DEFAULT_PASSWORD}, follow=True)
    html = response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("home")
    assert "欢迎您，陈局长。" in html
    for area in ("组织机构", "政策体系", "资金池", "大数据中心", "处长联席会议"):
        assert area in html


def test_pages_require_sign_in(client):
    for name in ("home", "bureau:index", "policies:index", "funds:index", "datacenter:index", "meetings:index"):
        response = client.get(reverse(name))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))


def test_logout_needs_a_post_and_ends_the_session(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    client.post(reverse("logout"))
    assert client.get(reverse("home")).status_code == 302


def test_password_change_rejects_a_short_password_and_accepts_a_strong_one(client):
    user = UserFactory()
    client.force_login(user)
    url = reverse("password_change")
    short = client.post(url, {"old_password": DEFAULT_PASSWORD, "new_password1": "abc", "new_password2": "abc"})
    assert short.status_code == 200
    assert "至少 10 个字符" in short.content.decode()
    strong = "a-much-Longer-passphrase-42"
    done = client.post(url, {"old_password": DEFAULT_PASSWORD, "new_password1": strong, "new_password2": strong})
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password(strong)


def test_static_assets_come_from_the_portal_not_a_cdn(client):
    client.force_login(UserFactory())
    html = client.get(reverse("home")).content.decode()
    assert "/static/vendor/bootstrap/css/bootstrap.min.css" in html
    assert "/static/vendor/htmx/htmx.min.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/vendor/htmx/htmx.min.js").status_code == 200


@pytest.mark.parametrize("role", list(Role), ids=[r.name.lower() for r in Role])
def test_navigation_and_home_tiles_offer_exactly_the_areas_the_role_may_open(client, role):
    client.force_login(UserFactory(roles=[role]))
    response = client.get(reverse("home"))
    html = response.content.decode()
    offered = {area["url"] for area in response.context["nav_areas"]}
    for url_name, _label, _icon in AREAS:
        url = reverse(url_name)
        opens = client.get(url).status_code == 200
        assert (url in offered) == opens, (role, url)
        assert (f'href="{url}"' in html) == opens, (role, url)


def test_an_expert_is_not_offered_the_data_center_or_the_joint_meeting(client):
    client.force_login(UserFactory(roles=[Role.EXPERT]))
    html = client.get(reverse("home")).content.decode()
    assert "组织机构" in html
    assert "大数据中心" not in html
    assert "处长联席会议" not in html


def test_page_titles_put_a_separator_between_the_page_and_the_site(client):
    html = client.get(reverse("login")).content.decode()
    assert "<title>登录 · 网络经济发展局</title>" in html
    client.force_login(UserFactory(roles=[Role.DIVISION_STAFF]))
    html = client.get(reverse("policies:index")).content.decode()
    assert " · 网络经济发展局</title>" in html


def test_the_favicon_is_served_by_the_portal_and_linked_from_every_page(client):
    html = client.get(reverse("login")).content.decode()
    assert '<link rel="icon" href="/static/favicon.ico"' in html
    response = client.get("/favicon.ico", follow=True)
    assert response.status_code == 200
    assert b"".join(response.streaming_content if response.streaming else [response.content])[:4] == b"\x00\x00\x01\x00"


def test_the_admin_is_headed_and_its_third_party_sections_named_in_chinese(client):
    client.force_login(UserFactory(roles=[Role.ADMIN], is_staff=True, is_superuser=True))
    html = client.get("/admin/").content.decode()
    assert "网络经济发展局工作门户 · 后台管理" in html
    assert "Django 管理" not in html
    for section in ("登录锁定", "身份验证器（两步验证）", "审计记录"):
        assert section in html
    for label in (">Axes<", ">Otp_Totp<", ">Pghistory<", "Access attempts"):
        assert label not in html
    assert "登录尝试" in html
