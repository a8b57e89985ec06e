"""Several components in one task, the page check from the controller and the rollback (module_utils.rollout and
module_utils.verify). The update of one component is replaced by a scripted stand-in here: what it does on a host
is tested against the lab in tests/integration/module/test_rollout.py."""

from __future__ import annotations

from typing import Any

import pytest

from ansible_collections.legacy_iis.iis4.plugins.module_utils import rollout
from ansible_collections.legacy_iis.iis4.plugins.module_utils.errors import InputError
from ansible_collections.legacy_iis.iis4.plugins.module_utils.verify import Check, judge, verify_url

A = {"src": "C:\\Staging\\A.dll", "dest": "C:\\InetPub\\shop\\bin\\A.dll"}
B = {"src": "C:\\Staging\\B.dll", "dest": "C:\\InetPub\\shop\\bin\\B.dll"}
BASE = {
    "site": "Default Web Site",
    "application": ["/Shop"],
    "timeout": 120,
    "backup": True,
    "rollback": True,
    "verify_retries": 2,
    "verify_delay": 1,
    "verify_timeout": 5,
    "verify_status": [200],
    "verify_validate_certs": True,
}


class FakeHost:
    """Stands in for update (options validated into Params): answers per dest, and records every call
    (src, dest, backup)."""

    def __init__(self, answers: dict[str, dict[str, Any]] | None = None) -> None:
        self.answers = answers or {}
        self.calls: list[tuple[str, str, bool]] = []

    def __call__(self, p: Any, runner: Any, **kw: Any) -> dict[str, Any]:
        spec = {"src": p.src, "dest": p.dest}
        self.calls.append((p.src, p.dest, p.backup))
        if spec["src"].endswith(".bak"):
            return {"changed": True, "method": "unload", "outage_seconds": 0.5, "msg": "restored"}
        base = {
            "changed": True,
            "method": "unload",
            "isolation": "out_of_process",
            "outage_seconds": 1.0,
            "backup_file": spec["dest"] + ".20261130.bak",
            "rolled_back": False,
            "old": {"size": 1},
            "new": {"size": 2},
            "msg": f"replaced {spec['dest']}",
        }
        return {**base, **self.answers.get(spec["dest"], {})}


class Pages:
    """A web site that answers from a list, one answer per request."""

    def __init__(self, *answers: tuple[int | None, str]) -> None:
        self.answers = list(answers)
        self.asked: list[str] = []

    def __call__(self, url: str, timeout: int, validate_certs: bool) -> tuple[int | None, str, str | None]:
        self.asked.append(url)
        status, body = self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]
        return status, body, None if status else "connection refused"


def one_by_one(host: FakeHost) -> Any:
    """grouping.update_all with ``host`` standing in for each component's update: in order, the first failure
    ends the list (the grouping itself is tested in test_grouping.py and against the lab)."""

    def update_all(wants: list[Any], runner: Any, **kw: Any) -> list[dict[str, Any]]:
        out = []
        for p in wants:
            out.append(host(p, runner, **kw))
            if out[-1].get("failed"):
                break
        return out

    return update_all


def run(params: dict[str, Any], host: FakeHost, pages: Pages | None = None, **kw: Any) -> dict[str, Any]:
    slept: list[float] = []
    rollout.update_all = one_by_one(host)  # type: ignore[assignment]
    try:
        return rollout.run_rollout(
            {**BASE, **params}, runner=None, fetch=pages or Pages((200, "")), sleep=slept.append, **kw
        )
    finally:
        rollout.update_all = ORIGINAL


ORIGINAL = rollout.update_all


# -- judge and verify_url ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "body", "ok", "why"),
    [
        (200, "component=ShopCart version=2.0.0.0", True, "answered 200 and matched"),
        (200, "component=ShopCart version=1.0.0.0", False, "without a match"),
        (500, "Server object error 'ASP 0177 : 800401f3'", False, "answered 500"),
        (None, "", False, "no answer (refused)"),
    ],
)
def test_judge(status, body, ok, why):
    got, text = judge(Check("http://web01/Shop/", r"version=2\.0\.0\.0"), status, body, "refused")
    assert got is ok and why in text


def test_verify_retries_until_the_page_passes_and_says_how_often():
    pages = Pages((503, "busy"), (200, "version=1.0"), (200, "version=2.0"))
    slept: list[float] = []
    res = verify_url(
        Check("http://h/", r"version=2"),
        retries=5,
        delay=2,
        timeout=1,
        validate_certs=True,
        fetch=pages,
        sleep=slept.append,
    )
    assert res["ok"] and res["attempts"] == 3 and slept == [2, 2]
    assert res["msg"] == "http://h/ answered 200 and matched 'version=2' after 3 attempts"


