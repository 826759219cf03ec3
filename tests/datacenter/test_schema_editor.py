"""The schema editor (a formset, one row per field) and the schema's version history."""

import pytest

from bureau.roles import Role
from datacenter import selectors, services
from datacenter.models import DataSet
from tests.bureau.factories import UserFactory
from tests.datacenter.factories import center_staff, city_with_center, make_dataset

pytestmark = pytest.mark.django_db

FIELDS = [
    {"name": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True},
    {"name": "name", "label": "企业名称", "type": "text", "required": True, "maps_to": "name"},
    {"name": "platform", "label": "平台", "type": "enum", "choices": ["淘宝", "京东"]},
]


@pytest.fixture
def world(client):
    units = city_with_center()
    staff = center_staff(units)
    client.force_login(staff)
    dataset = make_dataset(units["commerce"], "shops", fields=FIELDS, natural_key=["credit_code"])
    return {**units, "staff": staff, "shops": dataset, "page": f"/datacenter/datasets/{dataset.pk}/schema/"}


def formset_data(rows, initial=0):
    """The POST body of the editor: each row a dict of name, label, type, required, choices, in_key, maps_to,
    ORDER, DELETE."""
    data = {"fields-TOTAL_FORMS": str(len(rows)), "fields-INITIAL_FORMS": str(initial),
            "fields-MIN_NUM_FORMS": "0", "fields-MAX_NUM_FORMS": "200"}  # fmt: skip
    for i, r in enumerate(rows):
        for name, default in (("name", ""), ("label", ""), ("type", "text"), ("choices", ""), ("maps_to", ""),
                              ("ORDER", "")):  # fmt: skip
            data[f"fields-{i}-{name}"] = str(r.get(name, default))
        for flag in ("required", "in_key", "DELETE"):
            if r.get(flag):
                data[f"fields-{i}-{flag}"] = "on"
    return data


CURRENT = [
    {"name": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True, "in_key": True,
     "ORDER": 1},
    {"name": "name", "label": "企业名称", "type": "text", "required": True, "maps_to": "name", "ORDER": 2},
    {"name": "platform", "label": "平台", "type": "enum", "choices": "淘宝, 京东", "ORDER": 3},
]  # fmt: skip


def test_the_editor_shows_one_row_per_field_and_an_empty_one(client, world):
    response = client.get(world["page"])
    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="fields-TOTAL_FORMS" value="4"' in html
    assert 'name="fields-2-choices" value="淘宝, 京东"' in html
    assert 'name="fields-0-in_key" class="form-check-input" id="id_fields-0-in_key" checked' in html
    assert 'id="schema-row-template"' in html
    assert "__prefix__" in html
    assert "<script" in html
    assert "schema_editor.js" in html
    assert "onclick" not in html


def test_a_change_saves_a_new_version_in_the_order_given(client, world):
    rows = [dict(r) for r in CURRENT]
    rows[1]["label"] = "企业名称（全称）"
    rows[2]["ORDER"] = 1  # platform moved to the top
    rows[0]["ORDER"] = 2
    rows[1]["ORDER"] = 3
    rows.append({"name": "county", "label": "县区", "type": "text", "ORDER": ""})  # the empty row, filled in
    response = client.post(world["page"], formset_data(rows, initial=3))
    assert response.status_code == 302
    schema = world["shops"].current_schema
    assert schema.version == 2
    assert schema.field_names() == ["platform", "credit_code", "name", "county"]
    assert schema.fields[2]["label"] == "企业名称（全称）"
    assert schema.fields[0]["choices"] == ["淘宝", "京东"]
    assert list(schema.natural_key) == ["credit_code"]
    assert schema.created_by == world["staff"]


def test_a_row_marked_for_removal_is_dropped_and_an_untouched_empty_row_ignored(client, world):
    rows = [dict(r) for r in CURRENT]
    rows[2]["DELETE"] = True
    rows.append({"type": "text"})
    assert client.post(world["page"], formset_data(rows, initial=3)).status_code == 302
    assert world["shops"].current_schema.field_names() == ["credit_code", "name"]


def test_values_are_kept_only_for_an_enumeration(client, world):
    rows = [dict(r) for r in CURRENT]
    rows[2]["type"] = "text"  # the values stay in their box but mean nothing now
    client.post(world["page"], formset_data(rows, initial=3))
    assert world["shops"].current_schema.fields[2]["choices"] == []


def test_an_unchanged_schema_makes_no_version(client, world):
    response = client.post(world["page"], formset_data(CURRENT, initial=3), follow=True)
    assert world["shops"].schema_versions.count() == 1
    assert "没有变化" in response.content.decode()


def test_each_bad_row_shows_its_own_error_and_nothing_is_saved(client, world):
    rows = [
        {"name": "credit_code", "type": "credit_code", "ORDER": 1},
        {"name": "Name", "type": "text", "ORDER": 2},  # not an identifier
        {"name": "credit_code", "type": "text", "ORDER": 3},  # twice
        {"name": "platform", "type": "enum", "choices": " , ", "ORDER": 4},  # no values
        {"name": "size", "type": "enum", "choices": "大,小,大", "ORDER": 5},  # a value twice
        {"name": "tax_code", "type": "credit_code", "ORDER": 6},  # a second credit code
    ]  # no row in the natural key
    response = client.post(world["page"], formset_data(rows, initial=3))
    assert response.status_code == 200
    formset = response.context["formset"]
    errors = {form["name"].value(): form.errors for form in formset.forms if form.errors}
    assert "不是有效的字段名" in errors["Name"]["name"][0]
    assert "出现了两次" in errors["credit_code"]["name"][0]
    assert "需要列出可选值" in errors["platform"]["choices"][0]
    assert "可选值“大”出现了两次" in errors["size"]["choices"][0]
    assert "最多只能有一个统一社会信用代码字段" in errors["tax_code"]["type"][0]
    assert "业务主键" in " ".join(formset.non_form_errors())
    html = response.content.decode()
    assert 'id="id_fields-1-name-errors"' in html
    assert 'id="schema-errors"' in html
    assert world["shops"].schema_versions.count() == 1


