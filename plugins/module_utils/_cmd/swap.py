# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The swap vocabulary: the host commands that stage, swap in, swap back and tidy the DLL.

Every rename of dest, the staged copy and the backup is written here, once, from :class:`paths.Paths` and
cmdline's builders; the plan, the strategies and recovery only choose which of these to run.

``ren`` does not set ERRORLEVEL reliably on NT 4, so each step checks which files exist instead: the
commands are safe to repeat, and a swap that fails half-way puts the old DLL back by itself.

Where a command's output goes (``sink``), section markers and the other small line builders are in
:mod:`lines`.  ``log`` arguments are the quoted log path or None.
"""

from __future__ import annotations

from .cmdline import (
    MERGE_STDERR,
    build_command,
    echo_text,
    exists,
    guarded,
    if_exist,
    join_commands,
    marker,
    missing,
    rc_ladder,
    redirect,
    touch,
)
from .lines import QUIET, compare, delete_if_exists, echo_if_exists, group_touch, mark, pause, q, sink
from .paths import Paths, record_lines


class Swap:
    """The files of one run and the commands that move them.  Use relative :class:`Paths` for the long
    sequences (they run after ``cd /d`` to dest's folder) and absolute ones elsewhere.

    ``label``: in a sequence that swaps several DLLs (``_release.combined_restart``), each one's markers start
    with its label (``c1_swap``, ``c1_verify``), so the output of each can be told apart; empty for one DLL."""

    def __init__(self, paths: Paths, label: str = "") -> None:
        self.p = paths
        self.label = label

    def at(self, name: str) -> str:
        """The marker label ``name`` of this DLL (``<label>_<name>``; ``name`` itself without a label)."""
        return f"{self.label}_{name}" if self.label else name

    # -- stage ----------------------------------------------------------------------------------------

    def copy_staged(self) -> list[str]:
        """Copy src beside dest under the staged name and check the copy byte for byte."""
        p = self.p
        # A read-only src (copied from a CD) gives a read-only copy (CopyFile keeps the attributes): clear it, so
        # the staged file can be replaced, deleted and swapped like any other (attrib is in every NT).
        writable = f"{build_command('attrib', '-r', q(p.staged))} >nul 2>&1"
        return [
            redirect(guarded(writable, exists(q(p.staged)))),
            marker("copy"),
            redirect(build_command("copy", "/b", "/y", q(p.src), q(p.staged))),
            rc_ladder("copy", 1),
            writable,
            marker("verify"),
            *compare(p.src, p.staged, "verify"),
        ]

    def write_record(self, method: str, services: list[str], *extra: str) -> str:
        """(Re)write the state record: a later run reads it to put the host back in order."""
        echo_block = "& ".join(f"echo {echo_text(line)}" for line in record_lines(self.p, method, services, *extra))
        return f"({echo_block})>{q(self.p.record)} {MERGE_STDERR}"

    def append_record(self, line: str) -> str:
        """Add ``line`` (``started=<phase>``, ``finished=<phase>``) to the state record."""
        return f"(echo {line})>>{q(self.p.record)}"

    def unstage(self) -> list[str]:
        """Undo a failed stage: drop the staged copy and the record."""
        return [delete_if_exists(self.p.staged), delete_if_exists(self.p.record)]

    # -- swap in --------------------------------------------------------------------------------------

    def swap_in(self, label: str, log: str | None = None, unless: str | None = None) -> list[str]:
        """dest -> backup, staged -> dest; if the second rename failed, backup -> dest again.

        ``unless``: a flag file whose presence skips the swap (see :meth:`hold_if_still_loaded`).
        """
        p, out = self.p, sink(log)
        skip = [missing(q(unless))] if unless else []
        return [
            mark(self.at(label), log),
            redirect(guarded(self._ren(p.dest, p.backup_name), *skip, exists(q(p.staged)), exists(q(p.dest))), out),
            redirect(guarded(self._ren(p.staged, p.dest_name), *skip, exists(q(p.staged)), missing(q(p.dest))), out),
            redirect(guarded(self._ren(p.backup, p.dest_name), missing(q(p.dest)), exists(q(p.backup))), out),
        ]

    def hold_if_still_loaded(self, log: str | None = None, waits: tuple[int, ...] = ()) -> list[str]:
        """After IIS stopped: if the old DLL is still loaded, something else holds it.  Then keep (or put back)
        the old DLL at dest and leave the flag file ``held_flag``, which makes :meth:`swap_in` skip.

        The old DLL is the backup when the swap happened before the outage, else dest itself.  ``net stop``
        returns when the service control manager reports STOPPED, and the service's process may still be exiting
        with its images mapped for a moment: while the flag says "held", each of ``waits`` (seconds) pauses
        (:func:`pause`) and tries the old image again, dropping the flag when it opens; a bounded wait of
        ``sum(waits)`` seconds.  Each try is its own short command (a line of a batch file on a host with a short
        command line).  The last try is not silenced, so the failure can quote the host (the sharing violation);
        only then, in the backup's case, the old DLL is put back at dest.
        """
        p, out = self.p, sink(log)
        flag = f"(echo held)>{q(p.held_flag)}"
        held = exists(q(p.held_flag))
        old = f"(if exist {q(p.backup)} ({touch(q(p.backup))}) else {touch(q(p.dest))})"
        back = join_commands([self._ren(p.dest, p.staged_name), self._ren(p.backup, p.dest_name)])
        drop = build_command("del", q(p.held_flag))
        first = [
            redirect(guarded(f"(({touch(q(p.backup))}) 2>nul||{flag})", exists(q(p.backup))), out),
            redirect(
                guarded(
                    f"(({touch(q(p.dest))}) 2>nul||{flag})",
                    missing(q(p.held_flag)),
                    exists(q(p.staged)),
                    exists(q(p.dest)),
                ),
                out,
            ),
        ]
        tries = [redirect(guarded(f"({pause(w)}&{old} 2>nul&&{drop})", held), out) for w in waits]
        last = [
            redirect(guarded(f"({old}&&{drop})", held), out),
            redirect(guarded(f"({back})", held, exists(q(p.backup))), out),
        ]
        return [*first, *tries, *last]

    def report_held(self) -> str:
        """Print ``##held_after_stop`` (and drop the flag) when :meth:`hold_if_still_loaded` kept the old DLL."""
        p = self.p
        return guarded(
            join_commands(["echo ##held_after_stop", build_command("del", q(p.held_flag))]), exists(q(p.held_flag))
        )

    def swap_in_if_staged_matches(self) -> str:
        """Swap in now, but only while the staged copy still equals src and the state record is in place
        (the swap before the outage, on hosts that let a loaded image be renamed)."""
        p = self.p
        body = join_commands(self.swap_in("preswap")[1:])
        fc = f"{build_command('fc', '/b', q(p.src), q(p.staged))} {QUIET}"
        return f"({fc}&&if exist {q(p.record)} ({body}))"

    # -- swap back ------------------------------------------------------------------------------------

    def swap_back(self) -> list[str]:
        """dest -> staged name, backup -> dest: the old DLL is at dest again (only where a backup exists)."""
        return [redirect(c) for c in self.swap_back_commands()]

    def swap_back_commands(self) -> list[str]:
        """:meth:`swap_back`'s two guarded renames, without a redirection of their own."""
        p = self.p
        return [
            guarded(self._ren(p.dest, p.staged_name), exists(q(p.backup)), exists(q(p.dest)), missing(q(p.staged))),
            guarded(self._ren(p.backup, p.dest_name), exists(q(p.backup)), missing(q(p.dest))),
        ]

    def swap_back_if_old_image_loaded(self) -> str:
        """Swap back when a process still has the old image (the backup) loaded: then the new DLL at dest was
        never loaded, and dest must hold what runs.  Prints ``##old_image_loaded`` when it swapped back."""
        p = self.p
        back = join_commands([self._ren(p.dest, p.staged_name), self._ren(p.backup, p.dest_name)])
        return redirect(
            guarded(f"(({touch(q(p.backup))}) 2>nul||({back}&echo ##old_image_loaded))", exists(q(p.backup)))
        )

    def put_back(self) -> list[str]:
        """Whatever happened, dest must exist: from the backup, else from the staged copy."""
        p = self.p
        return [
            redirect(guarded(self._ren(p.backup, p.dest_name), missing(q(p.dest)), exists(q(p.backup)))),
            redirect(guarded(self._ren(p.staged, p.dest_name), missing(q(p.dest)), exists(q(p.staged)))),
        ]

    # -- register -------------------------------------------------------------------------------------

    def register(self, log: str | None = None, around_undo: tuple[list[str], list[str]] = ([], [])) -> list[str]:
        """regsvr32 the new DLL (unless it was registered before the outage, see :meth:`register_now`); if that
        fails, put the old one back and register it again.

        The first line runs regsvr32 and reads its exit code in one group (so the code read is regsvr32's own);
        a failure, where the backup is there to go back to, leaves the flag file ``undo_flag``.  Every line of the
        undo is its own short command guarded by that flag (each fits a line of the batch file on a host with a
        short command line, issue 21): ``around_undo`` commands before and after putting the old DLL back (a
        registration after the services were started again stops them around the swap back), the swap back, the
        old DLL registered again.  The last line drops the flag and prints ``##register_rolled_back`` when the old
        DLL is at dest again, ``##register_not_rolled_back`` when it could not be put back.  A run killed on the
        host in between leaves the flag with the state record: recovery finishes the undo
        (:func:`recovery.recovery_parts`)."""
        p, out = self.p, sink(log)
        regsvr = build_command("regsvr32", "/s", q(p.dest))
        before, after = around_undo
        flag = q(p.undo_flag)
        raise_flag = f"(if errorlevel 1 if exist {q(p.backup)} (echo undo)>{flag})"
        body = f"({join_commands([regsvr, rc_ladder(self.at('register'), 5), raise_flag])})"
        on_flag = exists(flag)
        undo = [redirect(guarded(cmd, on_flag), out) for cmd in before]
        undo += [redirect(guarded(c, on_flag), out) for c in self.swap_back_commands()]
        undo.append(redirect(guarded(regsvr, on_flag, missing(q(p.backup))), out))
        undo += [redirect(guarded(cmd, on_flag), out) for cmd in after]
        said = if_exist(q(p.backup), "echo ##register_not_rolled_back", "echo ##register_rolled_back")
        undo.append(redirect(guarded(join_commands([build_command("del", flag), said]), on_flag), out))
        return [
            mark(self.at("register"), log),
            redirect(guarded(body, missing(q(p.staged)), missing(q(p.registered_flag))), out),
            *undo,
        ]

    def register_now(self) -> list[str]:
        """Register the new DLL before any outage (it is already at dest: the swap happened at staging, while
        the old image stays loaded under the backup's name) and leave a flag so the outage skips it."""
        p = self.p
        ok = f"(echo ok)>{q(p.registered_flag)}"
        return [
            marker("register"),
            redirect(build_command("regsvr32", "/s", q(p.dest))),
            rc_ladder("register", 5),
            f"(if not errorlevel 1 {ok})",
        ]

    def reregister_old(self) -> str:
        """After the old DLL is back at dest: register it again (the new one may have changed its entries)."""
        return redirect(build_command("regsvr32", "/s", q(self.p.dest)))

    def reregister_old_if_undone(self) -> str:
        """Recovery's end of an interrupted undo (:meth:`register`): where the flag is there and the old DLL is back
        at dest (no backup left), register it again and drop the flag."""
        p = self.p
        again = join_commands(
            [f"{build_command('regsvr32', '/s', q(p.dest))} {QUIET}", build_command("del", q(p.undo_flag))]
        )
        return redirect(guarded(f"({again})", exists(q(p.undo_flag)), missing(q(p.backup)), exists(q(p.dest))))

    # -- stage and roll back -----------------------------------------------------------------------

    def prune(self, backups: tuple[str, ...], keep: int) -> list[str]:
        """Delete the oldest backups beside dest so that ``keep`` remain with the one this run makes."""
        excess = list(backups[: max(0, len(backups) - (keep - 1))])
        return [delete_if_exists(name) for name in excess]

    def stage(
        self,
        method: str,
        services: list[str],
        prune: list[str] | None = None,
        clear_readonly: bool = False,
        record_extra: tuple[str, ...] = (),
    ) -> list[str]:
        """Copy and check the staged file, write the state record, and swap now where the host allows it.

        Where the host lets a loaded image be renamed, the swap happens here, before any outage: the running
        process keeps the old image until it is restarted or unloaded, so the outage is only the stop and the
        start.  It is guarded by a fresh byte comparison and by the state record being in place.
        """
        p = self.p
        attrib = [redirect(build_command("attrib", "-r", q(p.dest)))] if clear_readonly else []
        return [
            *(prune or []),
            *attrib,
            *self.copy_staged(),
            marker("record"),
            self.write_record(method, services, *record_extra),
            echo_if_exists(p.record, "##record_ok"),
            marker("preswap"),
            self.swap_in_if_staged_matches(),
            marker("staged"),
            echo_if_exists(p.staged, "##still_staged"),
        ]

    def rollback(self) -> list[str]:
        """Put the old DLL back at dest (the running process still has it loaded), drop the staged copy and the
        state record."""
        p = self.p
        return [
            marker("rollback"),
            *self.swap_back(),
            delete_if_exists(p.staged),
            delete_if_exists(p.log),
            # A registration made before the outage whose answer was lost leaves its flag: the old DLL is back.
            delete_if_exists(p.registered_flag),
            delete_if_exists(p.record),
            marker("check"),
            *compare(p.src, p.dest, "check"),
        ]

    # -- verify and tidy ------------------------------------------------------------------------------

    def verify(self) -> list[str]:
        """Is dest the new DLL now (fc's exit code), and which temporary files are left.  Whether the old image
        is still loaded is asked where it matters: :meth:`hold_if_still_loaded` (in-process) and
        :meth:`lock_probe` (unload)."""
        p = self.p
        return [
            marker(self.at("verify")),
            *compare(p.src, p.dest, self.at("verify")),
            marker(self.at("leftover")),
            echo_if_exists(p.staged, "##staged_left"),
            echo_if_exists(p.backup, "##backup_present"),
        ]

    def lock_probe(self) -> list[str]:
        """After an unload: is the old image still loaded, and would dest open for writing."""
        p = self.p
        return [
            marker(self.at("probe")),
            redirect(guarded(touch(q(p.backup)), exists(q(p.backup)))),
            # ``>>`` creates a missing file: never probe a dest that is not there (a 0-byte dest would stop the
            # backup from being put back, which is guarded by dest being missing).
            redirect(guarded(touch(q(p.dest)), exists(q(p.staged)), exists(q(p.dest)))),
        ]

    def tidy(self, keep_backup: bool, registered: bool = False) -> list[str]:
        """Remove what the swap leaves beside dest (the backup too unless it is to be kept, and the flag of a
        registration made before the outage)."""
        p = self.p
        parts = ([] if keep_backup else [delete_if_exists(p.backup)]) + [delete_if_exists(p.staged)]
        return parts + ([delete_if_exists(p.registered_flag)] if registered else [])

    def drop_record(self) -> str:
        return redirect(build_command("del", q(self.p.record)))

    def tidy_when_released(self, keep_backup: bool, registered: bool = False) -> str:
        """When dest is the new DLL and the old image is no longer loaded, drop the record (and the backup
        unless it is kept) and print ``##tidy``.  A failed redirection fails the command for ``&&``."""
        p = self.p
        tidy = [] if keep_backup else [build_command("del", q(p.backup))]
        tidy += [delete_if_exists(p.registered_flag)] if registered else []
        tidy += [build_command("del", q(p.record)), "echo ##tidy"]
        free = f"({redirect(guarded(group_touch(p.backup), exists(q(p.backup))), '2>nul')}&&({join_commands(tidy)}))"
        return f"({compare(p.src, p.dest)[0]}&&if not exist {q(p.staged)} {free})"

    def drop_record_unless_failed(self) -> str:
        """Keep the state record when a service did not start again (the next run starts it), else drop it."""
        p = self.p
        kept = join_commands(["echo ##record_kept", build_command("del", q(p.fail_flag))])
        return redirect(if_exist(q(p.fail_flag), kept, build_command("del", q(p.record))))

    def tidy_all(self) -> list[str]:
        """Recovery's tidy: the staged copy (where dest is in place), the flags, the log, the batch file, and the
        record."""
        p = self.p
        return [
            delete_if_exists(p.staged, p.dest),
            delete_if_exists(p.fail_flag),
            delete_if_exists(p.held_flag),
            delete_if_exists(p.log),
            # the batch file of a sequence whose cmd.exe was ended on the host (its own "del" never ran)
            delete_if_exists(p.batch),
            delete_if_exists(p.registered_flag),
            delete_if_exists(p.undo_flag),
            delete_if_exists(p.catalog_script),
            redirect(guarded(build_command("del", q(p.record)), exists(q(p.dest)))),
        ]

    def dest_present(self) -> str:
        return if_exist(q(self.p.dest), "echo ##dest_present", "echo ##dest_missing")

    @staticmethod
    def _ren(path: str, new_name: str) -> str:
        return build_command("ren", q(path), q(new_name))
