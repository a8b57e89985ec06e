"""The runner's pywinrm Protocol: the environment's proxy settings are read once, when the session is built."""

from __future__ import annotations

import warnings
from types import SimpleNamespace

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.protocol import make_protocol

ENV = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy")


def options(**extra):
    return SimpleNamespace(
        endpoint="http://web01.example:5985/wsman",
        transport="basic",
        user="deploy",
        password="secret",  # noqa: S106 - a test value
        server_cert_validation="ignore",
        message_encryption="never",
        operation_timeout=20,
        read_timeout=30,
        ca_trust_path=None,
        extra=extra,
        before_kerberos=None,
    )


@pytest.fixture
def clean_env(monkeypatch):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def session(opts):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # pywinrm's note on proxies from the environment
        return make_protocol(opts, lambda: None).transport.build_session()


def test_a_proxy_of_the_environment_is_kept_and_the_environment_not_read_again(clean_env):
    clean_env.setenv("HTTP_PROXY", "http://proxy.example:3128")
    s = session(options())
    assert s.trust_env is False
    assert s.proxies.get("http") == "http://proxy.example:3128"


def test_no_proxy_of_the_environment_still_applies(clean_env):
    clean_env.setenv("HTTP_PROXY", "http://proxy.example:3128")
    clean_env.setenv("NO_PROXY", "web01.example")
    assert "http" not in session(options()).proxies


def test_an_explicit_proxy_or_none(clean_env):
    clean_env.setenv("HTTP_PROXY", "http://proxy.example:3128")
    assert session(options(proxy="http://other.example:8080")).proxies["http"] == "http://other.example:8080"
    assert "http" not in session(options(proxy=None)).proxies


def test_every_request_is_counted(clean_env):
    seen = []
    protocol = make_protocol(options(), lambda: seen.append(1))
    protocol.transport.send_message = lambda message: b"answer"
    assert protocol.send_message("<x/>") == b"answer"
    assert seen == [1]
