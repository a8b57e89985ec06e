"""The Wine prefix of the oracle tests (one per test session)."""

from __future__ import annotations

import pytest

from .wine import WINE, Prefix, session_prefix


@pytest.fixture(scope="session")
def wine_prefix(tmp_path_factory: pytest.TempPathFactory) -> Prefix:
    if WINE is None:
        pytest.skip("Wine is not installed (Debian package 'wine')")
    return session_prefix(tmp_path_factory)
