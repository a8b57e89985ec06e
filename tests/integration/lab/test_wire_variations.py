"""The variations scenario (issue 11): every host starts, and serves its lab_update_url with the OLD version of
its component before any update."""

from __future__ import annotations

import pytest
import requests

pytestmark = [pytest.mark.lab, pytest.mark.timeout(120)]


@pytest.fixture
def variation_hosts(scenario_hosts):
    return scenario_hosts("variations.yaml", prefix="W")


def test_every_variation_host_serves_the_old_version_first(variation_hosts):
    assert len(variation_hosts) >= 11
    for host in variation_hosts:
        v = host.inventory_vars()
        assert v["lab_update_expect"] not in ("", "version=1.0.0.0"), host.name
        page = requests.get(v["lab_update_url"], timeout=10)
        assert page.status_code == 200, (host.name, page.text)
        assert "version=1.0.0.0" in page.text, (host.name, page.text)
        assert v["lab_update_expect"] not in page.text
        assert host.machine.fs.is_file(v["lab_update_src"]) and host.machine.fs.is_file(v["lab_update_dest"])
        for path in v["lab_update_application"][1:]:
            site = v.get("lab_update_site")
            number = next(s.number for s in host.config.sites if site in (None, s.comment))
            other = requests.get(f"{host.web_url(number)}{path.rstrip('/')}/", timeout=10)
            assert "version=1.0.0.0" in other.text, (host.name, path)
