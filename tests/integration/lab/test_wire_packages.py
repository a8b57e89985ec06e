"""The packages scenario (issue 12) over the real WinRM wire: each host serves its page, a catalog script written
with echo lines lists the package, tlist -m / tasklist /m name the holders, and a package shutdown (or mtxstop)
releases the DLL unless IIS holds it too."""

from __future__ import annotations

import ntpath

import pytest
import requests

pytestmark = [pytest.mark.lab, pytest.mark.timeout(180)]

SCRIPT = "C:\\TEMP\\lab_catalog.vbs"
PROGID = {"mts": "MTSAdmin.Catalog.1", "complus": "COMAdmin.COMAdminCatalog"}


@pytest.fixture
def package_hosts(scenario_hosts):
    return scenario_hosts("packages.yaml", prefix="W")


def _caret(text: str) -> str:
    for ch in "^&<>|()":
        text = text.replace(ch, "^" + ch)
    return text


def _write_script(session, op: str, progid: str) -> None:
    session.run_cmd(f'if exist "{SCRIPT}" del "{SCRIPT}"')
    lines = [
        f"' legacy_iis.iis4 catalog {op}",
        "Option Explicit",
        "Dim oCatalog",
        f'Set oCatalog = CreateObject("{progid}")',
    ]
    for line in lines:
        result = session.run_cmd(f'(echo {_caret(line)})>>"{SCRIPT}"')
        assert result.status_code == 0, result.std_err


def _run(session, line: str) -> tuple[str, int]:
    result = session.run_cmd(line)
    return result.std_out.decode("cp437"), result.status_code


def test_packages_over_the_wire(package_hosts, winrm_session):
    assert len(package_hosts) == 8
    for host in package_hosts:
        cfg = host.config
        v = host.inventory_vars()
        dest = v["lab_update_dest"]
        for path in v["lab_update_application"]:
            page = requests.get(f"{host.web_url(1)}{path.rstrip('/')}/", timeout=10)
            assert page.status_code == 200 and "version=1.0.0.0" in page.text, (host.name, page.text)
        package = cfg.packages[0]
        server = package.activation == "server"
        session = winrm_session(host)

        _write_script(session, "list", PROGID[cfg.catalog])
        out, rc = _run(session, f'cscript //nologo "{SCRIPT}"')
        assert rc == 0, (host.name, out)
        activation = "Server" if server else "Library"
        assert f"PKG|{package.id}|{package.name}|{activation}|{int(package.run_forever)}|3" in out.splitlines()
        assert f"|{dest}" in out

        holders = {p.pid: p.image for p in host.machine.processes.all() if p.loaded(dest)}
        assert holders, host.name
        name = ntpath.basename(dest)
        if cfg.has_tlist:
            out, rc = _run(session, f"tlist -m {name}")
            assert rc == 0
            assert {int(line.split()[0]): line.split()[1] for line in out.splitlines()} == holders, host.name
        if cfg.has_tasklist:
            out, rc = _run(session, f"tasklist /m {name} /fo csv /nh")
            rows = [line.strip('"').split('","') for line in out.splitlines()]
            assert {int(pid): image for image, pid, _mods in rows} == holders, host.name

        assert _run(session, f"type nul>>{dest}")[1] == 1  # loaded: locked
        _write_script(session, "shutdown", PROGID[cfg.catalog])
        out, rc = _run(session, f'cscript //nologo "{SCRIPT}" {package.id}')
        if package.shutdown_refused:
            assert (out.split("|")[0], rc) == ("ERR", 1), host.name
            assert _run(session, f"type nul>>{dest}")[1] == 1
            assert _run(session, 'call "C:\\Program Files\\Mts\\mtxstop.exe"')[1] == 0
        else:
            assert (out, rc) == (f"SHUTDOWN|{package.id}|ok\r\n", 0), host.name
        iis_holds = not server or any(a.direct_components for s in cfg.sites for a in s.apps)
        expected = 1 if iis_holds else 0
        assert _run(session, f"type nul>>{dest}")[1] == expected, host.name
