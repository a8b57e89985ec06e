"""The packages scenario (issue 12): every host boots, carries the lab_update_* variables, and its component is
held where the facts say (server package: the package process only; library: the caller; both: two holders)."""

from __future__ import annotations

from pathlib import Path

from tests.lab.harness.update import update_vars
from tests.lab.host import boot
from tests.lab.machine import web
from tests.lab.machine.config import load_scenario
from tests.lab.machine.events import EventLog

SCENARIO = Path(__file__).resolve().parents[2] / "lab" / "scenarios" / "packages.yaml"


def test_every_packages_host_is_updatable_and_holds_its_dll_where_expected():
    configs = load_scenario(SCENARIO)
    assert [c.name for c in configs] == [f"PKG0{i}" for i in range(1, 9)]
    assert {c.catalog for c in configs} == {"mts", "complus"}
    assert any(c.has_tlist for c in configs) and any(c.has_tasklist for c in configs)
    kinds = set()
    for cfg in configs:
        v = update_vars(cfg)
        assert v["lab_update_src"] == "C:\\Staging\\ShopCart.dll" and v["lab_update_version"] == "2.0.0.0"
        m = boot(cfg, EventLog())
        try:
            for path in v["lab_update_application"]:
                status, _h, body = web.handle_request(m, m.site_port(1), path + "/")
                assert status == 200 and b"version=1.0.0.0" in body
            images = sorted(h.split(":")[0] for h in m.fs.lock_holders(v["lab_update_dest"]))
            pkg = cfg.packages[0]
            if pkg.activation == "library":
                assert images == ["inetinfo.exe"]
                kinds.add("library")
            elif len(v["lab_update_application"]) > 1:
                assert images == ["inetinfo.exe", "mtx.exe"]
                kinds.add("both")
            else:
                assert images == ["dllhost.exe" if cfg.catalog == "complus" else "mtx.exe"]
                kinds.add("server")
            kinds.update(k for k in ("run_forever", "shutdown_refused") if getattr(pkg, k))
        finally:
            m.shutdown()
    assert kinds == {"library", "both", "server", "run_forever", "shutdown_refused"}
