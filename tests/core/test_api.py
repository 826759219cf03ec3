import json

import pytest
from django.urls import reverse
from openapi_spec_validator import validate
from rest_framework.test import APIClient

from bureau.roles import Role
from tests.bureau.factories import DEFAULT_PASSWORD, UnitFactory, UserFactory
from tests.bureau.two_factor import code_for, enrol

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


def test_anonymous_request_gets_401_in_the_error_format(api):
    response = api.get("/api/v1/units/")
    assert response.status_code == 401
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["code"] == "not_authenticated"
    assert body["error"]["message"]
    assert "details" in body["error"]
    assert response["WWW-Authenticate"] == "Token"


def test_token_from_the_auth_endpoint_authenticates_requests(api):
    user = UserFactory(roles=[Role.LEADER])
    code = code_for(enrol(user))  # a leader signs in with two factors, for a token too
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": DEFAULT_PASSWORD, "otp": code})
    assert response.status_code == 200
    token = response.json()["token"]
    assert response.json()["expires_on"]

    api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    me = api.get("/api/v1/auth/me/")
    assert me.status_code == 200
    assert me.json()["username"] == user.username
    assert me.json()["roles"] == [Role.LEADER]


def test_wrong_password_gets_400_in_the_error_format(api):
    user = UserFactory()
    response = api.post("/api/v1/auth/token/", {"username": user.username, "password": "nope"})
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "non_field_errors" in error["details"]


def test_bad_token_gets_401(api):
    api.credentials(HTTP_AUTHORIZATION="Token 0123456789abcdef0123456789abcdef01234567")
    response = api.get("/api/v1/auth/me/")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "authentication_failed"


def test_unknown_api_url_gets_404_in_the_error_format(api):
    api.force_authenticate(UserFactory())
    response = api.get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert json.loads(response.content)["error"]["code"] == "not_found"


def test_missing_model_permission_gets_403(api):
    api.force_authenticate(UserFactory())
    response = api.get("/api/v1/units/")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "permission_denied"


def test_page_size_is_capped_at_200(api):
    parent = UnitFactory(code="root")
    UnitFactory.create_batch(205, parent=parent)
    api.force_authenticate(UserFactory(roles=[Role.LEADER], unit=parent))
    response = api.get("/api/v1/units/", {"page_size": 1000})
    body = response.json()
    assert response.status_code == 200
    assert body["count"] >= 206
    assert len(body["results"]) == 200


def test_list_query_count_does_not_grow_with_rows(api, django_assert_max_num_queries):
    parent = UnitFactory(code="root")
    UnitFactory.create_batch(60, parent=parent)
    api.force_authenticate(UserFactory(roles=[Role.LEADER], unit=parent))
    with django_assert_max_num_queries(6):
        response = api.get("/api/v1/units/", {"page_size": 100})
    assert len(response.json()["results"]) == 61


def test_schema_validates_as_openapi_3(api):
    response = api.get(reverse("api-schema"), {"format": "json"})
    assert response.status_code == 200
    schema = json.loads(response.content)
    assert schema["openapi"].startswith("3.")
    validate(schema)
    assert "/api/v1/auth/token/" in schema["paths"]
    assert "/api/v1/units/" in schema["paths"]


def test_swagger_ui_is_served_without_a_cdn(client):
    html = client.get(reverse("api-docs")).content.decode()
    assert "swagger-ui" in html
    assert "cdn." not in html
    assert "unpkg" not in html


@pytest.mark.parametrize(
    "query", [{"page": "abc"}, {"page": "0"}, {"page": "last"}, {"page_size": "-5"}, {"page_size": "1.5"}]
)
def test_a_page_or_page_size_that_is_not_a_whole_number_of_at_least_1_is_a_400(api, query):
    api.force_authenticate(UserFactory(roles=[Role.LEADER], unit=UnitFactory(code="root")))
    response = api.get("/api/v1/units/", query)
    assert response.status_code == 400
    assert set(response.json()["error"]["details"]) == set(query)


def test_an_empty_typed_filter_is_a_400_but_an_empty_search_is_no_filter(api):
    root = UnitFactory(code="root")
    api.force_authenticate(UserFactory(roles=[Role.LEADER], unit=root))
    refused = api.get("/api/v1/units/", {"parent": ""})
    assert refused.status_code == 400
    assert "parent" in refused.json()["error"]["details"]
    assert api.get("/api/v1/units/", {"q": ""}).status_code == 200


def test_a_form_encoded_body_is_refused_with_415(api):
    api.force_authenticate(UserFactory(roles=[Role.ADMIN], unit=UnitFactory(code="root"), is_superuser=True))
    response = api.post("/api/v1/units/", "code=x&name=x&kind=city", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["error"]["code"] == "unsupported_media_type"


def test_the_schema_documents_each_operations_errors_in_the_error_format(api):
    schema = api.get(reverse("api-schema"), {"format": "json"}).json()
    detail = schema["paths"]["/api/v1/units/{id}/"]["get"]["responses"]
    assert {"200", "401", "403", "404", "429"} <= set(detail)
    assert detail["404"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/Error"}
    submit = schema["paths"]["/api/v1/applications/{id}/submit/"]["post"]
    assert "422" in submit["responses"]
    assert "Idempotency-Key" in [p["name"] for p in submit["parameters"]]
    token = schema["paths"]["/api/v1/auth/token/"]["post"]["responses"]
    assert "401" not in token
    assert {"400", "429"} <= set(token)


def test_the_api_throttles_the_connecting_address_not_an_x_forwarded_for_the_client_wrote(rf):
    from rest_framework.request import Request
    from rest_framework.throttling import AnonRateThrottle

    # No proxy in front (TRUSTED_PROXY_COUNT=0): a client changing the header on every call would
    # otherwise reset its own limit on the token endpoint.
    request = Request(rf.get("/api/v1/auth/token/", HTTP_X_FORWARDED_FOR="203.0.113.7", REMOTE_ADDR="10.0.0.9"))
    assert AnonRateThrottle().get_ident(request) == "10.0.0.9"


def test_the_api_root_lists_every_registered_list_of_every_app_in_chinese(api):
    from importlib import import_module

    from config.api_router import API_APPS

    api.force_authenticate(UserFactory(roles=[Role.AUDITOR]))
    response = api.get("/api/v1/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    links = response.json()
    for app in API_APPS:
        for prefix, _viewset, _basename in import_module(f"{app}.api.urls").router.registry:
            assert links[prefix].endswith(f"/api/v1/{prefix}/"), prefix
    page = api.get("/api/v1/", HTTP_ACCEPT="text/html").content.decode()
    assert "The default basic root view" not in page
    assert "网络经济发展局门户 API" in page


def test_the_openapi_schema_is_described_in_the_readers_language(client):
    client.force_login(UserFactory(roles=[Role.AUDITOR]))
    schema = client.get("/api/schema/", {"format": "json"}, HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert schema["info"]["title"] == "网络经济发展局门户 API"
    assert "REST API" in schema["info"]["description"]
    assert "网络经济发展局" in schema["info"]["description"]
