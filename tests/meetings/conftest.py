import pytest

from tests.meetings.factories import build_world


@pytest.fixture
def world():
    """The small joint meeting of tests/meetings/factories.py."""
    return build_world()
