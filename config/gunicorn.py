"""Gunicorn settings for the portal's web process (Dockerfile, docker-compose.yml, bench/bench_load.py).

Threaded workers: a request spends most of its time waiting for PostgreSQL, so a few processes
(one per core plus one) with several threads each serve many users without the memory of many
processes. Tune with WEB_CONCURRENCY (processes) and GUNICORN_THREADS (threads per process).
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() + 1))
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# A slow upload or export may take a while; a stuck worker is replaced after this.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "120"))
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows without bound.
max_requests = 5000
max_requests_jitter = 500
accesslog = os.environ.get("GUNICORN_ACCESSLOG", "-") or None
# Load the portal once in the master and fork it: workers start warm and share that memory.
# (Nothing connects to the database at import time, so no connection is shared across the fork.)
preload_app = True


def when_ready(server: object) -> None:
    """Before the workers fork: jieba reads its dictionary on first use (about a second per process)."""
    import jieba

    jieba.initialize()
