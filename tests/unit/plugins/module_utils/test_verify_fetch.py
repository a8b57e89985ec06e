"""The page check's HTTP client: one TLS context per process, and a real GET against a local web server."""

from __future__ import annotations

import http.server
import threading

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils import verify


class _Page(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 - the http.server name
        body = b"version=2.0.0.0" if self.path == "/Shop/" else b"not here"
        self.send_response(200 if self.path == "/Shop/" else 404)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def web():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Page)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_every_check_of_the_process_shares_one_tls_context_per_validate_certs(web, monkeypatch):
    from ansible.module_utils import urls

    made = []
    real = urls.make_context
    monkeypatch.setattr(urls, "make_context", lambda **kw: made.append(kw) or real(**kw))
    monkeypatch.setattr(verify, "_TLS_CONTEXTS", {})
    for attempt in range(3):
        assert verify.fetch_url(f"{web}/Shop/", 5, True) == (200, "version=2.0.0.0", None), attempt
    assert verify.fetch_url(f"{web}/gone", 5, False) == (404, "not here", None)
    assert verify.fetch_url(f"{web}/Shop/", 5, False)[0] == 200
    assert made == [{"validate_certs": True}, {"validate_certs": False}]
    assert verify.tls_context(True) is not verify.tls_context(False)
    assert verify.tls_context(True).check_hostname and not verify.tls_context(False).check_hostname


def test_a_refused_connection_is_an_error_not_an_answer(web):
    status, body, error = verify.fetch_url("http://127.0.0.1:9/", 2, True)
    assert status is None and body == "" and error
