"""The moves of an ingestion job."""

import pytest
from django.core.exceptions import ValidationError

from datacenter import services, workflows
from tests.datacenter.factories import city_with_center, csv_bytes, load, make_dataset, row

pytestmark = pytest.mark.django_db


def test_only_the_worker_finishes_a_job_and_only_users_cancel_or_retry():
    assert workflows.allowed("running", "succeeded", "worker")
    assert not workflows.allowed("running", "succeeded", "user")
    assert workflows.allowed("running", "cancelled", "user")
    assert not workflows.allowed("succeeded", "cancelled", "user")
    assert workflows.allowed("failed", "queued", "user")
    assert not workflows.allowed("succeeded", "queued", "user")


def test_a_finished_job_cannot_be_cancelled_or_retried():
    job = load(make_dataset(city_with_center()["commerce"]), csv_bytes([row(1)]))
    with pytest.raises(ValidationError, match="cannot become"):
        services.job_cancel(job=job, actor=None)
    with pytest.raises(ValidationError, match="cannot become"):
        services.job_retry(job=job, actor=None)


def test_a_failed_job_retried_loads_against_the_current_schema():
    dataset = make_dataset(city_with_center()["commerce"])
    job = load(dataset, csv_bytes([row(1)], header="wrong,header"))
    assert job.status == "failed"
    retried = services.job_retry(job=job, actor=None)
    assert (retried.status, retried.attempts, retried.errors.count()) == ("queued", 0, 0)
