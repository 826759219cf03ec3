"""Run Celery tasks in the test's own process, for tests that look at what a task did (mail.outbox)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def tasks_run_in_process() -> Iterator[None]:
    """Tasks sent meanwhile run at once in this process (Celery's eager mode), retries too, without their
    countdown; a task's exception stays in its result, as in a worker, instead of reaching the sender."""
    from config.celery import app

    before = app.conf.task_always_eager, app.conf.task_eager_propagates
    app.conf.task_always_eager, app.conf.task_eager_propagates = True, False
    try:
        yield
    finally:
        app.conf.task_always_eager, app.conf.task_eager_propagates = before
