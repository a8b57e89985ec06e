# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Parsers for the console output of NT 4.0 / IIS 4.0 command-line tools, one submodule per tool family.

* ``common``: line splitting (CRLF / LF / CR, code page 437 bytes), the ``@@<label>`` section markers and
  ``@@rc <label> <n>`` exit-code ladders of batched command lines, ``ParseError``, and the classification
  of Windows system error messages shared by every tool.
* ``net``: ``net start`` / ``net stop`` results and the ``net start`` list of running services.
* ``sc``: ``sc qc <service>`` (service configuration and dependencies).
* ``adsutil``: ``cscript adsutil.vbs`` ENUM / ENUM_ALL / GET properties, its errors, and the APP* results.
* ``files``: ``copy`` results and ``dir`` listings.
* ``fc``: ``fc`` / ``fc /b`` comparisons.
* ``regsvr32``: the meaning of ``regsvr32 /s`` exit codes.

The rule for all of them: parsers are pure.  Text (or bytes) in, a dataclass or plain values out; no I/O,
no knowledge of IIS (service names, metabase paths) beyond what the tool itself prints.  Every parser
accepts CRLF, LF or lone CR line ends, extra blank lines and trailing spaces, and the version variants
of its tool described in the project's NT 4 / IIS 4 reference.  Import the submodules directly
(``from .parsers import net``); this package re-exports nothing.
"""
