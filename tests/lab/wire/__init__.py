"""The wire of a lab host: what a client on the network meets.

HTTP framing and the one serve loop of every listener (:mod:`.http`), the WS-Management listener
(:mod:`.pipeline`: requests, faults on the wire; :mod:`.auth`: NTLM / Negotiate / Basic and message
encryption; :mod:`.wsman`: the WinRS shell service), the HTTPS certificates (:mod:`.certs`) and the web-site
listeners (:mod:`.sites`).  The wire imports the machine model, never the harness.
"""
