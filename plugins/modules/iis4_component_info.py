#!/usr/bin/python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Tell what runs where on an IIS host, and what an update of a COM DLL would stop, without changing anything."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: iis4_component_info
short_description: Tell how classic ASP applications run on IIS 4.0 to 10 and what updating a COM DLL would stop
version_added: 1.2.0
description:
  - Reads an IIS host over WinRM and a cmd shell, with cmd.exe only (no PowerShell), and changes nothing on it
    (see RV(commands) for every line it sent).
  - Tells the host's Windows and IIS version and isolation mode (RV(host)) and every web application with the
    way it runs (RV(applications)) - in-process (C(inetinfo.exe)), isolated (its own C(mtx.exe) or
    C(dllhost.exe), with its COM+ application on IIS 5), pooled (IIS 5 C(AppIsolated) 2, the COM+ application
    C(IIS Out-Of-Process Pooled Applications)) or in an application pool (IIS 6 worker process isolation and
    IIS 7 and later, with the pool's state).
  - For each DLL named in O(dest) or O(components) (RV(components)) - its size and time, its file version where
    the host has a tool that tells (C(filever.exe) of the Support Tools, or C(wmic)), the backups
    M(legacy_iis.iis4.iis4_component) left beside it (C(<name>.<UTC yyyymmddhhmmss>.bak)), the state record of
    an interrupted update, the processes that have it loaded (C(tlist) or C(tasklist), where the host has one),
    the MTS package or COM+ application that registers it, and the release strategy and blast radius an update
    with the same O(site) and O(application) would have, computed by the update module's own plan.
  - Without O(dest) or O(components) only the host and its applications are read; an ad-hoc run over a fleet so
    gives an inventory of what runs where.
  - To read the MTS/COM+ catalog the module writes a small VBScript to the host's temporary folder (C(%TEMP%)),
    runs it with C(cscript) and deletes it in the same command line - the only file it writes, never beside a
    DLL; O(catalog=false) skips that, and the package is then not known.
  - Nothing is stopped, unloaded, recycled, copied, registered or set in the metabase, in check mode or not;
    RV(changed) is always false.
extends_documentation_fragment:
  - legacy_iis.iis4.winrm
author:
  - legacy_iis.iis4 maintainers (@legacy_iis)
requirements:
  - pywinrm >= 0.5.0 on the controller (or on the host that runs the module directly)
  - pyspnego >= 0.12 for NTLM with message encryption
options:
  dest:
    description:
      - Paths on the IIS host of the DLLs to tell about (absolute Windows paths, as
        O(legacy_iis.iis4.iis4_component#module:dest)).
      - The release strategy of each is worked out for O(site) and O(application).
    type: list
    elements: str
  site:
    description:
      - The web site whose applications load the DLLs, by its description or instance number, for the release
        strategy of O(dest).
    type: str
    default: Default Web Site
  application:
    description:
      - The application paths of O(site) whose pages load the DLLs of O(dest), for their release strategy.
    type: list
    elements: str
    default: ['/']
    aliases: [applications]
  components:
    description:
      - DLLs with their own site and applications (the keys an entry of
        O(legacy_iis.iis4.iis4_component#module:components) uses; other keys are not accepted).
    type: list
    elements: dict
    suboptions:
      dest:
        description: Path on the IIS host of the DLL.
        type: str
        required: true
      site:
        description: Its web site (default O(site)).
        type: str
      application:
        description: Its application paths (default O(application)).
        type: list
        elements: str
        aliases: [applications]
  catalog:
    description:
      - Read the MTS/COM+ catalog to find the package that registers each DLL (only when DLLs are named). This
        writes a small script to the host's temporary folder and deletes it in the same command line.
    type: bool
    default: true
  adsutil_path:
    description:
      - Path on the host of C(adsutil.vbs). Left at its default, it is looked for where IIS 4.0 and where IIS 5.0
        to 6.0 keep it.
    type: str
    default: C:\WINNT\system32\inetsrv\adminsamples\adsutil.vbs
  timeout:
    description: How long the host may take; each command line may run three times this many seconds plus 30.
    type: int
    default: 120
  cmdline_limit:
    description:
      - The longest command line the host's cmd.exe takes. Default 2047 (NT 4.0 and 2000), 8191 once C(ver)
        shows XP or later.
    type: int
attributes:
  action:
    support: full
    description: The logic runs on the controller in the collection's action plugin, which also serves ad-hoc runs.
  async:
    support: none
    description: The run keeps one WinRS shell.
  become:
    support: none
    description: The WinRM account itself needs the rights to read the metabase (administrator on the host).
  bypass_host_loop:
    support: none
    description: Runs once per host.
  check_mode:
    support: full
    description: The module never changes anything, so it runs the same way in check mode.
  diff_mode:
    support: none
    description: Nothing changes, so there is no difference to show.
  platform:
    description: Targets Windows hosts with IIS 4.0 to 10 (NT 4.0 to Server 2019), reached over WinRM to a cmd shell.
    support: full
    platforms: windows
notes:
  - Plays that target NT 4.0 hosts must set C(gather_facts=false); fact gathering needs PowerShell.
  - The file version needs C(filever.exe) (NT 4.0 to 2003 Support Tools) or C(wmic) (XP and later); without them
    RV(components[].version) is null. Which processes hold a DLL needs C(tlist.exe) (Resource Kit) or
    C(tasklist.exe) (XP and later); without them RV(components[].holders) is null.
seealso:
  - module: legacy_iis.iis4.iis4_component
"""

EXAMPLES = r"""
- name: What would an update of the shopping cart stop on each host?
  legacy_iis.iis4.iis4_component_info:
    dest: ['C:\InetPub\shop\bin\ShopCart.dll']
    application: [/Shop]
  register: cart

- name: Show the release of each host
  ansible.builtin.debug:
    msg: "{{ cart.components[0].method }}: {{ cart.components[0].release }}"

- name: Several DLLs, each with its own applications
  legacy_iis.iis4.iis4_component_info:
    components:
      - dest: 'C:\InetPub\shop\bin\ShopCart.dll'
        application: [/Shop]
      - dest: 'C:\InetPub\orders\bin\Orders.dll'
        site: Orders
        application: [/]

- name: Only the host and its applications, without writing the catalog script
  legacy_iis.iis4.iis4_component_info:
    catalog: false

# An inventory of a fleet, ad hoc:
#   ansible iis_hosts -m legacy_iis.iis4.iis4_component_info \
#     -a 'dest=C:/InetPub/shop/bin/ShopCart.dll application=/Shop'
"""

RETURN = r"""
changed:
  description: Always false; the module changes nothing.
  returned: always
  type: bool
  sample: false
host:
  description: The host.
  returned: success
  type: dict
  sample: {"windows": "Windows Server 2003", "windows_version": "5.2.3790", "iis_version": "6.0",
           "isolation_mode": "worker_process", "services_running": ["IISADMIN", "W3SVC"], "catalog": "complus"}
  contains:
    windows:
      description: The Windows it runs, from C(ver).
      type: str
      sample: Windows Server 2003
    windows_version:
      description: Its version as C(ver) prints it (null when C(ver) printed none).
      type: str
      sample: 5.2.3790
    iis_version:
      description: The IIS version that Windows ships.
      type: str
      sample: "6.0"
    isolation_mode:
      description: V(iis4), V(iis5) (also IIS 6 in IIS 5 isolation mode) or V(worker_process).
      type: str
      sample: worker_process
    services_running:
      description: The IIS services running now.
      type: list
      elements: str
      sample: [IISADMIN, W3SVC]
    dependants_running:
      description: Running services outside IIS that depend on IIS Admin (an in-process update stops them too).
      type: list
      elements: str
      sample: []
    sc_available:
      description: Whether C(sc.exe) is there.
      type: bool
      sample: true
    adsutil:
      description: The C(adsutil.vbs) the metabase was read with (null on IIS 7 and later without it).
      type: str
      sample: C:\Inetpub\AdminScripts\adsutil.vbs
    metabase_error:
      description: Why the metabase could not be read (null when it was).
      type: str
      sample: null
    catalog:
      description: V(mts), V(complus), or null (no catalog, not read, or no DLL named).
      type: str
      sample: complus
    catalog_error:
      description: Why the catalog could not be read (null when it was or was not asked).
      type: str
      sample: null
    mtxstop:
      description: Whether C(mtxstop.exe) is installed (null when the catalog was not read).
      type: bool
      sample: false
applications:
  description: Every web application of the host (application root), with the way it runs.
  returned: success
  type: list
  elements: dict
  sample: [{"site": 1, "site_name": "Default Web Site", "path": "/Shop", "runs": "app_pool", "process": "w3wp.exe",
            "app_pool": "ShopPool", "app_pool_state": "Started"}]
  contains:
    site:
      description: The site's instance number (null on IIS 7 and later when C(appcmd list site) did not tell it).
      type: int
      sample: 1
    site_name:
      description: The site's description.
      type: str
      sample: Default Web Site
    bindings:
      description:
        - Where the site answers (C(ServerBindings)/C(SecureBindings) of the metabase, or the bindings of C(appcmd
          list site)), as in RV(legacy_iis.iis4.iis4_component#module:bindings) of the update module.
      type: list
      elements: dict
      sample: [{"protocol": "http", "address": "*", "port": 8080, "host_header": ""}]
    path:
      description: The application path in its site.
      type: str
      sample: /Shop
    metabase_path:
      description: Its metabase key (null on IIS 7 and later read through C(appcmd)).
      type: str
      sample: /LM/W3SVC/1/ROOT/Shop
    friendly_name:
      description: C(AppFriendlyName).
      type: str
      sample: Shop
    app_isolated:
      description: C(AppIsolated) (0 in-process, 1 isolated, 2 pooled), null when read through C(appcmd).
      type: int
      sample: 1
    runs:
      description: V(in_process), V(isolated), V(pooled) or V(app_pool).
      type: str
      sample: app_pool
    process:
      description: The kind of process it runs in.
      type: str
      sample: w3wp.exe
    app_pool:
      description: Its application pool (V(app_pool) only).
      type: str
      sample: ShopPool
    app_pool_state:
      description: The pool's state, V(Started), V(Stopped), ... (V(app_pool) only).
      type: str
      sample: Started
    package:
      description: The COM+ application it runs in on IIS 5 (C(name) and C(id); C(id) is null for the pooled one).
      type: dict
      sample: {"name": "IIS Out-Of-Process Pooled Applications", "id": null}
components:
  description: One entry per DLL of O(dest) or O(components), in their order (empty when none was named).
  returned: success
  type: list
  elements: dict
  sample: [{"dest": "C:\\InetPub\\shop\\bin\\ShopCart.dll", "exists": true, "size": 24576, "method": "pool_restart"}]
  contains:
    dest:
      description: The DLL's path.
      type: str
      sample: C:\InetPub\shop\bin\ShopCart.dll
    exists:
      description: Whether it exists.
      type: bool
      sample: true
    size:
      description: Its size in bytes (null when absent).
      type: int
      sample: 24576
    modified:
      description: Its time as C(dir) shows it (local time of the host).
      type: str
      sample: "2024-03-01T09:30:00"
    readonly:
      description: Whether it has the read-only attribute.
      type: bool
      sample: false
    version:
      description: Its file version, where the host can tell (null otherwise).
      type: str
      sample: 1.0.0.0
    version_source:
      description: The tool that told the version (V(filever) or V(wmic)), or null.
      type: str
      sample: null
    backups:
      description: The backups the update left beside it, oldest first, each with C(path), C(made) (the UTC time
        in its name), C(size) and C(modified).
      type: list
      elements: dict
      sample: [{"path": "C:\\InetPub\\shop\\bin\\ShopCart.dll.20240301093000.bak", "made": "2024-03-01T09:30:00Z",
                "size": 24576, "modified": "2024-02-01T10:00:00"}]
    interrupted_run:
      description: The state record an interrupted update left beside it (the next update recovers first), or null.
      type: dict
      sample: null
    holders:
      description: The processes that have it loaded (C(pid), C(image), C(what)); null when the host has neither
        C(tlist) nor C(tasklist).
      type: list
      elements: dict
      sample: [{"pid": 216, "image": "w3wp.exe", "what": "IIS worker process (an application pool)"}]
    holders_tool:
      description: V(tlist), V(tasklist) or null.
      type: str
      sample: tasklist
    package:
      description: The MTS package or COM+ application that registers it (C(id), C(name), C(activation), ...), or null.
      type: dict
      sample: null
    site:
      description: The site of the applications the release is worked out for (0 on IIS 7 and later when
        C(appcmd list site) did not tell its number; null on error).
      type: int
      sample: 1
    bindings:
      description: Where that site answers, as RV(legacy_iis.iis4.iis4_component#module:bindings) of the update module.
      type: list
      elements: dict
      sample: [{"protocol": "http", "address": "*", "port": 8080, "host_header": ""}]
    applications:
      description: Those applications, as the update module reports them.
      type: list
      elements: dict
      sample: [{"path": "/Shop", "site": 1, "metabase_path": "/LM/W3SVC/1/ROOT/Shop", "isolation": "in_process"}]
    isolation:
      description: V(in_process), V(out_of_process) or V(worker_process).
      type: str
      sample: in_process
    method:
      description: The release strategy an update would use, as the update module's
        RV(legacy_iis.iis4.iis4_component#module:method) (V(service_restart), V(unload), V(package_shutdown),
        V(mtxstop), V(pool_restart), V(copy)); null on error.
      type: str
      sample: pool_restart
    release:
      description: What an update would stop, swap and start, in one sentence.
      type: str
      sample: "an update would stop the application pool(s) ShopPool, swap C:\\Shop\\ShopCart.dll and start them again"
    blast_radius:
      description: What an update would take down, as the update module's
        RV(legacy_iis.iis4.iis4_component#module:blast_radius).
      type: dict
      sample: {"process": "w3wp.exe", "pools": ["ShopPool"], "applications": [], "services": []}
    services_stopped:
      description: The services an in-process update would stop (empty for the other strategies).
      type: list
      elements: str
      sample: [W3SVC, IISADMIN]
    services_started:
      description: The services it would start again, in order.
      type: list
      elements: str
      sample: [IISADMIN, W3SVC]
    error:
      description: Why the release could not be worked out (no such folder, site or application), or null.
      type: str
      sample: null
commands:
  description: Every command line the module sent to the host, in order (all of them read-only).
  returned: success
  type: list
  elements: str
  sample: ["echo @@net&net start 2>&1&echo @@sc_IISADMIN&sc qc IISADMIN 2>&1"]
error_kind:
  description: On a failure to connect, what kind it was (V(unreachable), V(auth), V(certificate), ...).
  returned: on failure to connect
  type: str
  sample: auth
step:
  description: On failure, the step that failed (validate, connect, gather, catalog).
  returned: on failure
  type: str
  sample: gather
msg:
  description: The host and each DLL's release strategy, in one line.
  returned: always
  type: str
  sample: "Windows Server 2003, IIS 6.0 (worker_process): 3 application(s), 1 DLL(s): C:\\Shop\\Cart.dll: pool_restart"
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.direct import run_directly  # noqa: E402
from ansible_collections.legacy_iis.iis4.plugins.module_utils.info import (  # noqa: E402
    INFO_FULL_SPEC,
    INFO_SPEC_KWARGS,
    run_info,
)


def main() -> None:
    module = AnsibleModule(argument_spec=INFO_FULL_SPEC, **INFO_SPEC_KWARGS, supports_check_mode=True)
    run_directly(module, lambda runner: run_info(module.params, runner), changed=False)


if __name__ == "__main__":
    main()
