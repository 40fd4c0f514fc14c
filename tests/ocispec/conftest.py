"""Shared helpers for the ocispec tests."""

from collections.abc import Callable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixture_bytes() -> Callable[[str], bytes]:
    """Read a file from tests/ocispec/fixtures/ as the raw bytes a hook would get."""

    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read
