"""regsvr32 on a lab machine (tests.lab.tools.regsvr32)."""

from __future__ import annotations

from tests.unit.lab.tools_harness import machine, run


def test_regsvr32_registers_a_lab_dll():
    m = machine(1)
    out, err, rc = run(m, "regsvr32 /s C:\\InetPub\\shop\\bin\\ShopCart.dll")
    assert (out, err, rc) == ("", "", 0)
    reg = m.registrations["c:\\inetpub\\shop\\bin\\shopcart.dll"]
    assert reg["version"] == "1.0.0.0" and reg["registered"] is True
    _out, _err, rc = run(m, "regsvr32 /s /u C:\\InetPub\\shop\\bin\\ShopCart.dll")
    assert rc == 0 and m.registrations["c:\\inetpub\\shop\\bin\\shopcart.dll"]["registered"] is False


def test_regsvr32_failures():
    m = machine(1)
    assert run(m, "regsvr32 /s C:\\nothing.dll")[2] == 3
    m.write_file("C:\\notes.dll", b"hello")
    assert run(m, "regsvr32 /s C:\\notes.dll")[2] == 3
    assert run(m, "regsvr32")[2] == 1
    m.config.faults.regsvr32_fail = 5
    assert run(m, "regsvr32 /s C:\\InetPub\\shop\\bin\\ShopCart.dll")[2] == 5
    assert "c:\\inetpub\\shop\\bin\\shopcart.dll" not in m.registrations
