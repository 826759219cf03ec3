"""Modules every app may declare by name (`<app>/roles.py`, `<app>/choices.py`), found by app name so that the
organisation never imports the apps that build on it."""

from __future__ import annotations

from collections.abc import Iterator
from importlib import import_module
from types import ModuleType

from django.apps import AppConfig, apps


def app_modules(name: str) -> Iterator[tuple[AppConfig, ModuleType]]:
    """Each installed app's module `name`, in INSTALLED_APPS order; apps without one are left out (an import
    error inside a module that exists is raised)."""
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.{name}":
                raise
            continue
        yield config, module
