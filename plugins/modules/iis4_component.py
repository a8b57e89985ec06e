#!/usr/bin/python
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Replace a COM DLL used by ASP applications on an IIS 4.0 host with the least outage."""

from __future__ import annotations

DOCUMENTATION = r"""
---
module: iis4_component
short_description: Replace a COM DLL used by classic ASP applications on IIS 4.0 to 10 with the least outage
version_added: 1.0.0
description:
  - Follows Microsoft KB Q315663 (Update DLLs used by ASP in IIS 4.0) on Windows NT 4.0 hosts, and the same job
    with the least outage each allows on the IIS versions after it (5.0, 5.1, 6.0 in both isolation modes, 7 and
    later), told apart by C(ver), the metabase and C(appcmd); see RV(iis_version) and RV(isolation_mode).
  - On IIS 5 a pooled application (AppIsolated 2) is freed by shutting down the COM+ application
    C(IIS Out-Of-Process Pooled Applications) (every pooled application restarts); an isolated one (1) is
    unloaded; an in-process one (0) needs IIS stopped. On IIS 6 in worker process isolation and on IIS 7 and
    later the application's pool is stopped and started again (adsutil C(AppPoolCommand), or C(appcmd)), and
    W3SVC and every other pool keep serving.
  - Detects from the metabase whether each application runs in-process (inside C(inetinfo.exe)) or isolated
    (in its own C(mtx.exe)), by finding the nearest application root at or above the application path and
    reading C(AppIsolated) with inheritance.
  - Isolated applications are unloaded (adsutil C(APPUNLOAD)) and the DLL is swapped while W3SVC keeps running.
    If unloading does not release the file and O(unload_fallback=true), the module falls back to the in-process
    procedure.
  - In-process applications need C(net stop iisadmin /y), the swap, then C(net start) of IIS Admin and of exactly
    the services that were running before (W3SVC, FTP, SMTP, NNTP). That sequence is sent to the host as one
    command line (or one batch file), so no network round trip sits inside the outage and a dropped connection
    or a killed controller cannot leave IIS stopped.
  - Idempotent. When O(dest) already equals O(src) byte for byte (C(fc /b)) nothing is stopped, also when O(dest) is
    read-only. A first deploy (O(dest) does not exist yet) copies the DLL into place without stopping anything.
  - A read-only O(dest) (files copied from a CD) has its read-only attribute cleared (C(attrib -r)) before the swap.
  - When the DLL belongs to an MTS server package (NT 4 Option Pack) or a COM+ server application, found in the
    catalog by its DLL path, only that package is shut down (C(ShutdownPackage) / C(ShutdownApplication) from a
    small VBScript run with C(cscript)) and W3SVC keeps running. Where the catalog refuses, or cannot be read on
    an MTS host, C(mtxstop.exe) shuts down every MTS server package. If the DLL is still loaded afterwards (an
    application also loads it itself), the IIS procedure of the applications follows. Library packages live in
    IIS's processes, so the IIS rules apply to them.
  - Where the host has C(tlist) (NT 4 / 2000 Resource Kit) or C(tasklist) (XP and later), the processes that have
    the DLL loaded are named in check mode (RV(holders)) and in failure messages. When only programs outside
    IIS hold it, the run fails before anything is stopped.
  - Before the outage a state record is written beside O(dest). A later run that finds one first puts the host
    back in order (restores the DLL, restarts the recorded services) and says so in RV(recovered).
  - The host needs no PowerShell. The logic runs on the controller (action plugin) and talks WinRM to a WinRS
    C(cmd) shell, using the inventory's C(ansible_winrm_*) connection variables.
  - When the module is run directly (for example with C(delegate_to) to a Linux host that has pywinrm), pass the
    connection through the O(winrm_host) family of options instead.
  - Several DLLs can be updated in one task (O(components)), in order, over one connection. With O(verify_url) the
    task then fetches a page of the application from the controller until it answers with the new version, and
    when that never happens (or a later component fails) it puts back the DLLs it replaced, newest first, from
    their backups (O(rollback)). An ad-hoc run can so prove its own result.
extends_documentation_fragment:
  - legacy_iis.iis4.winrm
author:
  - legacy_iis.iis4 maintainers (@legacy_iis)
requirements:
  - pywinrm >= 0.5.0 on the controller (or on the host that runs the module directly)
  - pyspnego >= 0.12 for NTLM with message encryption
