"""The Celery app: workers and beat run the data center's jobs and the scheduled work."""

import logging
import os
import sys
from typing import Any

from celery import Celery
from celery.signals import before_task_publish, task_postrun, task_prerun, worker_init

if "DJANGO_SETTINGS_MODULE" not in os.environ:
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.local"


def _guard_redis_restore() -> None:
    """Keep the worker alive when Redis goes away while it holds unacknowledged tasks.

    On a lost connection the worker first drops the transport and then closes the channel, whose
    "restore the unacknowledged messages" step rebuilds a Redis client from the dropped transport and
    fails with AttributeError, which ends the worker ("Unrecoverable error"). With the guard the
    messages stay in Redis's unacknowledged set (kombu puts them back after the visibility timeout;
    the data center's sweep re-sends its jobs sooner) and the worker reconnects once Redis is back.
    """
    from kombu.transport import redis as kombu_redis

    original = kombu_redis.QoS.restore_unacked

    def restore_unacked(self: kombu_redis.QoS, client: Any = None) -> None:
        try:
            original(self, client)
        except AttributeError:
            logging.getLogger(__name__).warning("broker connection gone: unacknowledged tasks stay in Redis")

    kombu_redis.QoS.restore_unacked = restore_unacked  # type: ignore[method-assign]


_guard_redis_restore()

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


@worker_init.connect
def _preload_arrow(**_kwargs: object) -> None:
    """Import Arrow and numpy (the data center's CSV pass) when a worker starts, not in its first job: 0.1 s
    of that job's time. In the prefork pool the children share the pages imported here; a worker's memory
    at rest grows by about 70 MB, its peak in a load does not."""
    import datacenter.vectorised  # noqa: F401


if __name__ == "__main__":  # pragma: no cover
    app.start(sys.argv[1:])
