"""Word splitting (tests.lab.shell.words): the MS C runtime argv rules."""

from __future__ import annotations

import pytest

from tests.lab.shell import split_args


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a b  c", ["a", "b", "c"]),
        ('"a b" c', ["a b", "c"]),
        ('a"b c"d', ["ab cd"]),
        (r'"C:\Program Files\\" x', ["C:\\Program Files\\", "x"]),
        (r"a\\\"b", ['a\\"b']),
        (r"a\\b", ["a\\\\b"]),
        ('"a""b" c', ['a"b c']),  # VC6 runtime: "" inside quotes gives a quote and ends quoting
        ('"a""b"', ['a"b']),
        ('""', [""]),
        ("  ", []),
        ('"unterminated x', ["unterminated x"]),
    ],
)
def test_split_args(raw, expected):
    assert split_args(raw) == expected
