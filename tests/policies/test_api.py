import datetime

import pytest
from rest_framework.test import APIClient

from policies import services
from policies.choices import ChainSegment, PolicyStatus
from tests.policies import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def api():
    return APIClient()


@pytest.fixture
def corpus(staff):
    ec = factories.field("ecommerce", "电子商务")
    title = factories.published(actor=staff, title="温州市电子商务扶持办法", full_text="对企业给予扶持。", fields=[ec])
    mention = factories.published(
        actor=staff, title="关于加快智能制造发展的意见", full_text="兼顾电子商务应用，加大扶持力度。",
        segments=[ChainSegment.MIDDLE],
    )  # fmt: skip
    draft = factories.draft(actor=staff, title="电子商务扶持草案")
    return {"title": title, "mention": mention, "draft": draft}


def test_search_ranks_title_hits_first_and_highlights(api, corpus, api_client_user):
    api.force_authenticate(api_client_user)
    body = api.get("/api/v1/policies/", {"q": "电子商务 扶持"}).json()
    ids = [row["id"] for row in body["results"]]
    assert ids == [corpus["title"].pk, corpus["mention"].pk]
    assert body["results"][0]["rank"] > body["results"][1]["rank"]
    assert "<mark>电子商务</mark>" in body["results"][1]["highlight"]


def test_filters_work_in_the_api(api, corpus, api_client_user):
    api.force_authenticate(api_client_user)
    rows = api.get("/api/v1/policies/", {"segment": "middle"}).json()["results"]
    assert [r["id"] for r in rows] == [corpus["mention"].pk]
    rows = api.get("/api/v1/policies/", {"field": "ecommerce"}).json()["results"]
    assert [r["field_codes"] for r in rows] == [["ecommerce"]]


def test_departments_read_published_policies_but_never_drafts(api, corpus, api_client_user):
    api.force_authenticate(api_client_user)
    ids = {row["id"] for row in api.get("/api/v1/policies/").json()["results"]}
    assert ids == {corpus["title"].pk, corpus["mention"].pk}
    assert api.get(f"/api/v1/policies/{corpus['draft'].pk}/").status_code == 404


def test_bureau_staff_see_drafts(api, corpus, staff):
    api.force_authenticate(staff)
    ids = {row["id"] for row in api.get("/api/v1/policies/").json()["results"]}
    assert corpus["draft"].pk in ids


def test_detail_lists_versions_and_the_versions_endpoint(api, staff, api_client_user):
    old = factories.published(actor=staff)
    new = services.policy_amend(actor=staff, policy=old, full_text="修订后的文本")
    services.policy_update(
        actor=staff, policy=new, document_number="温政发〔2016〕2号",
        published_on=datetime.date(2016, 1, 1), effective_on=datetime.date(2016, 2, 1),
    )  # fmt: skip
    services.policy_submit(actor=staff, policy=new)
    services.policy_publish(actor=staff, policy=new)
    api.force_authenticate(api_client_user)
    detail = api.get(f"/api/v1/policies/{new.pk}/").json()
    assert [v["version"] for v in detail["versions"]] == [1, 2]
    assert detail["full_text"] == "修订后的文本"
    versions = api.get(f"/api/v1/policies/{old.pk}/versions/").json()
    assert [(v["id"], v["status"]) for v in versions] == [(old.pk, "amended"), (new.pk, "published")]


def test_coverage_endpoint_counts_as_of_a_date(api, corpus, leader):
    api.force_authenticate(leader)
    body = api.get("/api/v1/policy-coverage/", {"as_of": "2014-06-01"}).json()
    cells = {(c["segment"], c["field"]): c["policies"] for c in body["cells"]}
    assert body["as_of"] == "2014-06-01"
    assert cells[("end", "ecommerce")] == 1
    assert cells[("middle", "ecommerce")] == 0
    before = api.get("/api/v1/policy-coverage/", {"as_of": "2013-01-01"}).json()
    assert all(c["policies"] == 0 for c in before["cells"])


def test_coverage_with_a_bad_date_is_a_400(api, leader):
    api.force_authenticate(leader)
    response = api.get("/api/v1/policy-coverage/", {"as_of": "yesterday"})
    assert response.status_code == 400
    assert "as_of" in response.json()["error"]["details"]


def test_workflow_actions_go_through_the_services(api, staff, division):
    policy = factories.draft(actor=staff)
    api.force_authenticate(division)
    assert api.post(f"/api/v1/policies/{policy.pk}/submit/").status_code == 404  # a draft is invisible to them
    api.force_authenticate(staff)
    assert api.post(f"/api/v1/policies/{policy.pk}/submit/").json()["status"] == PolicyStatus.UNDER_REVIEW
    assert api.post(f"/api/v1/policies/{policy.pk}/publish/").json()["status"] == PolicyStatus.PUBLISHED
    response = api.post(f"/api/v1/policies/{policy.pk}/repeal/", {"repealing_document": ""}, format="json")
    assert response.status_code == 400
    assert "repealing_document" in response.json()["error"]["details"]


def test_a_bad_repeal_request_is_a_400_on_its_field_and_repeals_nothing(api, staff):
    policy = factories.published(actor=staff)
    api.force_authenticate(staff)
    for body, field in (
        ({"replaced_by": 999_999}, "replaced_by"),
        ({"repealing_document": "文" * 256}, "repealing_document"),
    ):
        response = api.post(f"/api/v1/policies/{policy.pk}/repeal/", body, format="json")
        assert response.status_code == 400, response.content
        assert field in response.json()["error"]["details"]
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.PUBLISHED


def test_a_year_out_of_range_is_a_400_in_the_api_and_a_form_error_on_the_page(api, client, corpus, api_client_user):
    api.force_authenticate(api_client_user)
    for year in ("10000", "0", "2024.5"):
        response = api.get("/api/v1/policies/", {"year": year})
        assert response.status_code == 400, (year, response.content)
        assert "year" in response.json()["error"]["details"]
    assert api.get("/api/v1/policies/", {"year": "2026"}).status_code == 200
    client.force_login(api_client_user)
    assert client.get("/policies/", {"year": "10000"}).status_code == 200


def test_published_policy_workflow_refused_for_division_staff(api, staff, division):
    policy = factories.published(actor=staff)
    api.force_authenticate(division)
    response = api.post(f"/api/v1/policies/{policy.pk}/repeal/", {"repealing_document": "某文件"}, format="json")
    assert response.status_code == 403


def test_anonymous_requests_are_refused(api):
    assert api.get("/api/v1/policies/").status_code == 401
    assert api.get("/api/v1/policy-coverage/").status_code == 401


def test_schema_documents_the_policy_endpoints(api, leader):
    api.force_authenticate(leader)
    schema = api.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/policies/{id}/versions/" in schema["paths"]
    assert "/api/v1/policy-coverage/" in schema["paths"]


def test_legacy_policies_endpoint_names_the_replacing_policy(api, staff, city, api_client_user):
    from policies.choices import LegacyDisposition

    target = factories.published(actor=staff)
    services.legacy_policy_save(
        actor=staff, issuing_authority=city["dept"], document_number="温商发〔2011〕8号", title="旧办法",
        disposition=LegacyDisposition.REPEALED, target=target,
    )  # fmt: skip
    api.force_authenticate(api_client_user)
    rows = api.get("/api/v1/legacy-policies/", {"disposition": "repealed"}).json()["results"]
    assert [(r["document_number"], r["target"]) for r in rows] == [("温商发〔2011〕8号", target.pk)]
    assert api.get("/api/v1/legacy-policies/", {"disposition": "merged"}).json()["results"] == []
