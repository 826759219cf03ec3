"""The Celery app: workers and beat run the data center's jobs and the scheduled work."""

import os
import sys

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun

if "DJANGO_SETTINGS_MODULE" not in os.environ:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

REQUEST_ID_HEADER = "portal_request_id"


@before_task_publish.connect
def _carry_request_id(headers: dict[str, object] | None = None, **_kwargs: object) -> None:
    """A task started by a request logs with that request's id."""
    from core.logging import current_request_id

    request_id = current_request_id()
    if headers is not None and request_id and REQUEST_ID_HEADER not in headers:
        headers[REQUEST_ID_HEADER] = request_id


@task_prerun.connect
def _adopt_request_id(task: object = None, **_kwargs: object) -> None:
    from core.logging import bind_request_id

    request = getattr(task, "request", None)
    bind_request_id(getattr(request, REQUEST_ID_HEADER, None) if request else None)


@task_postrun.connect
def _drop_request_id(**_kwargs: object) -> None:
    from core.logging import bind_request_id

    bind_request_id(None)


if __name__ == "__main__":  # pragma: no cover
    app.start(sys.argv[1:])
