"""Celery tasks: thin, ids in, one service call each; every one is safe to run twice."""

from __future__ import annotations

from celery import shared_task
from django.db import InterfaceError, OperationalError

from . import services


@shared_task(
    name="datacenter.run_ingestion_job",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError, InterfaceError),
    max_retries=3,
    retry_backoff=5,
    retry_backoff_max=300,
)
def run_ingestion_job(job_id: int) -> str | None:
    job = services.job_run(job_id=job_id)
    return job.status if job is not None else None


@shared_task(name="datacenter.compute_indicators", acks_late=True, max_retries=3)
def compute_indicators(dataset_id: int) -> int:
    return services.indicators_compute(dataset_id=dataset_id)


@shared_task(name="datacenter.sweep_stale_jobs")
def sweep_stale_jobs() -> dict[str, int]:
    return {**services.jobs_sweep_stale(), **services.jobs_resend_waiting()}


@shared_task(name="datacenter.pull_datasets")
def pull_datasets() -> dict[str, int]:
    return services.datasets_pull_all()
