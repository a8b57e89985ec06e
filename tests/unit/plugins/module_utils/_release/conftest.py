"""Strategies read recorded runs here: their waits run on a virtual clock (no test of this folder measures time)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from ..replay import VirtualClock, virtual_time


@pytest.fixture(autouse=True)
def _virtual_time() -> Iterator[VirtualClock]:
    with virtual_time() as clock:
        yield clock
