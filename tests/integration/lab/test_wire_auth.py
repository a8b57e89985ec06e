"""Authentication and transport security of lab hosts, through the real pywinrm client and the real machine."""

from __future__ import annotations

import pytest
import requests
from winrm.exceptions import InvalidCredentialsError

pytestmark = [pytest.mark.lab, pytest.mark.timeout(60)]

WRONG = "not-the-password"  # noqa: S105 - lab credentials
FIRST, SECOND = "First-Pass1", "Second-Pass2"


@pytest.fixture
def host(lab_host):
    return lab_host()


def _http_actions(lab, host):
    return [(e.detail["action"], e.detail["status"]) for e in lab.log.events(host=host.name, kind="http")]


def test_ntlm_over_http_is_encrypted(lab, host, winrm_session):
    session = winrm_session(host, "ntlm", "http")
    result = session.run_cmd("echo", ["hello", "world"])
    assert (result.status_code, result.std_out, result.std_err) == (0, b"hello world\r\n", b"")
    assert session.protocol.transport.encryption is not None  # pywinrm negotiated message encryption
    actions = _http_actions(lab, host)
    assert actions[:3] == [("Auth", 401), ("Auth", 401), ("Auth", 200)]  # challenge, type 2, type 3
    assert [action for action, _status in actions[3:]] == ["Create", "Command", "Receive", "Signal", "Delete"]


def test_ntlm_accepts_domain_spellings(host, winrm_session):
    for user in (host.username, f".\\{host.username}", f"{host.name}\\{host.username}", host.username.upper()):
        assert winrm_session(host, "ntlm", username=user).run_cmd("exit 0").status_code == 0


def test_unencrypted_ntlm_over_http_is_refused(host, winrm_session):
    session = winrm_session(host, "ntlm", "http", message_encryption="never")
    with pytest.raises(InvalidCredentialsError):
        session.run_cmd("echo x")


def test_unencrypted_ntlm_over_http_allowed_when_configured(lab_host, winrm_session):
    host = lab_host(allow_unencrypted=True)
    session = winrm_session(host, "ntlm", "http", message_encryption="never")
    assert session.run_cmd("echo plain").std_out == b"plain\r\n"


def test_wrong_password_is_rejected(host, winrm_session):
    with pytest.raises(InvalidCredentialsError):
        winrm_session(host, "ntlm", password=WRONG).run_cmd("echo x")
    with pytest.raises(InvalidCredentialsError):
        winrm_session(host, "ntlm", username="Guest").run_cmd("echo x")
    with pytest.raises(InvalidCredentialsError):
        winrm_session(host, "basic", "https", password=WRONG).run_cmd("echo x")


def test_hosts_with_different_passwords_for_the_same_user(lab_host, winrm_session):
    first = lab_host(password=FIRST)
    second = lab_host(password=SECOND)
    assert winrm_session(first).run_cmd("exit 0").status_code == 0
    assert winrm_session(second).run_cmd("exit 0").status_code == 0
    with pytest.raises(InvalidCredentialsError):
        winrm_session(second, password=FIRST).run_cmd("exit 0")


def test_basic_over_https_validates_against_lab_ca(host, winrm_session):
    session = winrm_session(host, "basic", "https")
    assert session.run_cmd("echo", ["tls"]).std_out == b"tls\r\n"


def test_https_certificate_is_not_trusted_without_lab_ca(host, winrm_session):
    session = winrm_session(host, "basic", "https", ca_trust_path=None)
    with pytest.raises(requests.exceptions.SSLError):
        session.run_cmd("echo x")


def test_basic_over_http_refused_unless_allow_unencrypted(lab_host, winrm_session):
    strict = lab_host()
    with pytest.raises(InvalidCredentialsError):
        winrm_session(strict, "basic", "http").run_cmd("echo x")
    relaxed = lab_host(allow_unencrypted=True)
    assert winrm_session(relaxed, "basic", "http").run_cmd("echo ok").std_out == b"ok\r\n"


def test_basic_disabled(lab_host, winrm_session):
    host = lab_host(basic=False)
    with pytest.raises(InvalidCredentialsError):
        winrm_session(host, "basic", "https").run_cmd("echo x")


def test_ntlm_over_https_with_channel_binding(host, winrm_session):
    session = winrm_session(host, "ntlm", "https")
    assert session.run_cmd("echo", ["cbt"]).std_out == b"cbt\r\n"
    assert session.protocol.transport.encryption is None  # TLS protects the body; no message encryption


def test_ntlm_over_https_with_message_encryption_always(host, winrm_session):
    session = winrm_session(host, "ntlm", "https", message_encryption="always")
    assert session.run_cmd("echo", ["both"]).std_out == b"both\r\n"
    assert session.protocol.transport.encryption is not None


def test_ntlm_over_https_without_channel_binding_is_refused(host, winrm_session):
    # The lab checks channel binding strictly (CbtHardeningLevel=Strict).
    with pytest.raises(InvalidCredentialsError):
        winrm_session(host, "ntlm", "https", send_cbt=False).run_cmd("echo x")


def test_401_advertises_negotiate_and_basic(host, lab):
    response = requests.post(host.endpoint("http"), data=b"", timeout=10)
    assert response.status_code == 401
    assert "Negotiate" in response.headers["WWW-Authenticate"]
    assert "Basic" not in response.headers["WWW-Authenticate"]  # Basic not usable over HTTP here
    response = requests.post(host.endpoint("https"), data=b"", timeout=10, verify=str(lab.ca_path))
    assert response.headers["WWW-Authenticate"] == 'Negotiate, Basic realm="WSMAN"'


def test_listener_switches(lab_host, winrm_session):
    host = lab_host(listen_http=False)
    with pytest.raises(requests.exceptions.ConnectionError):
        winrm_session(host, "ntlm", "http").run_cmd("echo x")
    assert winrm_session(host, "ntlm", "https").run_cmd("exit 3").status_code == 3


def test_wrong_path_is_404(host):
    response = requests.post(f"http://{host.ip}:{host.config.http_port}/other", data=b"x", timeout=10)
    assert response.status_code == 404


def test_ntlm_scheme_is_answered_in_kind(host):
    import base64

    import spnego

    client = spnego.client(host.username, host.password, hostname=host.ip, protocol="ntlm")
    with requests.Session() as http:
        token = base64.b64encode(client.step()).decode()
        first = http.post(host.endpoint(), data=b"", headers={"Authorization": f"NTLM {token}"}, timeout=10)
        assert first.status_code == 401
        scheme, _sep, challenge = first.headers["WWW-Authenticate"].partition(" ")
        assert scheme == "NTLM"
        token = base64.b64encode(client.step(base64.b64decode(challenge))).decode()
        second = http.post(host.endpoint(), data=b"", headers={"Authorization": f"NTLM {token}"}, timeout=10)
        assert second.status_code == 200