options:
  src:
    description:
      - Path on the IIS host of the new DLL, for example a staging folder (V(C:\\Staging\\ShopCart.dll)) or a UNC path
        (V(\\\\fileserver\\builds\\ShopCart.dll)).
      - Must be an absolute Windows path without cmd.exe metacharacters (C(& | ^ % ! " < > ( \))).
      - Required together with O(dest), unless O(components) is given or O(state=reverted) (which ignores it).
    type: str
  dest:
    description:
      - Path on the IIS host of the DLL in use, which is replaced.
      - Its folder must exist. A backup and a temporary staged copy are created beside it.
      - Required (with O(src) when O(state=present)), unless O(components) is given.
    type: str
  state:
    version_added: 1.2.0
    description:
      - V(present) puts O(src) in place of O(dest) (the update).
      - V(reverted) puts back the newest backup an update made for O(dest) (C(<name>.<UTC yyyymmddhhmmss>.bak)
        beside it, told apart by its stamp) with the same release strategy an update of that host would use (
        the least outage the host allows, the same check mode, recovery and verification). O(src) is ignored.
        RV(restored_backup) names the backup.
      - A revert is idempotent. A host whose O(dest) already has that backup's bytes changes nothing, so running
        the same revert again (or over a fleet where some hosts were never updated) is safe.
      - The DLL a revert replaces is kept beside O(dest) as C(<name>.<UTC yyyymmddhhmmss>.rev.bak) (with
        O(backup=true)); a later revert does not choose it and O(keep_backups) does not prune it; an update with it
        as O(src) undoes the revert. The backup restored stays where it is.
      - Without any backup beside O(dest) a revert fails (step C(revert)) before anything is stopped or changed.
    type: str
    choices: [present, reverted]
    default: present
  keep_gathered:
    version_added: 1.2.0
    description:
      - In check mode, return what the run read on the host as RV(gathered) (per component with O(components)), so
        that the update that follows can be given it as O(gathered) and does not read the host again. The
        component_update role's dry run sets it.
      - Ignored outside check mode.
    type: bool
    default: false
  preview:
    version_added: 1.2.0
    description:
      - In check mode, return RV(commands) (and RV(fallback_commands)), the lines an update would send, and
        RV(steps), the lines this run sent. V(false) leaves them out of a result that did not fail (the
        component_update role's dry run outside a check run, whose update plans again; every host's result passes
        through Ansible's result handling).
      - Ignored outside check mode.
    type: bool
    default: true
  gathered:
    version_added: 1.2.0
    description:
      - The RV(gathered) of a check-mode run of the same update with O(keep_gathered=true). The update then starts
        from what that dry run read (the gather line and the catalog step; one request pair and one WinRM command
        each, less) and sends everything else as usual. The release works on the files as they are then (the swap
        keeps whatever O(dest) holds as the backup).
      - It reads the host itself instead, silently, when the value is older than 15 minutes, names another O(src),
        O(dest) or O(adsutil_path), or is not such a value; and when the DLL's holders are only programs outside
        IIS (only the lock probe a dry run does not send tells a namesake from O(dest) itself).
      - Ignored in check mode.
    type: dict
  site:
    description:
      - The web site, by its description (C(ServerComment), as shown in the Internet Service Manager) or its
        instance number.
    type: str
    default: Default Web Site
  application:
    description:
      - One or more application paths of the site whose pages load the component, for example V(/Shop).
      - Each path must exist in the metabase. The spelling stored in the metabase is used for C(APPUNLOAD), which
        is case-sensitive on IIS 4 (KB Q246111).
    type: list
    elements: str
    default: ['/']
    aliases: [applications]
  isolation:
    description:
      - V(auto) detects it from the metabase. If any application is in-process the in-process procedure is used.
      - V(in_process) or V(out_of_process) force a procedure.
    type: str
    choices: [auto, in_process, out_of_process]
    default: auto
  backup:
    description:
      - Keep the old DLL beside O(dest) as C(<name>.<UTC timestamp>.bak). Its path is returned in RV(backup_file).
      - When O(dest) lies in a folder a web site serves, the result warns that the backups can be downloaded.
    type: bool
    default: true
  keep_backups:
    description:
      - How many C(<name>.<UTC timestamp>.bak) files to keep beside O(dest), the one this run makes included.
        Older ones are deleted when the new DLL is staged.
    type: int
    default: 3
  register_dll:
    version_added: 1.1.0
    description:
      - Register the new DLL with C(regsvr32 /s). If registration fails the old DLL is put back and registered
        again, and the task fails.
      - Where the host refuses to rename a loaded DLL at staging, registration runs after the services (or, on IIS
        6 and later, the application pools) have started again, so a C(DllRegisterServer) that never returns cannot
        keep IIS or a pool stopped; a failed registration then stops IIS (or the pools) once more for the swap back.
      - The alias C(register) is the option's first name; it reads like the task keyword of the same name, so
        prefer O(register_dll).
    type: bool
    default: false
    aliases: [register]
  restart_services:
    description:
      - Services to start after the swap in the in-process procedure.
      - V(auto) starts exactly the IIS services that were running before (IIS Admin first, then its dependants).
      - Otherwise a list of service names among C(IISADMIN), C(W3SVC), C(MSFTPSVC), C(SMTPSVC), C(NNTPSVC),
        C(WAS) (IIS 7 and later, where the full restart is C(net stop WAS /y)).
    type: list
    elements: str
    default: [auto]
  package_restart:
    description:
      - When the DLL belongs to an MTS server package or COM+ server application and the module shut it down,
        start the package again right after the swap by creating the component (C(CreateObject) of its ProgID
        from the catalog), so that the first request does not pay for the start and a new DLL that does not
        load shows up now. A start that fails is a warning (RV(package_started) false); the new DLL stays.
      - Without it the next call that uses the component starts the package.
    type: bool
    default: false
  unload_fallback:
    description:
      - When unloading isolated applications does not release the DLL, fall back to stopping IIS
        (C(net stop iisadmin /y)) and restarting it.
    type: bool
    default: true
  timeout:
    description:
      - Seconds a service may take to stop or start. The whole sequence is given three times this long before
        the module stops waiting for the host.
    type: int
    default: 120
  adsutil_path:
    description:
      - Path of C(adsutil.vbs) on the host. IIS 4 installs it in the admin samples folder.
    type: str
    default: 'C:\WINNT\system32\inetsrv\adminsamples\adsutil.vbs'
  cmdline_limit:
    description:
      - Longest command line the host's cmd.exe accepts. Longer sequences are written to a batch file on the host
        first.
      - When not given, 2047 (NT 4.0 and Windows 2000), or 8191 once C(ver) shows Windows XP or later.
    type: int
  verify_url:
    version_added: 1.1.0
    description:
      - After the update (also when nothing needed updating), fetch this URL from the controller until it answers
        with a status in O(verify_status) and, when O(verify_expect) is set, a body that matches it; at most
        O(verify_retries) more tries, O(verify_delay) seconds apart. Not in check mode.
      - When the page never passes, the task fails at step C(verify), and with O(rollback=true) the DLLs it
        replaced are put back (RV(rolled_back)) and the page is read once more (RV(served_after_failure)).
      - The request goes from where the logic runs (the controller, through the action plugin), with the usual
        proxy environment variables; it proves what a user of the site would see.
      - A path (V(/Shop/)) is checked on the site's own binding as the run reads it on the host (its first HTTP
        binding for every host name, then any HTTP binding, then HTTPS; the binding's host header as the name, or
        the address the module connects to for a binding on every address), or on C(http://) that address when
        the site has none; RV(verify_url) says which URL that was.
    type: str
  verify_expect:
    version_added: 1.1.0
    description:
      - A regular expression the body of O(verify_url) must contain, for example C(version=2\\.0\\.0\\.0).
        Without it, the status is enough.
    type: str
  verify_status:
    version_added: 1.1.0
    description: HTTP status codes that count as an answer.
    type: list
    elements: int
    default: [200]
  verify_retries:
    version_added: 1.1.0
    description: Further tries after the first one that fails.
    type: int
    default: 10
  verify_delay:
    version_added: 1.1.0
    description: Seconds between tries.
    type: int
    default: 3
  verify_timeout:
    version_added: 1.1.0
    description: Seconds one request may take.
    type: int
    default: 10
  verify_validate_certs:
    version_added: 1.1.0
    description: Check the TLS certificate of an C(https) O(verify_url).
    type: bool
    default: true
  rollback:
    version_added: 1.1.0
    description:
      - When a page does not pass its check, or a component of O(components) fails, put back every DLL this task
        replaced (newest first) from the backup it made, with the same procedure. A component whose own run
        failed is already handled by that run, which always puts the old DLL back itself when it can.
      - Needs O(backup=true); a component replaced without a backup is named in the message instead.
    type: bool
    default: true
  components:
    version_added: 1.1.0
    description:
      - Several DLLs to update in one task, over one connection. Every component is read and planned first, before
        anything on the host changes; a component that fails there stops the task with nothing changed.
      - Then the DLLs are released in groups, one outage per group (version 1.2.0 and later). Every DLL a full
        restart releases (in-process applications on IIS 4.0 and 5.0) shares ONE stop and start of IIS; every DLL
        of the same application pools (IIS 6.0 worker process isolation, IIS 7 and later) ONE stop and start of
        each pool; every DLL of the same isolated applications ONE unload of each; every DLL of the same MTS
        server package or COM+ server application ONE shutdown of it. The services stopped, the fallback and
        O(backup) and O(register) must agree too. Each DLL is staged, then one sequence releases them all, swaps
        every DLL, checks every one before the process comes back and, when any of them is not the new DLL, puts
        EVERY one back in that same outage. When a package's shutdown does not free every DLL (IIS loads one too),
        every DLL is put back and each then goes on alone. DLLs that already match their O(src) are left out (no
        outage when every one matches). The first group that fails stops the list; the components of later groups
        are left as they were (RV(skipped)).
      - A combined sequence longer than the host's command line (O(cmdline_limit)) runs from a batch file beside
        the first DLL, as any long sequence does. Each DLL's state record names every DLL of the outage, so a run
        interrupted while IIS is down is put back in order, every DLL at once, by the next run.
      - O(register) runs regsvr32 for each DLL once IIS runs again; a registration that fails puts that DLL back
        in a short outage of its own.
      - Each entry takes the per-DLL options below; an option an entry leaves out takes the task's own value (so
        O(site), O(timeout) or O(verify_expect) can be given once for all). Mutually exclusive with O(src) and
        O(dest).
      - The result then has one entry per component in RV(components), and a summary at the top.
    type: list
    elements: dict
    suboptions:
      src:
        description: As O(src); needed unless O(state=reverted).
        type: str
      dest:
        description: As O(dest).
        type: str
        required: true
      site:
        description: As O(site).
        type: str
      application:
        description: As O(application).
        type: list
        elements: str
        aliases: [applications]
      isolation:
        description: As O(isolation).
        type: str
        choices: [auto, in_process, out_of_process]
      backup:
        description: As O(backup).
        type: bool
      keep_backups:
        description: As O(keep_backups).
        type: int
      register_dll:
        description: As O(register_dll).
        type: bool
        aliases: [register]
      restart_services:
        description: As O(restart_services).
        type: list
        elements: str
      unload_fallback:
        description: As O(unload_fallback).
        type: bool
      package_restart:
        description: As O(package_restart).
        type: bool
      timeout:
        description: As O(timeout).
        type: int
      adsutil_path:
        description: As O(adsutil_path).
        type: str
      verify_url:
        description: As O(verify_url), for this component. Pages shared by several components are checked once.
        type: str
      verify_expect:
        description: As O(verify_expect), for this component.
        type: str
      gathered:
        description: As O(gathered), for this component (the dry run returns it in each entry of its RV(components)).
        type: dict
attributes:
  action:
    support: full
    description: The logic runs on the controller in the collection's action plugin, which also serves ad-hoc runs.
  async:
    support: none
    description: The run keeps one WinRS shell and sends its outage as one command line; it cannot be backgrounded.
  become:
    support: none
    description: The WinRM account itself needs the rights (administrator on the host).
  bypass_host_loop:
    support: none
    description: Runs once per host.
  check_mode:
    support: full
    description: Reads the host and reports what would be stopped and swapped, changing nothing.
  diff_mode:
    support: full
    description: Shows the size and date of the old and the new DLL.
  platform:
    description: Targets Windows hosts with IIS 4.0 to 10 (NT 4.0 to Server 2019), reached over WinRM to a cmd shell.
    support: full
    platforms: windows
notes:
  - Windows NT 4.0 had no WinRM of its own. The module speaks WinRM to a WinRS cmd shell; see the collection's
    documentation for how hosts are reached.
  - Plays that target NT 4.0 hosts must set C(gather_facts=false); fact gathering needs PowerShell.
seealso:
  - name: KB Q315663
    description: HOW TO Update DLLs Used by Active Server Pages in IIS 4.0.
    link: https://jeffpar.github.io/kbarchive/kb/315/Q315663/
"""

EXAMPLES = r"""
- name: Update the shopping cart component (isolation detected from the metabase)
  legacy_iis.iis4.iis4_component:
    src: C:\Staging\ShopCart.dll
    dest: C:\InetPub\shop\bin\ShopCart.dll
    site: Default Web Site
    application: /Shop

- name: See which outage an update would cause, changing nothing
  legacy_iis.iis4.iis4_component:
    src: C:\Staging\ShopCart.dll
    dest: C:\InetPub\shop\bin\ShopCart.dll
    application: [/Shop, /Checkout]
  check_mode: true
  register: prediction

- name: Update and register a DLL from a share, restarting only the web service afterwards
  legacy_iis.iis4.iis4_component:
    src: \\buildserver\drops\Orders.dll
    dest: C:\InetPub\orders\Orders.dll
    site: "2"
    application: /
    register_dll: true
    restart_services: [IISADMIN, W3SVC]

- name: Update two components of the shop and prove from the controller that the new version is served
  legacy_iis.iis4.iis4_component:
    site: Default Web Site
    components:
      - src: C:\Staging\ShopCart.dll
        dest: C:\InetPub\shop\bin\ShopCart.dll
        application: /Shop
        verify_url: http://web01/Shop/
      - src: C:\Staging\Pricing.dll
        dest: C:\InetPub\shop\bin\Pricing.dll
        application: /Shop
    verify_expect: 'version=2\.0\.0\.0'
    # a page that never shows it puts both old DLLs back (rollback: true is the default)

- name: Hours later, put the previous version of both components back (from the newest backups beside them)
  legacy_iis.iis4.iis4_component:
    state: reverted
    components:
      - dest: C:\InetPub\shop\bin\ShopCart.dll
        application: /Shop
        verify_url: http://web01/Shop/
      - dest: C:\InetPub\shop\bin\Pricing.dll
        application: /Shop
    verify_expect: 'version=1\.0\.0\.0'
"""

RETURN = r"""
changed:
  description: Whether the DLL was replaced (or a leftover run was recovered).
  returned: always
  type: bool
  sample: true
isolation:
  description:
    - The procedure chosen from the applications' isolation, V(in_process), V(out_of_process) or
      V(worker_process) (application pools).
  returned: when the metabase was read
  type: str
  sample: out_of_process
method:
  description:
    - V(none) (already up to date), V(unload) (isolated applications unloaded), V(service_restart), V(copy)
      (O(dest) did not exist yet, so nothing had it loaded and nothing was stopped), V(package_shutdown) (the MTS
      server package or COM+ server application that owns the DLL was shut down), or V(mtxstop) (every MTS server
      package was shut down with mtxstop.exe).
  returned: always
  type: str
  sample: unload
applications:
  description: Each application with its metabase path, application root and isolation.
  returned: when the metabase was read
  type: list
  elements: dict
  sample: [{"path": "/Shop", "site": 1, "metabase_path": "/LM/W3SVC/1/ROOT/Shop",
            "app_root": "/LM/W3SVC/1/ROOT/Shop", "isolated": true, "isolation": "out_of_process"}]
gathered:
  description:
    - What a check-mode run with O(keep_gathered=true) read on the host, packed, for O(gathered) of the update that
      follows (with O(components), in each entry of RV(components)). Opaque; good for 15 minutes.
  returned: check mode with O(keep_gathered=true), when the host was read
  type: dict
  sample: {"version": 1, "read_at": 1796665020.5, "src": 'C:\Staging\ShopCart.dll',
           "dest": 'C:\InetPub\shop\bin\ShopCart.dll', "adsutil": "...", "outputs": {"gather": "eJzN..."}}
  contains:
    version:
      description: The format.
      type: int
    read_at:
      description: When the host was read (the controller's clock, seconds since the epoch).
      type: float
    outputs:
      description: What each step printed (zlib and base64).
      type: dict
gathered_by_dry_run:
  description: The run started from O(gathered) (what the dry run read) instead of reading the host again.
  returned: when O(gathered) was given and used
  type: bool
  sample: true
bindings:
  description:
    - Where the site of O(site) answers, read with the gather (no request of its own) - on IIS 4.0-6.0 the site's
      C(ServerBindings) (and C(SecureBindings)) in the metabase, C("IP:port:hostheader"); on IIS 7 and later the
      bindings C(appcmd list site) prints (C(http/*:8080:)). V(*) as C(address) means every address of the host.
    - A path as O(verify_url) is checked on the first HTTP binding (the address the module connects to for V(*));
      the component_update role's default health check is such a path.
  returned: when the metabase or appcmd was read
  type: list
  elements: dict
  sample: [{"protocol": "http", "address": "*", "port": 8080, "host_header": ""}]
  contains:
    protocol:
      description: V(http) or V(https).
      type: str
    address:
      description: The IP address the binding is for, V(*) for every address.
      type: str
    port:
      description: The TCP port.
      type: int
    host_header:
      description: The host name the binding answers for (empty for any).
      type: str
blast_radius:
  description:
    - What the chosen procedure takes down. In-process, every in-process application of every site (they share
      inetinfo.exe) and every IIS service that stops; isolated, the applications that share the unloaded process;
      for a package, the package (C(package), C(if_refused)) and what follows if the DLL stays loaded
      (C(if_still_loaded)).
  returned: when the metabase was read
  type: dict
  contains:
    process:
      description:
        - The process that lets go of the DLL (inetinfo.exe, mtx.exe, dllhost.exe, a pool's w3wp.exe, a package's).
      type: str
      sample: inetinfo.exe
    applications:
      description: The applications that process serves, which go down with it.
      type: list
      elements: dict
      sample: [{"metabase_path": "/LM/W3SVC/1/ROOT/Shop", "isolation": in_process}]
    services:
      description: The IIS services that stop.
      type: list
      elements: str
      sample: [W3SVC, IISADMIN]
    note:
      description: The blast radius in one sentence.
      type: str
      sample: every in-process application of every site and every running IIS service stops
    if_still_loaded:
      description: What follows when the DLL stays loaded (unload and package procedures).
      type: dict
      sample: {"then": service_restart, "applications": [], "services": [W3SVC, IISADMIN]}
    pools:
      description:
        - The application pools that stop and start (method V(pool_restart)). A pool that was stopped before the
          run is not among them (see RV(blast_radius.pools_kept_stopped)).
      type: list
      elements: str
      sample: [ShopPool]
    pools_kept_stopped:
      description:
        - Application pools of the applications that were stopped (or stopping) before the run (method
          V(pool_restart)). They are neither stopped nor started; the DLL is swapped without starting them.
      type: list
      elements: str
      sample: ["Shop Pool (Legacy), A&B"]
  sample: {"process": inetinfo.exe, "applications": [{"metabase_path": "/LM/W3SVC/1/ROOT/Shop"}],
           "services": [W3SVC, IISADMIN],
           "note": "every in-process application of every site and every running IIS service stops"}
iis_version:
  description: The IIS version, from the Windows version C(ver) shows (C(4.0) when it shows none).
  returned: when the host was read
  type: str
  sample: "6.0"
windows:
  description: The Windows version C(ver) shows.
  returned: when the host was read
  type: str
  sample: Windows Server 2003
isolation_mode:
  description:
    - V(iis4) (AppIsolated 0 or 1), V(iis5) (AppIsolated 0, 1 or 2 pooled; also IIS 6 in IIS 5 isolation mode), or
      V(worker_process) (IIS 6 worker process isolation and IIS 7 and later, application pools).
  returned: when the host was read
  type: str
  sample: worker_process
pools:
  description: The application pools that were stopped and started again (method V(pool_restart)).
  returned: when method is V(pool_restart) and the update ran
  type: list
  elements: str
  sample: [ShopPool]
pools_kept_stopped:
  description:
    - The application pools of the applications that were stopped before the run and were left stopped (method
      V(pool_restart)); the new DLL is loaded when someone starts them.
    - After a fallback to a full restart, also any other pool of the host that the restart started by its
      auto-start and that was stopped again.
  returned: when method is V(pool_restart) and the update ran
  type: list
  elements: str
  sample: []
sites_kept_stopped:
  description:
    - IIS 7 and later, after a fallback to a full restart - the web sites that were stopped before the run, that
      starting W3SVC started again by their C(serverAutoStart), and that were stopped again.
  returned: when a full restart started a site that was stopped before the run
  type: list
  elements: str
  sample: []
catalog:
  description:
    - The host's component catalog, V(mts) (MTSAdmin.Catalog.1) or V(complus) (COMAdmin.COMAdminCatalog); null when
      the host has neither, or when nothing had to be updated (the catalog is only read then).
  returned: always
  type: str
  sample: mts
package:
  description: The MTS package or COM+ application that registers O(dest), if any.
  returned: always
  type: dict
  contains:
    id:
      description: The package id.
      type: str
      sample: "{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E601}"
    name:
      description: The package name.
      type: str
      sample: Shop Components
    activation:
      description: V(server) (its own process) or V(library) (the caller's process).
      type: str
      sample: server
    run_forever:
      description: Whether the package's process stays up however idle.
      type: bool
      sample: false
    shutdown_after:
      description: Minutes idle before the package's process ends.
      type: int
      sample: 3
  sample: {"id": "{3F2A1C10-5B6D-4E7F-8091-A2B3C4D5E601}", "name": Shop Components, "activation": server,
            "run_forever": false, "shutdown_after": 3}
package_started:
  description: Whether the package was started again after the swap (O(package_restart=true)).
  returned: when O(package_restart=true) and a package was shut down
  type: bool
  sample: true
holders:
  description:
    - The processes that have O(dest) loaded, from C(tlist -m) or C(tasklist /m) (read before the update, and again
      when the DLL stayed loaded). Null when the host has neither tool.
  returned: always
  type: list
  elements: dict
  sample: [{"pid": 212, "image": "inetinfo.exe", "what": "IIS (in-process applications)"}]
holders_tool:
  description: The tool that named the holders, V(tlist) or V(tasklist); null when neither is installed.
  returned: always
  type: str
  sample: tlist
services_stopped:
  description: IIS services stopped (read from net's own output), or that would be stopped in check mode.
  returned: always
  type: list
  elements: str
  sample: [W3SVC, MSFTPSVC, IISADMIN]
services_stop_pending:
  description:
    - Services C(net stop) showed stopping but gave up waiting for (still STOP_PENDING past net's patience). They
      went down all the same; the module starts them again like the others (method V(service_restart)).
  returned: when net stop gave up on a service
  type: list
  elements: str
  sample: [W3SVC]
services_started:
  description: IIS services started again, in order.
  returned: always
  type: list
  elements: str
  sample: [IISADMIN, W3SVC, MSFTPSVC]
services_not_running:
  description: Services that were running before and did not start again, each with the host's own error text.
  returned: always
  type: list
  elements: str
  sample: ["SMTPSVC: The service did not respond to the start or control request in a timely fashion."]
backup_file:
  description: Path of the old DLL kept beside dest (empty when a failed run put the old DLL back itself).
  returned: when changed and O(backup=true)
  type: str
  sample: C:\InetPub\shop\bin\ShopCart.dll.20261125170000.bak
rolled_back:
  description:
    - V(true) when the run failed and O(dest) holds the OLD DLL again (the module put it back itself, or never
      replaced it). RV(backup_file) is then empty, since there is nothing left to roll back from.
    - Also V(true) when O(rollback) put an old DLL back after a failed check of O(verify_url) or a later
      component's failure (RV(rolled_back_by) says who).
  returned: always
  type: bool
  sample: false
rolled_back_by:
  description:
    - Who put the old DLL back in O(dest), if anyone. V(module) (the component's own run failed and restored it),
      V(rollback) (this task's O(rollback), from the backup), or an empty string.
  returned: always
  type: str
  sample: rollback
dest_holds:
  description:
    - Which version O(dest) holds when the task ends. V(new), V(old), or V(-) when the host could not be read.
      In check mode, V(old) when an update would replace it.
  returned: always
  type: str
  sample: new
src:
  description: The O(src) of this component.
  returned: always
  type: str
  sample: C:\Staging\ShopCart.dll
dest:
  description: The O(dest) of this component.
  returned: always
  type: str
  sample: C:\InetPub\shop\bin\ShopCart.dll
rollback:
  description: How O(rollback) put this component's old DLL back.
  returned: when O(rollback) ran for this component
  type: dict
  contains:
    ok:
      description: Whether the old DLL is back.
      type: bool
    msg:
      description: What the rollback run said.
      type: str
    method:
      description: The procedure it used (as RV(method)).
      type: str
    outage_seconds:
      description: The outage of the rollback (added to RV(outage_seconds)).
      type: float
    services_started:
      description: Services it started.
      type: list
  sample: {"ok": true, "method": "unload", "outage_seconds": 0.0, "services_started": [], "msg": "replaced ..."}
verify:
  description: The check of each page (O(verify_url)), pages shared by components checked once.
  returned: when O(verify_url) is set, the update did not fail and not in check mode
  type: list
  elements: dict
  contains:
    url:
      description: The page.
      type: str
    expect:
      description: The regular expression the body had to match, or null.
      type: str
    ok:
      description: Whether the page passed.
      type: bool
    status:
      description: The HTTP status of the last answer (null when nothing answered).
      type: int
    attempts:
      description: How many requests were made.
      type: int
    msg:
      description: What the last answer was, in words.
      type: str
    body:
      description: The first 2048 characters of the last answer's body.
      type: str
  sample: [{"url": "http://web01/Shop/", "expect": "version=2\\.0\\.0\\.0", "ok": true, "status": 200,
            "attempts": 1, "msg": "http://web01/Shop/ answered 200 and matched ... after 1 attempt",
            "body": "app=/LM/W3SVC/1/ROOT/Shop version=2.0.0.0"}]
verify_url:
  description:
    - The page checked for this component (O(verify_url); a path made a URL on the site's binding the run read).
      With O(components), in each entry of RV(components).
  returned: when O(verify_url) is set
  type: str
  sample: http://web01:8080/Shop/
served_after_failure:
  description:
    - After a failure that put an old DLL back (O(rollback), or the component's own run), or a component's
      failure, each page read once more (the same keys as RV(verify), with no RV(verify[].expect)), so that the
      result says which version the host serves now.
  returned: when the task failed, a page was set, the host could be reached and not in check mode
  type: list
  elements: dict
  sample: [{"url": "http://web01/Shop/", "ok": true, "status": 200, "attempts": 1, "body": "version=1.0.0.0"}]
components:
  description:
    - With O(components), one entry per component that ran, in order, each with the keys of a single update
      (RV(method), RV(isolation), RV(outage_seconds), RV(old), RV(new), RV(backup_file), RV(rolled_back),
      RV(rolled_back_by), RV(dest_holds), RV(src), RV(dest), RV(rollback), ...). The keys at the top then sum
      them up - RV(changed) if any changed, RV(method) and RV(isolation) joined with commas, RV(outage_seconds)
      added up (rollbacks included), RV(services_stopped) and RV(services_started) merged - and a failure names
      the component. Components after one that failed while being read and planned have no entry.
    - DLLs released together (see O(components)) each keep their own entry (RV(changed), RV(backup_file),
      RV(old), RV(new), RV(msg)) and share the outage's keys (RV(services_stopped), RV(services_started),
      RV(outage_seconds)); RV(shared_release) says which DLLs shared it, and the outage is counted
      once in the summary.
  returned: when O(components) is given
  type: list
  elements: dict
  sample: [{"dest": "C:\\InetPub\\shop\\bin\\ShopCart.dll", "changed": true, "method": "unload",
            "dest_holds": "new", "rolled_back_by": ""}]
shared_release:
  description:
    - Present on a component's entry in RV(components) when its DLL was released in one outage with others (see
      O(components)).
  returned: when O(components) released several DLLs in one outage
  type: dict
  contains:
    components:
      description: The dest paths released in that outage, in order (the sequence ran in the first one's folder).
      type: list
    index:
      description: This DLL's place in RV(shared_release.components), from 0.
      type: int
    method:
      description: The release (as RV(method)).
      type: str
    outage_seconds:
      description: The one outage they shared (null in check mode).
      type: float
    failed:
      description:
        - The places in RV(shared_release.components) of the DLLs that failed on their own; a DLL that failed only
          because the release put every DLL back is not among them (the task's message names the first of these).
      type: list
      elements: int
  sample: {"components": ["C:\\InetPub\\shop\\bin\\ShopCart.dll", "C:\\InetPub\\shop\\bin\\Tax.dll"], "index": 0,
           "method": "service_restart", "outage_seconds": 2.4, "failed": []}
  version_added: 1.2.0
skipped:
  description:
    - On a component's entry in RV(components), V(true) when its DLL was read and planned but not released because
      a component before it failed (or could not be staged for the same outage); nothing of it changed.
  returned: when a component was left out that way
  type: bool
  sample: true
  version_added: 1.2.0
outage_seconds:
  description:
    - Seconds between the stop and the last service start, measured on the controller from the streamed output.
      Zero for the unload procedure (W3SVC never stops; only the unloaded applications restart on their next request).
    - For V(pool_restart), the pools' downtime (their applications answer 503), from before the pool stop until the
      pools report started again (IIS 6 starts a pool asynchronously, so this includes polling C(AppPoolState) until
      it reads 2). Zero when every pool was stopped before the run.
  returned: always
  type: float
  sample: 6.01
restored_backup:
  description:
    - With O(state=reverted), the backup put back at O(dest) (or, when nothing changed, the one O(dest) already
      matches).
  returned: when O(state=reverted) and a backup was found
  type: str
  sample: C:\InetPub\shop\bin\ShopCart.dll.20261125170000.bak
  version_added: 1.2.0
recovered:
  description: What a state record left by an interrupted earlier run made this run do first.
  returned: always
  type: dict
  contains:
    record:
      description: The state record the earlier run left, as key/value pairs.
      type: dict
      sample: {"run": "20261125170000", "method": service_restart, "started": restart}
    action:
      description: What this run did about it.
      type: str
      sample: rolled back an unfinished swap and restarted services
    services_started:
      description: Services it started again.
      type: list
      elements: str
      sample: [IISADMIN, W3SVC]
    services_not_running:
      description: Services that still do not run, with the host's text.
      type: list
      elements: str
      sample: []
    dest_present:
      description: Whether a DLL is at dest afterwards.
      type: bool
      sample: true
    pools_started:
      description: Application pools it started again.
      type: list
      elements: str
      sample: [ShopPool]
  sample: {"record": {"run": "20261125170000"}, "action": restarted services, "services_started": [W3SVC],
           "services_not_running": [], "dest_present": true}
commands:
  description:
    - In check mode, every command line a real run would send after reading the host, in order (staging, then
      the sequence that releases, swaps and restarts). A sequence too long for one line appears as the lines that
      write it to a batch file and the line that runs it.
  returned: in check mode, when dest differs from src (not with O(preview=false))
  type: list
  elements: str
  sample:
    - 'cd /d "C:\InetPub\shop\bin"&echo @@copy&copy /b /y ...'
    - 'cd /d "C:\InetPub\shop\bin"&(echo started=restart)>>...'
fallback_commands:
  description:
    - In check mode for an unload, the command lines of the in-process sequence a real run falls back to when
      unloading does not release the DLL (O(unload_fallback=true)).
  returned: in check mode, for the unload procedure with O(unload_fallback=true) (not with O(preview=false))
  type: list
  elements: str
  sample: ['cd /d "C:\\InetPub\\shop\\bin"&(echo started=restart)>>...']
steps:
  description: Timeline of the command lines sent to the host.
  returned: always, except a check-mode run with O(preview=false) that did not fail
  type: list
  elements: dict
  sample: [{"step": "gather", "command": "echo @@state & ...", "rc": 0, "seconds": 0.21, "complete": true}]
old:
  description: Size and date of dest before the run.
  returned: when dest existed
  type: dict
  contains:
    path:
      description: The file.
      type: str
      sample: C:\InetPub\shop\bin\ShopCart.dll
    size:
      description: Bytes.
      type: int
      sample: 24576
    mtime:
      description: Last written, as dir shows it.
      type: str
      sample: "2026-11-25T17:00:00"
  sample: {"path": "C:\\InetPub\\shop\\bin\\ShopCart.dll", "size": 24576, "mtime": "2026-11-25T17:00:00"}
new:
  description: Size and date of src.
  returned: when src exists
  type: dict
  contains:
    path:
      description: The file.
      type: str
      sample: C:\Staging\ShopCart.dll
    size:
      description: Bytes.
      type: int
      sample: 28672
    mtime:
      description: Last written, as dir shows it.
      type: str
      sample: "2026-11-30T09:00:00"
  sample: {"path": "C:\\Staging\\ShopCart.dll", "size": 28672, "mtime": "2026-11-30T09:00:00"}
requests:
  description: WS-Management HTTP requests this run made.
  returned: always
  type: int
  sample: 12
fallback:
  description:
    - Why the planned procedure was not enough and the next one ran (an unload that did not free the DLL, a
      package whose DLL stayed loaded, a catalog that refused the shutdown).
  returned: when a fallback ran
  type: str
  sample: "unloading did not release the DLL (it is still loaded)"
unloaded:
  description: The application roots unloaded with APPUNLOAD (method V(unload)).
  returned: when method is V(unload) and the update ran
  type: list
  elements: str
  sample: [W3SVC/1/ROOT/Shop]
register_rc:
  description: Exit code of C(regsvr32 /s) for the new DLL.
  returned: when O(register_dll=true) and the update ran
  type: int
  sample: 0
state_record:
  description:
    - The state record kept beside O(dest) because a service or pool did not start again; the next run reads it
      and starts them.
  returned: when the record was kept
  type: str
  sample: C:\InetPub\shop\bin\ShopCart.dll.iis4state
connection_dropped:
  description: The connection dropped during the outage sequence; the host finished it and the result was read back.
  returned: when it happened
  type: bool
  sample: true
dest_locked:
  description:
    - Whether O(dest) was loaded by a process when the host was read (null in check mode, which does not probe).
  returned: when the host was read
  type: bool
  sample: true
sc_available:
  description: Whether C(sc.exe) is on the host (service dependencies read from it, or the known ones assumed).
  returned: when the host was read
  type: bool
  sample: true
services_running_before:
  description: The IIS services that were running when the host was read.
  returned: when the host was read
  type: list
  elements: str
  sample: [IISADMIN, W3SVC]
elapsed_seconds:
  description: Seconds the whole run took on the controller.
  returned: always
  type: float
  sample: 4.73
error_kind:
  description:
    - On a failure to connect, what kind it was (V(unreachable), V(auth), V(certificate), ...); the first three
      make the host unreachable for Ansible.
  returned: on failure to connect
  type: str
  sample: auth
step:
  description:
    - On failure, the step that failed.
    - One of validate, connect, gather, detect, compare, catalog, holders, stage, apply, shutdown, stop, swap,
      register, start, unload, recover, verify.
  returned: on failure
  type: str
  sample: stop
host_output:
  description: On failure, the end of what the host printed for the failing step.
  returned: on failure, when the host printed something
  type: str
  sample: "The process cannot access the file because it is being used by another process."
msg:
  description: What happened, in one sentence.
  returned: always
  type: str
  sample: "replaced C:\\InetPub\\shop\\bin\\ShopCart.dll (out_of_process): unloaded /LM/W3SVC/1/ROOT/Shop"
"""

from ansible.module_utils.basic import AnsibleModule  # noqa: E402

from ansible_collections.legacy_iis.iis4.plugins.module_utils._transport.direct import run_directly  # noqa: E402
from ansible_collections.legacy_iis.iis4.plugins.module_utils.argspec import FULL_SPEC, SPEC_KWARGS  # noqa: E402
from ansible_collections.legacy_iis.iis4.plugins.module_utils.rollout import run_rollout  # noqa: E402


def main() -> None:
    module = AnsibleModule(argument_spec=FULL_SPEC, **SPEC_KWARGS, supports_check_mode=True)
    run_directly(
        module, lambda runner: run_rollout(module.params, runner, check_mode=module.check_mode, diff=module._diff)
    )


if __name__ == "__main__":
    main()
