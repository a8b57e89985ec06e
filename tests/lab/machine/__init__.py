"""The machine model of a lab host: what a Windows + IIS host is, with no wire and no command interpreter.

Its configuration (:mod:`.config`, the Windows / IIS version in :mod:`.versions`), the file system
(:mod:`.fs`, :mod:`.fspath`, the lab's DLL files in :mod:`.dll`), the service control manager (:mod:`.scm`),
processes and their DLL locks (:mod:`.processes`), the MTS / COM+ catalog (:mod:`.catalog`), the metabase
(:mod:`.metabase`), what a page request does (:mod:`.web`), the event log every part writes to
(:mod:`.events`), the process interface that the shell and the programs meet on (:mod:`.proc_api`), and the
machine that joins them (:mod:`.machine`).  Nothing here imports the wire, the shell, the tools or the harness.
"""
