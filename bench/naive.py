"""The baseline: KB Q315663 done the way an administrator would script it with pywinrm.

One ``winrm.Session(...).run_cmd(command, args)`` per step, each in a shell of its own, which is what
``run_cmd`` does.  Nothing is made worse on purpose:

1. Is the application isolated?  ``adsutil GET <path>/AppIsolated``; when the property is not set at
   that key (it is inherited), ask the parent key, up to ``W3SVC``.  One command for an application root.
2. Isolated (AppIsolated 1): ``adsutil APPUNLOAD <path>`` then ``copy /y <src> <dest>``.  W3SVC keeps running.
3. In-process (AppIsolated 0): ``net stop iisadmin /y``, ``copy /y <src> <dest>``, ``net start iisadmin``,
   ``net start w3svc``, then ``net start`` for each other IIS service the administrator knows is installed
   (``--also-start MSFTPSVC,SMTPSVC``; the KB's troubleshooting section).  If the copy fails, the services are
   started again all the same.

It has no idempotence check (a rerun restarts IIS again), no verification beyond the exit codes and no
recovery: that is the point of comparison, not a flaw added for the benchmark.

    NAIVE_WINRM_PASSWORD=... python -m bench.naive --endpoint http://host:5985/wsman --user Administrator \\
        --src 'C:\\Staging\\ShopCart.dll' --dest 'C:\\InetPub\\shop\\bin\\ShopCart.dll' \\
        --metabase-path W3SVC/1/ROOT/Shop [--also-start MSFTPSVC,SMTPSVC]

Prints one JSON object: ``{"isolated", "steps": [{"command", "rc", "seconds"}], "ok", "seconds"}``.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from typing import Any

ADSUTIL = "C:\\WINNT\\system32\\inetsrv\\adminsamples\\adsutil.vbs"
_VALUE = re.compile(r"^AppIsolated\s*:\s*\([^)]*\)\s*(\S+)", re.IGNORECASE | re.MULTILINE)


def parse_app_isolated(stdout: str) -> int | None:
    """The AppIsolated value from ``adsutil GET`` output, or None when it is not set at that key."""
    match = _VALUE.search(stdout)
    if not match:
        return None
    value = match.group(1).strip('"')
    if value.lower() in ("true", "false"):
        return int(value.lower() == "true")
    try:
        return int(value)
    except ValueError:
        return None


def parent_path(path: str) -> str | None:
    """``W3SVC/1/ROOT/Shop`` -> ``W3SVC/1/ROOT``; None above ``W3SVC``."""
    parts = [p for p in path.strip("/").split("/") if p]
    return "/".join(parts[:-1]) if len(parts) > 1 else None


class NaiveUpdate:
    def __init__(self, endpoint: str, user: str, password: str) -> None:
        import winrm

        self.session = winrm.Session(endpoint, auth=(user, password), transport="ntlm")
        self.steps: list[dict[str, Any]] = []

    def run(self, command: str, args: list[str]) -> tuple[int, str]:
        started = time.monotonic()
        result = self.session.run_cmd(command, args)
        out = result.std_out.decode("cp437", errors="replace")
        self.steps.append(
            {"command": " ".join([command, *args]), "rc": result.status_code, "seconds": time.monotonic() - started}
        )
        return result.status_code, out

    def is_isolated(self, metabase_path: str) -> bool:
        path: str | None = metabase_path
        while path:
            rc, out = self.run("cscript", ["//nologo", ADSUTIL, "GET", f"{path}/AppIsolated"])
            value = parse_app_isolated(out) if rc == 0 else None
            if value is not None:
                return value != 0
            path = parent_path(path)
        return False  # /LM/W3SVC itself is the in-process application

    def update(self, src: str, dest: str, metabase_path: str, also_start: list[str]) -> dict[str, Any]:
        started = time.monotonic()
        isolated = self.is_isolated(metabase_path)
        if isolated:
            rc_unload = self.run("cscript", ["//nologo", ADSUTIL, "APPUNLOAD", metabase_path])[0]
            rc_copy = self.run("copy", ["/y", src, dest])[0]
            ok = rc_unload == 0 and rc_copy == 0
        else:
            rc_stop = self.run("net", ["stop", "iisadmin", "/y"])[0]
            rc_copy = self.run("copy", ["/y", src, dest])[0] if rc_stop == 0 else 1
            rcs = [self.run("net", ["start", name])[0] for name in ["iisadmin", "w3svc", *also_start]]
            ok = rc_stop == 0 and rc_copy == 0 and not any(rcs)
        return {"isolated": isolated, "steps": self.steps, "ok": ok, "seconds": time.monotonic() - started}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", maxsplit=1)[0])
    parser.add_argument("--endpoint", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--src", required=True)
    parser.add_argument("--dest", required=True)
    parser.add_argument("--metabase-path", required=True)
    parser.add_argument("--also-start", default="", help="comma-separated IIS services to start after W3SVC")
    opts = parser.parse_args(argv)
    password = os.environ.get("NAIVE_WINRM_PASSWORD")
    if password is None:
        parser.error("set NAIVE_WINRM_PASSWORD")
    also = [s.strip().lower() for s in opts.also_start.split(",") if s.strip()]
    result = NaiveUpdate(opts.endpoint, opts.user, password).update(opts.src, opts.dest, opts.metabase_path, also)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0 if result["ok"] else 1


if __name__ == "__main__":
    sys.exit(main())
