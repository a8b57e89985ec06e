# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""What may be written on a cmd.exe command line: quoting and the command builders (cmdline), checked inputs
(validate), the files beside dest and the state record (paths), the swap vocabulary (swap), and how parts
become lines or a batch file (script).  Pure; imports nothing of the project above errors and argspec."""
