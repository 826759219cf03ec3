"""Tests: real PostgreSQL and a Redis of their own, so a running dev worker never takes test tasks."""

import os

from core import embedded

os.environ.setdefault("SECRET_KEY", "test-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("API_THROTTLE_ANON", "10000/minute")
os.environ.setdefault("API_THROTTLE_USER", "100000/minute")
os.environ.setdefault("API_THROTTLE_TOKEN", "100000/minute")
# The test session stops at its end whatever it had to start (tests/conftest.py).
EMBEDDED_STARTED = embedded.configure_environment(redis_name="redis-test", persistent=False)

from .base import *  # noqa: E402,F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; never outside tests
LOGGING["root"]["level"] = "WARNING"  # type: ignore[index]
CACHES["default"]["KEY_PREFIX"] = "portal-test"
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# django-axes needs the request that Django's test client login() does not pass; the sign-in
# lockout tests turn it on themselves (tests/core/test_login_security.py).
AXES_ENABLED = False
# Two-factor sign-in stays required; tests/conftest.py verifies force_login-ed sessions of users who need it.
OTP_REQUIRED = True