def test_a_refused_connection_fails_after_one_retry_and_says_what_to_set():
    def refused(url, timeout, certs):
        return None, "", "URLError: [Errno 111] Connection refused"

    slept: list[float] = []
    res = verify_url(
        Check("http://web01:8080/Shop/", "x"),
        retries=10,
        delay=3,
        timeout=1,
        validate_certs=True,
        fetch=refused,
        sleep=slept.append,
    )
    assert not res["ok"] and res["attempts"] == 2 and slept == [3]
    assert "nothing listens at web01:8080" in res["msg"] and "component_update_health_base_url" in res["msg"]


def test_verify_gives_up_after_the_retries_with_the_last_answer():
    res = verify_url(
        Check("http://h/", "x"),
        retries=1,
        delay=0,
        timeout=1,
        validate_certs=True,
        fetch=Pages((200, "y" * 5000)),
        sleep=lambda s: None,
    )
    assert not res["ok"] and res["attempts"] == 2 and len(res["body"]) == 2048


@pytest.mark.parametrize(
    ("url", "expect", "statuses", "name"),
    [
        ("web01/Shop/", None, [200], "verify_url"),
        ("http://h/", "(", [200], "verify_expect"),
        ("http://h/", None, [42], "verify_status"),
    ],
)
def test_bad_verify_input_is_refused(url, expect, statuses, name):
    with pytest.raises(InputError) as err:
        Check.make(url, expect, statuses)
    assert err.value.name == name


def binding(address="*", port=80, host_header="", protocol="http"):
    return {"protocol": protocol, "address": address, "port": port, "host_header": host_header}


def test_a_path_is_checked_on_the_sites_binding():
    check = Check.make("/Shop/", None, [200])
    on = check.on_site
    assert on([binding(port=8080)], "web01.example").url == "http://web01.example:8080/Shop/"  # every address
    assert on([binding("10.0.0.9", 81)], "web01").url == "http://10.0.0.9:81/Shop/"  # one address: that address
    # port 80 needs no port; a binding for every host name before one for a name; HTTPS last
    found = [binding(host_header="shop.example"), binding("*", 443, protocol="https"), binding()]
    assert on(found, "web01").url == "http://web01/Shop/"
    assert on([binding(port=8000, host_header="shop.example")], "web01").url == "http://shop.example:8000/Shop/"
    assert on([binding(port=443, protocol="https")], "web01").url == "https://web01/Shop/"
    assert on([], "web01").url == on(None, "web01").url == "http://web01/Shop/"  # no binding read: the host
    assert Check.make("http://lb:9/Shop/", None, [200]).on_site([binding(port=8080)], "web01").url == (
        "http://lb:9/Shop/"  # a URL stays as it is
    )
    assert Check.make("/", None, [200]).on_site([binding(port=8080)], "web01").url == "http://web01:8080/"


@pytest.mark.parametrize("url", ["//evil.example/", "Shop/", "/ Shop", ""])
def test_what_is_neither_a_url_nor_a_path_is_refused(url):
    with pytest.raises(InputError) as err:
        Check.make(url, None, [200])
    assert err.value.name == "verify_url"


# -- the rollout -------------------------------------------------------------------------------------------


def test_single_component_keeps_the_flat_result_and_adds_the_proof():
    res = run(
        {**A, "verify_url": "http://h/Shop/", "verify_expect": "version=2"}, FakeHost(), Pages((200, "version=2"))
    )
    assert res["method"] == "unload" and res["dest"] == A["dest"] and res["dest_holds"] == "new"
    assert res["verify"][0]["ok"] and "verified: http://h/Shop/ answered 200" in res["msg"]
    assert "components" not in res and not res.get("failed")


def test_components_take_the_task_options_and_run_in_order_over_one_connection():
    host = FakeHost()
    res = run({"components": [A, {**B, "backup": False}]}, host)
    assert host.calls == [(A["src"], A["dest"], True), (B["src"], B["dest"], False)]
    assert res["changed"] and res["method"] == "unload" and res["outage_seconds"] == 2.0
    assert [c["dest"] for c in res["components"]] == [A["dest"], B["dest"]]


def test_every_component_is_checked_before_the_first_one_runs():
    host = FakeHost()
    res = run({"components": [A, {**B, "dest": "relative\\B.dll"}]}, host)
    assert res["failed"] and res["step"] == "validate" and "components[1].dest: " in res["msg"]
    assert host.calls == []
    same = run({"components": [A, {**B, "dest": A["dest"].upper()}]}, host)
    assert "is also the dest of components[0]" in same["msg"] and host.calls == []


