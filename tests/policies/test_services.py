import datetime

import pghistory.models
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from policies import services
from policies.choices import ChainSegment, LegacyDisposition, PolicyStatus
from policies.models import LegacyPolicy, Policy, PolicyAttachment, PolicyStep
from tests.policies import factories

pytestmark = pytest.mark.django_db


def test_create_stores_a_draft_with_fields_and_search_vector(staff):
    ecommerce = factories.field()
    policy = factories.draft(actor=staff, fields=[ecommerce], title="关于加快电子商务发展的若干意见")
    policy.refresh_from_db()
    assert policy.status == PolicyStatus.DRAFT
    assert list(policy.fields.all()) == [ecommerce]
    assert policy.created_by == staff
    assert "电子商务" in str(policy.search_vector)


def test_duplicate_document_number_of_the_same_authority_is_refused(staff, city):
    factories.draft(actor=staff, document_number="温政发〔2014〕12号")
    with pytest.raises(ValidationError) as exc:
        factories.draft(actor=staff, document_number="温政发〔2014〕12号", title="另一份文件")
    assert "document_number" in exc.value.message_dict
    assert not Policy.objects.filter(title="另一份文件").exists()


def test_the_same_document_number_is_fine_for_another_authority(staff, city):
    factories.draft(actor=staff, document_number="〔2014〕12号")
    factories.draft(actor=staff, document_number="〔2014〕12号", issuing_authority=city["dept"])
    assert Policy.objects.filter(document_number="〔2014〕12号").count() == 2


def test_effective_date_before_publication_is_refused_and_nothing_saved(staff):
    with pytest.raises(ValidationError) as exc:
        factories.draft(
            actor=staff,
            title="日期有误的文件",
            published_on=datetime.date(2014, 5, 1),
            effective_on=datetime.date(2014, 4, 1),
        )
    assert "effective_on" in exc.value.message_dict
    assert not Policy.objects.filter(title="日期有误的文件").exists()
    assert not PolicyStep.objects.exists()


def test_amending_a_draft_is_refused(staff):
    policy = factories.draft(actor=staff)
    with pytest.raises(ValidationError) as exc:
        services.policy_amend(actor=staff, policy=policy, full_text="新文本")
    assert exc.value.code == "not_published"
    assert Policy.objects.count() == 1


def test_repeal_without_a_replacing_or_repealing_document_is_refused(staff):
    policy = factories.published(actor=staff)
    with pytest.raises(ValidationError) as exc:
        services.policy_repeal(actor=staff, policy=policy, repealing_document="  ")
    assert "repealing_document" in exc.value.message_dict
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.PUBLISHED


def test_repeal_by_a_catalogue_policy_records_it(staff):
    old = factories.published(actor=staff)
    new = factories.published(actor=staff)
    services.policy_repeal(actor=staff, policy=old, replaced_by=new, on=datetime.date(2016, 1, 1))
    old.refresh_from_db()
    assert (old.status, old.replaced_by, old.ended_on) == (PolicyStatus.REPEALED, new, datetime.date(2016, 1, 1))


def test_published_text_is_not_edited_in_place(staff):
    policy = factories.published(actor=staff)
    with pytest.raises(ValidationError):
        services.policy_update(actor=staff, policy=policy, full_text="偷偷修改")
    assert Policy.objects.get(pk=policy.pk).full_text != "偷偷修改"


def test_amendment_is_a_new_version_and_publishing_it_ends_the_old(staff):
    field = factories.field()
    old = factories.published(actor=staff, fields=[field], full_text="第一条 旧条款。")
    new = services.policy_amend(actor=staff, policy=old, full_text="第一条 新条款。")
    assert (new.version, new.previous, new.lineage) == (2, old, old.lineage)
    assert new.status == PolicyStatus.DRAFT
    assert list(new.fields.all()) == [field]
    assert Policy.objects.get(pk=old.pk).status == PolicyStatus.PUBLISHED  # still in force meanwhile

    with pytest.raises(ValidationError):
        services.policy_amend(actor=staff, policy=old)  # one amendment at a time

    services.policy_update(
        actor=staff,
        policy=new,
        document_number="温政发〔2016〕3号",
        published_on=datetime.date(2016, 2, 1),
        effective_on=datetime.date(2016, 3, 1),
    )
    services.policy_submit(actor=staff, policy=new)
    services.policy_publish(actor=staff, policy=new)
    old.refresh_from_db()
    assert old.status == PolicyStatus.AMENDED
    assert old.ended_on == datetime.date(2016, 3, 1)
    assert old.full_text == "第一条 旧条款。"


