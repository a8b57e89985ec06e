"""The randomized fault campaign: short in ``make test`` (a few chunks of seeded runs), 1,000 runs in ``make soak``.

Every run checks the five invariants (campaign.run_one).  A run that breaks one prints its seed and the
scenario; replay it alone with ``CAMPAIGN_REPLAY=<seed> pytest tests/integration/faults -k replay``.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from tests.integration.faults import campaign
from tests.integration.faults.cases import CAMPAIGN_CHUNK, CAMPAIGN_CHUNKS, CAMPAIGN_SEED, SOAK_RUNS
from tests.integration.faults.conftest import RECORDS_ROOT, note_summary

pytestmark = [pytest.mark.lab]

SOAK_SEED = CAMPAIGN_SEED + 1_000_000  # the soak draws other scenarios than the short campaign


def _row(summary: campaign.CampaignSummary) -> dict[str, Any]:
    return {
        "runs": summary.runs,
        "violating_runs": len(summary.violating),
        "known_defect_runs": len(summary.known),
        "known_defects": sorted({str(r.known_defect) for r in summary.known}),
        "faults": summary.faults,
        "not_fired": summary.not_fired,
        "outcomes": summary.outcomes,
        "seconds": round(summary.seconds, 1),
        "violations": [f"seed {r.scenario.seed}: {v}" for r in summary.violating for v in r.violations],
        "defect": None,
    }


@pytest.mark.timeout(300)
@pytest.mark.parametrize("chunk", range(CAMPAIGN_CHUNKS), ids=[f"chunk{i}" for i in range(CAMPAIGN_CHUNKS)])
def test_campaign(chunk: int, lab: Any, matrix_record: Any) -> None:
    first = CAMPAIGN_SEED + chunk * CAMPAIGN_CHUNK
    summary = campaign.run_campaign(lab, range(first, first + CAMPAIGN_CHUNK))
    matrix_record("campaign", f"chunk{chunk}", _row(summary))
    assert not summary.violating, summary.failure_text()


@pytest.mark.timeout(120)
@pytest.mark.skipif(not os.environ.get("CAMPAIGN_REPLAY"), reason="set CAMPAIGN_REPLAY=<seed> to replay one run")
def test_campaign_replay(lab: Any) -> None:
    seed = int(os.environ["CAMPAIGN_REPLAY"])
    report = campaign.run_one(lab, seed)
    print(report.scenario.describe())  # noqa: T201 - shown with -s
    print(f"outcome {report.outcome}; rerun {report.rerun}; known defect: {report.known_defect}")  # noqa: T201
    assert not report.violations, "\n".join([report.scenario.describe(), *report.violations])


def test_generator_is_deterministic_and_covers_every_fault() -> None:
    first = [campaign.draw(s).describe() for s in range(CAMPAIGN_SEED, CAMPAIGN_SEED + 50)]
    again = [campaign.draw(s).describe() for s in range(CAMPAIGN_SEED, CAMPAIGN_SEED + 50)]
    assert first == again
    drawn = {campaign.draw(s).fault for s in range(SOAK_SEED, SOAK_SEED + SOAK_RUNS)}
    assert drawn >= set(campaign.FAULT_WEIGHTS), set(campaign.FAULT_WEIGHTS) - drawn
    modes = {(campaign.draw(s).fleet, campaign.draw(s).rename) for s in range(SOAK_SEED, SOAK_SEED + 200)}
    assert modes == {(0, False), (0, True), (1, False), (1, True)}


def test_faults_are_drawn_only_where_they_can_bite() -> None:
    """Issue 24: no fault is drawn on a host whose release strategy never meets it (an unload that does nothing on
    an in-process host, a lost APPUNLOAD on a pool host); each run checks on the lab that its fault fired."""
    restart_needles = {"net stop", ".iis4run.cmd"}
    for seed in [*range(CAMPAIGN_SEED, CAMPAIGN_SEED + 50), *range(SOAK_SEED, SOAK_SEED + SOAK_RUNS)]:
        sc = campaign.draw(seed)
        where = sc.describe()
        restart_path = sc.strategy == "restart" or bool(sc.faults.get("unload_noop"))
        assert sc.strategy in campaign.STRATEGY_METHODS, where
        if sc.faults.get("unload_noop"):
            assert sc.strategy == "unload", where
        if sc.fault in campaign.RESTART_FAULTS:
            assert restart_path, where
        needle = campaign.outage_needle(sc, sc.strategy)
        if sc.lose and sc.lose["needle"] != ".iis4run.cmd":
            # the outage line, or the call of its batch file (harness.LoseCommand skips the file's writes)
            assert tuple(sc.lose["needle"]) == ("net stop" if restart_path else needle, "call "), where
        if sc.trigger and sc.trigger.get("kill"):
            assert set(sc.trigger["kill"]) == restart_needles and restart_path, where
        if sc.fault == "drop_at_outage_command" and "drop_on_command" in sc.faults:
            assert sc.faults["drop_on_command"] == ("net stop" if restart_path else needle), where
    strategies = {campaign.draw(s).strategy for s in range(SOAK_SEED, SOAK_SEED + SOAK_RUNS)}
    assert strategies == set(campaign.STRATEGY_METHODS)


@pytest.mark.soak
@pytest.mark.timeout(0)
def test_soak(lab: Any) -> None:
    """``make soak``: SOAK_RUNS seeded runs; reports the count of invariant violations, which must be zero."""
    runs = int(os.environ.get("SOAK_RUNS", SOAK_RUNS))
    started = time.monotonic()
    summary = campaign.CampaignSummary()
    for seed in range(SOAK_SEED, SOAK_SEED + runs):
        summary.add(campaign.run_one(lab, seed))
    wall = time.monotonic() - started
    lines = [
        f"soak: {summary.runs} runs in {wall:.0f}s, seeds {SOAK_SEED}..{SOAK_SEED + runs - 1}",
        f"soak: invariant violations: {len(summary.violating)} runs "
        f"(plus {len(summary.known)} runs hitting known module defects, not counted)",
        "soak: faults drawn: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.faults.items())),
        "soak: outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(summary.outcomes.items())),
    ]
    for rep in summary.known:
        lines.append(f"soak: known defect at {rep.scenario.describe()}: {rep.known_defect}")
    text = "\n".join(lines)
    RECORDS_ROOT.mkdir(parents=True, exist_ok=True)
    Path(RECORDS_ROOT / "soak-summary.txt").write_text(
        text + "\n" + (summary.failure_text() if summary.violating else "") + "\n", encoding="utf-8"
    )
    note_summary(text)
    assert not summary.violating, summary.failure_text()
