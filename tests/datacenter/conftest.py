import pytest
from django.utils import translation


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in English, the language of the source strings."""
    with translation.override("en"):
        yield
