import datetime

import pytest

from policies import registry, selectors, services
from policies.choices import ChainSegment as Seg
from tests.policies import factories

pytestmark = pytest.mark.django_db
D = datetime.date


@pytest.fixture
def fixtures(staff):
    ec = factories.field("ecommerce", "电子商务", 0)
    sw = factories.field("software", "软件", 1)
    factories.field("games", "网络游戏", 2)
    # in force from 2014-04-01, both segments of e-commerce
    a = factories.published(actor=staff, fields=[ec], segments=[Seg.FRONT, Seg.END])
    # in force from 2015-01-01 until it expires at the end of 2015
    b = factories.published(
        actor=staff,
        fields=[ec, sw],
        segments=[Seg.END],
        published_on=D(2014, 12, 1),
        effective_on=D(2015, 1, 1),
        expires_on=D(2015, 12, 31),
    )
    # repealed on 2016-06-01
    c = factories.published(actor=staff, fields=[sw], segments=[Seg.MIDDLE])
    services.policy_repeal(actor=staff, policy=c, repealing_document="温政发〔2016〕9号", on=D(2016, 6, 1))
    # the master plan frames everything and is not counted in the cells
    factories.published(actor=staff, fields=[ec, sw], segments=[Seg.FRONT, Seg.MIDDLE, Seg.END], tier="master")
    # a draft never counts
    factories.draft(actor=staff, fields=[sw], segments=[Seg.MIDDLE])
    return {"a": a, "b": b, "c": c}


def counts(cov):
    return {key: cell.count for key, cell in cov.cells.items() if cell.count}


def test_coverage_matrix_matches_hand_counts(fixtures, staff):
    assert counts(selectors.coverage(user=staff, as_of=D(2014, 1, 1))) == {}
    assert counts(selectors.coverage(user=staff, as_of=D(2015, 6, 1))) == {
        ("front", "ecommerce"): 1,
        ("end", "ecommerce"): 2,
        ("end", "software"): 1,
        ("middle", "software"): 1,
    }
    assert counts(selectors.coverage(user=staff, as_of=D(2016, 7, 1))) == {
        ("front", "ecommerce"): 1,
        ("end", "ecommerce"): 1,
    }


def test_empty_cells_are_marked_and_every_field_is_a_column(fixtures, staff):
    cov = selectors.coverage(user=staff, as_of=D(2016, 7, 1))
    assert [f.code for f in cov.fields] == ["ecommerce", "software", "games"]
    assert len(cov.cells) == 9
    assert sum(cell.empty for cell in cov.cells.values()) == 7


def test_other_apps_add_linked_items_through_the_registry(fixtures, staff):
    def programmes(*, as_of, user):
        if as_of >= D(2015, 1, 1):
            yield registry.LinkedItem(label="电商专项资金", url="/funds/1/", cells=(("end", "ecommerce"),))

    registry.coverage_providers.append(programmes)
    try:
        before = selectors.coverage(user=staff, as_of=D(2014, 6, 1))
        after = selectors.coverage(user=staff, as_of=D(2015, 6, 1))
    finally:
        registry.coverage_providers.remove(programmes)
    assert before.cells[("end", "ecommerce")].linked == []
    assert [i.label for i in after.cells[("end", "ecommerce")].linked] == ["电商专项资金"]
    assert after.as_json()["cells"][6]["linked"] == [{"label": "电商专项资金", "url": "/funds/1/"}]


def test_each_covered_cell_links_to_the_list_of_exactly_its_policies(client, fixtures, staff):
    import re

    from django.urls import reverse

    client.force_login(staff)
    html = client.get(reverse("policies:coverage"), {"as_of": "2015-06-01"}).content.decode()
    links = {
        m.group(2).replace("&amp;", "&"): int(m.group(3))
        for m in re.finditer(r'<a href="(/policies/\?([^"]+))"[^>]*>(\d+)</a>', html)
    }
    assert links, "covered cells are links"
    for query, count in links.items():
        listing = client.get(f"{reverse('policies:index')}?{query}")
        assert listing.context["page"].paginator.count == count, query
    assert "segment=end&field=ecommerce&tier=sub&in_force_on=2015-06-01" in links


def test_the_coverage_date_starts_filled_in_with_today_like_the_org_chart(client, staff):
    from django.urls import reverse
    from django.utils import timezone

    client.force_login(staff)
    html = client.get(reverse("policies:coverage")).content.decode()
    assert f'value="{timezone.localdate().isoformat()}"' in html
