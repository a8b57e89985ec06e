# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""How lines reach the host: one WinRS cmd shell (winrm_runner), the session that retries, reconnects and
writes batch files (session), and the run's record that every line sent is written to (report)."""
