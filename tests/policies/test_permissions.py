import pytest
from django.urls import reverse

from bureau.roles import Role
from policies import selectors
from tests.bureau.factories import UserFactory
from tests.policies import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def pair(staff):
    return factories.published(actor=staff, title="已发布的政策"), factories.draft(actor=staff, title="起草中的政策")


def visible(user):
    return set(selectors.policy_list(user=user).values_list("title", flat=True))


def test_drafts_are_visible_only_to_bureau_staff(pair, staff, division, api_client_user, leader, city):
    assert visible(staff) == {"已发布的政策", "起草中的政策"}
    for outsider in (division, api_client_user, leader, UserFactory(roles=[Role.EXPERT], unit=city["bureau"])):
        assert visible(outsider) == {"已发布的政策"}


def test_auditors_read_drafts_but_change_nothing(pair, city):
    auditor = UserFactory(roles=[Role.AUDITOR], unit=city["bureau"])
    assert visible(auditor) == {"已发布的政策", "起草中的政策"}
    assert not selectors.may_change(user=auditor, policy=pair[1])


def test_users_without_a_role_see_nothing(pair, city):
    assert visible(UserFactory(unit=city["bureau"])) == set()


def test_a_draft_page_is_a_404_for_division_staff(client, pair, division):
    client.force_login(division)
    assert client.get(reverse("policies:detail", args=[pair[0].pk])).status_code == 200
    assert client.get(reverse("policies:detail", args=[pair[1].pk])).status_code == 404


def test_division_staff_cannot_open_the_editing_pages(client, pair, division):
    client.force_login(division)
    assert client.get(reverse("policies:create")).status_code == 403
    assert client.post(reverse("policies:transition", args=[pair[0].pk, "amend"])).status_code == 403
    assert client.get(reverse("policies:legacy-import")).status_code == 403


def test_workflow_buttons_are_shown_only_to_those_who_may_use_them(client, pair, staff, leader):
    client.force_login(leader)
    assert "修订" not in client.get(reverse("policies:detail", args=[pair[0].pk])).content.decode()
    client.force_login(staff)
    assert "修订" in client.get(reverse("policies:detail", args=[pair[0].pk])).content.decode()


def test_attachments_of_drafts_are_not_downloadable_by_outsiders(client, staff, division, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from policies import services

    settings.MEDIA_ROOT = tmp_path
    draft = factories.draft(actor=staff)
    attachment = services.attachment_add(actor=staff, policy=draft, upload=SimpleUploadedFile("a.pdf", b"%PDF"))
    client.force_login(division)
    assert client.get(reverse("policies:attachment-download", args=[attachment.pk])).status_code == 404
