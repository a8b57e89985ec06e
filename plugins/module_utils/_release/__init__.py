# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""The release strategies: one file each (its sequence and how it reads what the sequence printed), the
Protocol they share (base), the run they act in (run), which one a host gets (choose), and the recovery of
an earlier run.  Imports _cmd, _host and _transport; nothing above."""