def test_a_failed_component_stops_the_list_and_the_ones_before_are_rolled_back():
    host = FakeHost({B["dest"]: {"failed": True, "step": "swap", "rolled_back": True, "msg": "swap failed"}})
    res = run({"components": [A, B, {**B, "dest": "C:\\x\\C.dll"}]}, host)
    assert res["failed"] and res["step"] == "swap" and res["rolled_back"]
    assert host.calls[-1] == (A["dest"] + ".20261130.bak", A["dest"], False)  # A put back from its backup
    assert len(res["components"]) == 2  # C never ran
    a, b = res["components"]
    assert (a["rolled_back_by"], a["dest_holds"]) == ("rollback", "old")
    assert (b["rolled_back_by"], b["dest_holds"]) == ("module", "old")
    assert res["msg"].startswith(f"components[1] ({B['dest']}): swap failed; rolled back")


def test_a_page_that_never_shows_the_new_version_puts_every_replaced_dll_back_newest_first():
    host = FakeHost()
    pages = Pages((200, "version=1"))
    res = run({"components": [A, B], "verify_url": "http://h/Shop/", "verify_expect": "version=2"}, host, pages)
    assert res["failed"] and res["step"] == "verify" and res["rolled_back"]
    assert [c[1] for c in host.calls[2:]] == [B["dest"], A["dest"]]
    assert pages.asked.count("http://h/Shop/") == 3 + 1  # first try + 2 retries, then the read after the rollback
    assert res["served_after_failure"][0]["body"] == "version=1"
    assert res["outage_seconds"] == 3.0  # two updates, two rollbacks of 0.5 s
    assert res["msg"].startswith("verify failed: http://h/Shop/ answered 200 without a match")


def test_no_rollback_when_turned_off_or_without_a_backup():
    off = run(
        {"components": [A], "verify_url": "http://h/", "verify_expect": "v2", "rollback": False},
        FakeHost(),
        Pages((200, "v1")),
    )
    assert off["failed"] and not off["rolled_back"] and off["components"][0]["dest_holds"] == "new"
    nobackup = FakeHost({A["dest"]: {"backup_file": None}})
    res = run({**A, "verify_url": "http://h/", "verify_expect": "v2"}, nobackup, Pages((200, "v1")))
    assert "no backup to roll back" in res["msg"] and len(nobackup.calls) == 1


def test_an_unreachable_host_is_not_rolled_back():
    host = FakeHost(
        {B["dest"]: {"failed": True, "step": "connect", "error_kind": "unreachable", "msg": "cannot reach"}}
    )
    res = run({"components": [A, B]}, host)
    assert res["error_kind"] == "unreachable" and len(host.calls) == 2
    assert "could not be reached, so nothing was rolled back" in res["msg"]
    assert res["components"][1]["dest_holds"] == "-"


def test_check_mode_neither_verifies_nor_rolls_back():
    pages = Pages((200, "v1"))
    res = run(
        {"components": [A, B], "verify_url": "http://h/", "verify_expect": "v2"}, FakeHost(), pages, check_mode=True
    )
    assert "verify" not in res and pages.asked == [] and not res.get("failed")
    assert [c["dest_holds"] for c in res["components"]] == ["old", "old"]


def test_a_path_to_verify_is_fetched_on_the_binding_each_component_read():
    """verify_url as a path (the component_update role's default health check): the page is fetched on the site's
    binding the update read on the host, at the address the module connects to, and the result names the URL."""
    host = FakeHost({A["dest"]: {"bindings": [binding(port=8080)]}, B["dest"]: {"bindings": []}})
    pages = Pages((200, "version=2"))
    slept: list[float] = []
    rollout.update_all = one_by_one(host)  # type: ignore[assignment]
    try:
        res = rollout.run_rollout(
            {**BASE, "components": [A, B], "verify_url": "/Shop/"},
            runner=type("Runner", (), {"options": type("Options", (), {"host": "web01.example"})})(),
            fetch=pages,
            sleep=slept.append,
        )
    finally:
        rollout.update_all = ORIGINAL
    assert not res.get("failed"), res["msg"]
    assert [c["verify_url"] for c in res["components"]] == [
        "http://web01.example:8080/Shop/",
        "http://web01.example/Shop/",
    ]
    assert pages.asked == ["http://web01.example:8080/Shop/", "http://web01.example/Shop/"]
