import datetime

import pytest

from policies import selectors
from policies.choices import ChainSegment, PolicyStatus
from policies.filtersets import PolicyFilterSet
from tests.policies import factories

pytestmark = pytest.mark.django_db

FILLER = "各县（市、区）人民政府，市政府直属各单位：为贯彻落实省委省政府决策部署，结合我市实际，提出如下意见。"


@pytest.fixture
def corpus(staff):
    ecommerce = factories.field("ecommerce", "电子商务")
    iot = factories.field("iot", "物联网", 1)
    policies = {
        "title": factories.published(
            actor=staff,
            title="温州市电子商务扶持办法",
            full_text=FILLER + "对电子商务企业给予扶持。",
            fields=[ecommerce],
            segments=[ChainSegment.END],
        ),
        "mention": factories.published(
            actor=staff,
            title="关于加快智能制造发展的实施意见",
            full_text=FILLER + "推动智能制造，兼顾电子商务应用，加大扶持力度。",
            fields=[iot],
            segments=[ChainSegment.MIDDLE],
            published_on=datetime.date(2015, 6, 1),
            effective_on=datetime.date(2015, 7, 1),
        ),
        "other": factories.published(
            actor=staff, title="关于推进智慧城市建设的意见", full_text=FILLER + "建设城市大脑。", fields=[iot]
        ),
        "draft": factories.draft(actor=staff, title="电子商务扶持草案", full_text="电子商务扶持电子商务扶持。"),
    }
    return policies


def run(user, **params):
    return list(PolicyFilterSet(params, queryset=selectors.policy_list(user=user)).qs)


def test_title_hit_ranks_before_a_single_mention_in_the_text(corpus, staff):
    found = run(staff, q="电子商务 扶持", status=PolicyStatus.PUBLISHED)
    assert found[:2] == [corpus["title"], corpus["mention"]]
    assert corpus["other"] not in found


def test_search_for_intelligent_manufacturing_finds_only_that_policy(corpus, staff):
    assert run(staff, q="智能制造") == [corpus["mention"]]


def test_filters_by_segment_field_and_year(corpus, staff):
    assert run(staff, segment=ChainSegment.MIDDLE) == [corpus["mention"]]
    assert set(run(staff, field="iot")) == {corpus["mention"], corpus["other"]}
    assert run(staff, year=2015) == [corpus["mention"]]
    assert run(staff, q="电子商务", segment=ChainSegment.MIDDLE) == [corpus["mention"]]


def test_search_does_not_reveal_drafts_to_division_staff(corpus, division):
    found = run(division, q="电子商务 扶持")
    assert corpus["draft"] not in found
    assert corpus["title"] in found


def test_highlight_marks_query_words_in_the_text(corpus):
    from core.search import highlight

    marked = str(highlight(corpus["mention"].full_text, "智能制造"))
    assert "<mark>智能</mark><mark>制造</mark>" in marked
    assert "<mark>" not in marked.split("推动")[0]
