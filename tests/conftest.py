"""Suite-wide pytest configuration: the lab fixtures (``lab``, ``lab_host``, ``lab_inventory``, ``winrm_session``)."""

pytest_plugins = ["tests.lab.harness.fixtures"]