def test_publishing_requires_number_and_dates(staff):
    policy = factories.draft(actor=staff, document_number="", published_on=None, effective_on=None)
    services.policy_submit(actor=staff, policy=policy)
    with pytest.raises(ValidationError) as exc:
        services.policy_publish(actor=staff, policy=policy)
    assert set(exc.value.message_dict) == {"document_number", "published_on", "effective_on"}
    assert Policy.objects.get(pk=policy.pk).status == PolicyStatus.UNDER_REVIEW


def test_master_plan_cannot_sit_under_another_plan(staff):
    from policies.choices import PolicyTier

    master = factories.draft(actor=staff, tier=PolicyTier.MASTER)
    with pytest.raises(ValidationError) as exc:
        factories.draft(actor=staff, tier=PolicyTier.MASTER, master=master)
    assert "master" in exc.value.message_dict


def test_a_sub_policy_is_not_published_before_its_master_plan(staff):
    from policies.choices import PolicyTier

    master = factories.draft(actor=staff, tier=PolicyTier.MASTER)
    sub = factories.draft(actor=staff, master=master)
    services.policy_submit(actor=staff, policy=sub)
    with translation.override("zh-hans"), pytest.raises(ValidationError) as exc:
        services.policy_publish(actor=staff, policy=sub)
    assert set(exc.value.message_dict) == {"master"}
    assert "总体规划" in exc.value.message_dict["master"][0]
    assert Policy.objects.get(pk=sub.pk).status == PolicyStatus.UNDER_REVIEW
    services.policy_submit(actor=staff, policy=master)
    services.policy_publish(actor=staff, policy=master)
    assert services.policy_publish(actor=staff, policy=sub).status == PolicyStatus.PUBLISHED


def test_creating_outside_ones_scope_is_refused(city, division):
    with pytest.raises(PermissionDenied):
        factories.draft(actor=division, issuing_authority=city["dept"])


def test_attachment_size_is_limited(staff, settings):
    settings.UPLOAD_MAX_BYTES = 10
    policy = factories.draft(actor=staff)
    with pytest.raises(ValidationError) as exc:
        services.attachment_add(actor=staff, policy=policy, upload=SimpleUploadedFile("a.pdf", b"x" * 11))
    assert "file" in exc.value.message_dict
    assert not PolicyAttachment.objects.exists()


def test_attachment_is_stored(staff, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    policy = factories.draft(actor=staff)
    attachment = services.attachment_add(actor=staff, policy=policy, upload=SimpleUploadedFile("附件1.pdf", b"%PDF"))
    assert attachment.name == "附件1.pdf"
    assert attachment.size == 4
    assert attachment.file.read() == b"%PDF"


def test_every_change_is_in_the_audit_history(staff):
    policy = factories.published(actor=staff, segments=[ChainSegment.FRONT])
    events = pghistory.models.Events.objects.tracks(policy)
    labels = [e.pgh_label for e in events]
    assert labels[0] == "insert"
    assert "update" in labels


def test_legacy_policy_save_is_idempotent(staff, city):
    target = factories.published(actor=staff)
    kwargs = {
        "issuing_authority": city["dept"],
        "document_number": "温商发〔2011〕8号",
        "title": "温州市电子商务扶持办法",
        "disposition": LegacyDisposition.MERGED,
        "target": target,
    }
    _legacy, first = services.legacy_policy_save(actor=staff, **kwargs)
    _again, second = services.legacy_policy_save(actor=staff, **kwargs)
    _changed, third = services.legacy_policy_save(actor=staff, **{**kwargs, "title": "新标题"})
    assert (first, second, third) == ("created", "unchanged", "updated")
    assert LegacyPolicy.objects.count() == 1
