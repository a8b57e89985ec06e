"""The harness that runs lab hosts for tests, benchmarks and people: nothing here is part of a faked host.

:mod:`.server` (the :class:`~.server.Lab`: the event loop thread, addresses, listeners, host life cycle and
faults), :mod:`.control` (the JSON control API and its client), :mod:`.state` (host snapshots), :mod:`.inventory`
and :mod:`.update` (Ansible inventories and their update variables) and :mod:`.fixtures` (the pytest fixtures).
"""
