"""Benchmarks of legacy_iis.iis4 against lab hosts: ``make bench`` runs ``python -m bench.run``."""
