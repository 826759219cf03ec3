import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from policies import services
from policies.choices import ChainSegment, LegacyDisposition, PolicyStatus, PolicyTier
from policies.models import LegacyPolicy, Policy
from tests.policies import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue(staff, city):
    ec = factories.field("ecommerce", "电子商务")
    policies = [
        factories.published(actor=staff, title=f"电子商务扶持政策{i}", fields=[ec], segments=[ChainSegment.END])
        for i in range(3)
    ]
    return policies


def test_catalogue_list_searches_and_highlights(client, staff, catalogue):
    client.force_login(staff)
    response = client.get(reverse("policies:index"), {"q": "网络经济"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "政策目录" in html
    assert "电子商务扶持政策0" in html
    assert "<mark>网络</mark><mark>经济</mark>" in html
    assert html.count('class="list-group-item list-group-item-action"') == 3


def test_catalogue_list_has_a_constant_number_of_queries(client, staff, catalogue, django_assert_max_num_queries):
    client.force_login(staff)
    client.get(reverse("policies:index"))
    # 18: one loads the session's two-factor device, one is the top bar's count of unseen notifications
    with django_assert_max_num_queries(18) as few:
        client.get(reverse("policies:index"))
    ec = catalogue[0].fields.first()
    for i in range(10):
        factories.published(actor=staff, title=f"更多政策{i}", fields=[ec])
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(reverse("policies:index"))


def test_legacy_list_has_a_constant_number_of_queries(client, staff, city, catalogue, django_assert_max_num_queries):
    for i in range(3):
        services.legacy_policy_save(
            actor=staff, issuing_authority=city["dept"], document_number=f"温商发〔2011〕{i}号", title=f"旧政策{i}",
            disposition=LegacyDisposition.MERGED, target=catalogue[i % 3],
        )  # fmt: skip
    client.force_login(staff)
    client.get(reverse("policies:legacy-index"))
    # 17: one loads the session's two-factor device, one the sort order of the issuing units' parents (tree order),
    # one is the top bar's count of unseen notifications
    with django_assert_max_num_queries(17) as few:
        client.get(reverse("policies:legacy-index"))
    for i in range(3, 13):
        services.legacy_policy_save(
            actor=staff, issuing_authority=city["dept"], document_number=f"温商发〔2011〕{i}号", title=f"旧政策{i}",
            disposition=LegacyDisposition.SUPERSEDED, target=catalogue[i % 3],
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("policies:legacy-index"))
    assert "旧政策12" in response.content.decode()


def test_empty_search_shows_the_empty_state(client, staff, catalogue):
    client.force_login(staff)
    response = client.get(reverse("policies:index"), {"q": "量子计算"})
    assert "没有与“量子计算”相符的政策" in response.content.decode()


def test_htmx_search_returns_only_the_results(client, staff, catalogue):
    client.force_login(staff)
    response = client.get(reverse("policies:index"), {"q": "电子商务"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert "<html" not in html
    assert "电子商务扶持政策1" in html


def test_staff_create_a_draft_through_the_form_and_see_errors(client, staff, city):
    ec = factories.field("ecommerce", "电子商务")
    client.force_login(staff)
    data = {
        "title": "关于促进跨境电子商务发展的意见",
        "document_number": "温政发〔2015〕7号",
        "issuing_authority": city["root"].pk,
        "tier": "sub",
        "topic": "commerce",
        "segments": ["end", "front"],
        "policy_fields": [ec.pk],
        "keywords": "跨境电商，扶持",
        "published_on": "2015-05-01",
        "effective_on": "2015-04-01",
        "full_text": "为促进跨境电子商务发展……",
    }
    response = client.post(reverse("policies:create"), data)
    assert response.status_code == 200
    assert "生效日期不能早于发布日期" in response.content.decode()
    assert not Policy.objects.exists()

    data["effective_on"] = "2015-06-01"
    response = client.post(reverse("policies:create"), data)
    policy = Policy.objects.get()
    assert response.status_code == 302
    assert policy.keywords == ["跨境电商", "扶持"]
    assert sorted(policy.segments) == ["end", "front"]
    assert policy.created_by == staff


def test_workflow_buttons_move_the_policy(client, staff):
    policy = factories.draft(actor=staff)
    client.force_login(staff)
    page = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "提交审核" in page
    assert 'data-confirm="' in page
    client.post(reverse("policies:transition", args=[policy.pk, "submit"]))
    client.post(reverse("policies:transition", args=[policy.pk, "publish"]))
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.PUBLISHED
    response = client.post(reverse("policies:transition", args=[policy.pk, "amend"]))
    amendment = Policy.objects.get(previous=policy)
    assert response.url == reverse("policies:edit", args=[amendment.pk])


def test_workflow_errors_are_shown_not_raised(client, staff):
    policy = factories.draft(actor=staff)
    client.force_login(staff)
    response = client.post(reverse("policies:transition", args=[policy.pk, "publish"]), follow=True)
    assert "政策不能从“草稿”变为“已发布”" in response.content.decode()


def test_detail_shows_versions_diff_interpretations_and_legacy(client, staff, city):
    old = factories.published(actor=staff, full_text="第一条 对电子商务企业给予扶持。")
    new = services.policy_amend(actor=staff, policy=old, full_text="第一条 对电子商务和物联网企业给予扶持。")
    services.interpretation_add(actor=staff, policy=old, title="《意见》政策解读", body="一问一答……")
    services.legacy_policy_save(
        actor=staff, issuing_authority=city["dept"], document_number="温商发〔2011〕8号", title="温州市网店扶持办法",
        disposition=LegacyDisposition.MERGED, target=old,
    )  # fmt: skip
    client.force_login(staff)
    html = client.get(reverse("policies:detail", args=[old.pk])).content.decode()
    assert "《意见》政策解读" in html
    assert "温州市网店扶持办法" in html
    assert "第 2 版" in html
    diff = client.get(reverse("policies:diff", args=[new.pk])).content.decode()
    assert "<ins>和物联网</ins>" in diff


def test_repeal_page_requires_a_repealing_document(client, staff):
    policy = factories.published(actor=staff)
    client.force_login(staff)
    response = client.post(reverse("policies:repeal", args=[policy.pk]), {"repealing_document": ""})
    assert "请写明废止本政策的政策或文件" in response.content.decode()
    client.post(reverse("policies:repeal", args=[policy.pk]), {"repealing_document": "温政发〔2017〕1号"})
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.REPEALED


def test_attachment_is_downloaded_never_inline(client, staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    policy = factories.draft(actor=staff)
    client.force_login(staff)
    client.post(
        reverse("policies:attachment-upload", args=[policy.pk]),
        {"file": SimpleUploadedFile("page.html", b"<script>alert(1)</script>", content_type="text/html")},
    )
    attachment = policy.attachments.get()
    response = client.get(reverse("policies:attachment-download", args=[attachment.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment")
    assert response["Content-Type"] == "application/octet-stream"
    assert b"".join(response.streaming_content) == b"<script>alert(1)</script>"


def test_legacy_import_page_reports_rejected_rows(client, staff):
    factories.published(actor=staff, document_number="温政发〔2014〕50号")
    client.force_login(staff)
    content = (
        "标题,发文字号,发文机关,发布日期,处理方式,对应政策文号\n"
        "温州市网店扶持办法,温商发〔2011〕8号,commerce,2011-05-01,并入,温政发〔2014〕50号\n"
        "坏行,温商发〔2011〕9号,commerce,2011-05-01,并入,没有这个文号\n"
    ).encode()
    response = client.post(reverse("policies:legacy-import"), {"file": SimpleUploadedFile("l.csv", content)})
    html = response.content.decode()
    assert "新增 1 条" in html
    assert "<td>3</td>" in html


def test_legacy_import_page_shows_a_malformed_file_error(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("policies:legacy-import"), {"file": SimpleUploadedFile("l.csv", "标题\n甲\n".encode("gbk"))}
    )
    assert "UTF-8" in response.content.decode()


def test_an_oversize_legacy_import_is_a_form_error_and_imports_nothing(client, staff, settings, monkeypatch):
    factories.published(actor=staff, document_number="温政发〔2014〕50号")
    settings.UPLOAD_MAX_BYTES = 100

    def never_read(**kwargs):
        raise AssertionError("an oversize file is refused before it is read")

    monkeypatch.setattr(services, "legacy_import", never_read)
    client.force_login(staff)
    content = (
        "标题,发文字号,发文机关,发布日期,处理方式,对应政策文号\n"
        "温州市网店扶持办法,温商发〔2011〕8号,commerce,2011-05-01,并入,温政发〔2014〕50号\n"
    ).encode()
    assert len(content) > 100
    response = client.post(reverse("policies:legacy-import"), {"file": SimpleUploadedFile("l.csv", content)})
    assert response.status_code == 200
    assert "文件过大" in response.content.decode()
    assert response.context["form"].errors["file"]
    assert response.context["report"] is None
    assert not LegacyPolicy.objects.exists()


def test_a_sub_policy_page_shows_its_master_plan_only_to_those_who_may_read_it(client, staff, division):
    master = factories.published(actor=staff, tier=PolicyTier.MASTER, title="温州市网络经济发展总体规划（征求意见稿）")
    sub = factories.published(actor=staff, master=master, title="关于加快电子商务发展的若干意见")
    # A master plan back in draft, as rows from before the publishing rule may have it.
    Policy.objects.filter(pk=master.pk).update(status=PolicyStatus.DRAFT)
    client.force_login(division)
    page = client.get(reverse("policies:detail", args=[sub.pk])).content.decode()
    assert "关于加快电子商务发展的若干意见" in page
    assert "总体规划" not in page
    assert reverse("policies:detail", args=[master.pk]) not in page
    client.force_login(staff)
    assert "总体规划" in client.get(reverse("policies:detail", args=[sub.pk])).content.decode()


def test_legacy_page_says_what_replaced_it(client, staff, city):
    target = factories.published(actor=staff, title="温州市网络经济发展总体规划")
    legacy, _ = services.legacy_policy_save(
        actor=staff, issuing_authority=city["dept"], document_number="温商发〔2011〕8号", title="旧办法",
        disposition=LegacyDisposition.SUPERSEDED, target=target,
    )  # fmt: skip
    client.force_login(staff)
    html = client.get(reverse("policies:legacy-detail", args=[legacy.pk])).content.decode()
    assert "温州市网络经济发展总体规划" in html
    assert "被替代" in html


def test_coverage_page_draws_the_matrix_with_echarts(client, leader, staff, catalogue):
    client.force_login(leader)
    response = client.get(reverse("policies:coverage"), {"as_of": "2015-01-01"})
    html = response.content.decode()
    assert response.status_code == 200
    assert "vendor/echarts/echarts.min.js" in html
    assert 'id="coverage-data"' in html
    assert response.context["coverage"].cells[("end", "ecommerce")].count == 3
    assert response.context["coverage"].as_of == datetime.date(2015, 1, 1)
    assert "<script>" not in html.replace('<script src="', "")


def test_other_apps_add_sections_to_the_policy_page_through_the_registry(client, staff):
    from policies import registry

    policy = factories.published(actor=staff)

    def programmes(*, policy, user):
        items = [registry.LinkedItem(label=f"{policy.title}专项资金", url="/funds/programmes/1/")]
        return registry.Section(key="funds", title="依据本政策的资金项目", items=items)

    registry.policy_section_providers.append(programmes)
    try:
        client.force_login(staff)
        html = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    finally:
        registry.policy_section_providers.remove(programmes)
    assert "依据本政策的资金项目" in html
    assert f"{policy.title}专项资金" in html
    assert "暂无依据本政策设立的资金项目" not in html


def test_edit_form_keeps_the_draft_dates_for_the_date_picker(client, staff):
    policy = factories.draft(actor=staff)
    client.force_login(staff)
    html = client.get(reverse("policies:edit", args=[policy.pk])).content.decode()
    assert 'type="date" name="written_on" value="2014-03-01"' in html
    assert 'name="effective_on" value="2014-04-01"' in html


def test_staff_add_an_interpretation_document_from_the_page(client, staff):
    policy = factories.published(actor=staff)
    client.force_login(staff)
    response = client.post(
        reverse("policies:interpretation-create", args=[policy.pk]),
        {"title": "一图读懂扶持政策", "published_on": "2014-03-20", "body": "问：谁可以申请？答：……"},
    )
    assert response.status_code == 302
    html = client.get(reverse("policies:detail", args=[policy.pk])).content.decode()
    assert "一图读懂扶持政策" in html
    assert "问：谁可以申请？答：……" in html


def test_issuing_authority_choices_name_a_division_with_its_department(client, staff, city, catalogue):
    from bureau.choices import UnitKind
    from tests.bureau.factories import UnitFactory

    for parent in (city["bureau"], city["dept"]):
        UnitFactory(code=f"{parent.code}-ec", kind=UnitKind.DIVISION if parent == city["bureau"]
                    else UnitKind.DEPARTMENT_DIVISION, parent=parent, name="电子商务处")  # fmt: skip
    client.force_login(staff)
    form = client.get(reverse("policies:create")).context["form"]
    labels = [label for value, label in form.fields["issuing_authority"].choices if value != ""]
    assert "网络经济发展局 / 电子商务处" in labels
    assert "温州市商务局 / 电子商务处" in labels
    assert "电子商务处" not in labels
    filter_form = client.get(reverse("policies:index")).context["filterset"].form
    assert [label for value, label in filter_form.fields["issuing_authority"].choices if value != ""]