def test_an_order_sent_back_with_errors_keeps_the_users_order(client, world):
    rows = [dict(r) for r in CURRENT]
    rows[0]["ORDER"], rows[2]["ORDER"] = 3, 1
    rows[2]["choices"] = ""
    response = client.post(world["page"], formset_data(rows, initial=3))
    assert [f["name"].value() for f in response.context["formset"].display_forms()] == [
        "platform", "name", "credit_code"]  # fmt: skip


def test_only_the_center_edits_the_schema(client, world):
    bureau_staff = UserFactory(roles=[Role.BUREAU_STAFF], unit=world["bureau"])
    owner = UserFactory(roles=[Role.DIVISION_STAFF], unit=world["commerce"])
    rows = [dict(r) for r in CURRENT]
    rows[1]["label"] = "改"
    for user in (bureau_staff, owner):
        client.force_login(user)
        assert client.get(world["page"]).status_code == 403
        assert client.post(world["page"], formset_data(rows, initial=3)).status_code == 403
        page = client.get(f"/datacenter/datasets/{world['shops'].pk}/").content.decode()
        assert '/schema/"' not in page  # no edit button
    assert world["shops"].schema_versions.count() == 1


def test_a_new_data_set_is_registered_with_its_rows(client, world):
    rows = [
        {"name": "credit_code", "label": "统一社会信用代码", "type": "credit_code", "required": True, "in_key": True,
         "ORDER": 1},
        {"name": "name", "label": "企业名称", "type": "text", "required": True, "maps_to": "name", "ORDER": 2},
        {"type": "text"},
    ]  # fmt: skip
    body = {"owner_unit": world["eitc"].pk, "code": "software", "name": "软件企业", "frequency": "yearly",
            "sensitivity": "internal", **formset_data(rows)}  # fmt: skip
    response = client.post("/datacenter/datasets/new/", body)
    assert response.status_code == 302
    schema = DataSet.objects.get(code="software").current_schema
    assert [f["maps_to"] for f in schema.fields] == ["", "name"]
    assert list(schema.natural_key) == ["credit_code"]


def test_a_new_data_set_with_a_bad_schema_shows_the_rows_errors(client, world):
    rows = [{"name": "9lives", "type": "text", "in_key": True}]
    body = {"owner_unit": world["eitc"].pk, "code": "software", "name": "软件企业", "frequency": "yearly",
            "sensitivity": "internal", **formset_data(rows)}  # fmt: skip
    response = client.post("/datacenter/datasets/new/", body)
    assert response.status_code == 200
    assert "不是有效的字段名" in response.context["formset"].forms[0].errors["name"][0]
    assert not DataSet.objects.filter(code="software").exists()


def test_the_version_history_says_what_changed(client, world, django_assert_max_num_queries):
    dataset = world["shops"]
    fields = [dict(f) for f in FIELDS]
    fields[1]["label"], fields[1]["required"] = "名称", False
    fields[2]["choices"] = ["淘宝", "京东", "拼多多"]
    services.schema_change(dataset=dataset, fields=[*fields, {"name": "county", "type": "text"}],
                           natural_key=["credit_code"], actor=world["staff"])  # fmt: skip
    services.schema_change(dataset=dataset, fields=[fields[2], fields[0], fields[1]],
                           natural_key=["credit_code", "platform"], actor=world["staff"])  # fmt: skip
    for i in range(4):
        services.schema_change(dataset=dataset, fields=[fields[2], fields[0], {**fields[1], "label": f"名称{i}"}],
                               natural_key=["credit_code", "platform"], actor=world["staff"])  # fmt: skip
    with django_assert_max_num_queries(17):
        response = client.get(f"/datacenter/datasets/{dataset.pk}/schema/history/")
    html = response.content.decode()
    assert html.count("<strong>第") == 7
    history = {v.version: changes for v, changes in selectors.schema_history(user=world["staff"],
                                                                                   dataset=dataset)}  # fmt: skip
    assert history[1] == ["初版：3 个字段，业务主键 credit_code。"]
    assert "新增字段“county”（文本）。" in history[2]
    assert "字段“name”：中文名“企业名称”→“名称”；改为选填。" in history[2]
    assert "字段“platform”：可选值 淘宝, 京东 → 淘宝, 京东, 拼多多。" in history[2]
    assert "删除字段“county”（文本）。" in history[3]
    assert "字段顺序有调整。" in history[3]
    assert "业务主键 credit_code → credit_code, platform。" in history[3]


def test_the_data_set_page_shows_the_schema_read_only(client, world):
    html = client.get(f"/datacenter/datasets/{world['shops'].pk}/").content.decode()
    assert 'name="fields-0-name"' not in html
    assert "<textarea" not in html
    assert "统一社会信用代码" in html
    assert "枚举" in html
    assert "淘宝, 京东" in html
    assert f"/datacenter/datasets/{world['shops'].pk}/schema/" in html
