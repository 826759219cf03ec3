"""Development: `make run` and `manage.py` by hand, on the embedded servers unless URLs are set."""

import os

from core import embedded

os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("SECRET_KEY", "local-development-only-not-secret")
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1]")
embedded.configure_environment()

from .base import *  # noqa: E402,F403

# Serve static files straight from the app folders and static/ without collectstatic.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
