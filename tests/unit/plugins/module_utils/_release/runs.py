"""A ReleaseRun in the state a recorded run had when its sequence went out: gathered, planned and staged from
what the lab host printed, ready for a strategy to read an output."""

from __future__ import annotations

from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.catalog import gather_catalog
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.common import Sections
from ansible_collections.legacy_iis.iis4.plugins.module_utils._host.parsers.sequence import SequenceOutput
from ansible_collections.legacy_iis.iis4.plugins.module_utils._release.run import ReleaseRun
from ansible_collections.legacy_iis.iis4.plugins.module_utils.params import Params
from ansible_collections.legacy_iis.iis4.plugins.module_utils.plan import make_plan
from ansible_collections.legacy_iis.iis4.plugins.module_utils.update import ComponentUpdate

from ..replay import ReplayRunner, output_of, recording


def release_run(name: str) -> ReleaseRun:
    p = Params.from_module_params(recording(name)["args"])
    runner = ReplayRunner(name)
    job = ComponentUpdate(p, runner)
    facts = job.gather()
    catalog = gather_catalog(job.session, job.paths, facts.windows_major) if facts.dest is not None else None
    plan = make_plan(facts, p, job.paths, catalog, job.target)
    job.result.update(isolation=plan.isolation, method=plan.method, changed=True)
    stage = Sections.parse(output_of(name, "stage"))
    return ReleaseRun(p, job.target, job.session, job.report, plan, stage)


def sequence_output(name: str, index: int = 0, *, cut_before: str | None = None) -> SequenceOutput:
    """What the recorded run's ``index``-th apply sequence printed; ``cut_before``: only what it printed before
    that marker, as when cmd.exe is ended on the host in the middle of it."""
    text = output_of(name, "apply", index)
    if cut_before is not None:
        text = text[: text.index(cut_before)]
    return SequenceOutput.read(text)
