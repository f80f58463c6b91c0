"""The report directory is replaced in one atomic step (issue 9).

Real processes are killed with SIGKILL at points spread over a report run, including
between staging and swap and right after the swap; the target must always hold one
complete report, the previous one or the new one. Concurrent writers both succeed.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chuanyu_geo.report import REPORT_MARKER

FILES = {
    "report.md",
    "report.json",
    "report.html",
    "map.html",
    "pairs.csv",
    "units.csv",
    "totals.csv",
    "platforms.csv",
    "platform_pairs.csv",
    "clusters.csv",
    "meta.json",
    REPORT_MARKER,
}

# Runs a report in a child process, killing itself with SIGKILL at a chosen point.
CHILD = r"""
import os, signal, sys
from pathlib import Path
import chuanyu_geo as cg
from chuanyu_geo import _io, report

target, mode = Path(sys.argv[1]), sys.argv[2]
die = lambda *a, **k: os.kill(os.getpid(), signal.SIGKILL)
if mode == "mid-staging":  # md and json are staged, html is not
    report.AdjacencyReport.to_html = die
elif mode == "before-swap":  # staging complete, swap not started
    report.swap_directory = die
elif mode == "after-swap":  # the exchange happened, the old report is not yet removed
    real = _io._libc_rename
    def rename_then_die(a, b, flag):
        real(a, b, flag)
        die()
    _io._libc_rename = rename_then_die
cg.adjacency_report("county").write(target, formats=("md", "json", "html", "csv", "map"))
"""


def _level(target: Path) -> str:
    """The level of the complete report at ``target``; fails if it is missing or partial."""
    assert target.is_dir() and not target.is_symlink(), f"{target} is missing"
    assert {p.name for p in target.iterdir()} == FILES, (
        f"partial report: {sorted(p.name for p in target.iterdir())}"
    )
    meta = json.loads((target / "report.json").read_text(encoding="utf-8"))["meta"]
    assert (target / "map.html").read_text(encoding="utf-8").rstrip().endswith("</html>")
    assert json.loads((target / "meta.json").read_text(encoding="utf-8"))["level"] == meta["level"]
    return meta["level"]


def _leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir() if p.name.startswith(f".{target.name}."))


def _cli(target: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "chuanyu_geo.cli", "report", "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def partner_report(tmp_path_factory) -> Path:
    """A complete partner-level report, written once by the CLI for the module."""
    target = tmp_path_factory.mktemp("partner") / "report"
    run = subprocess.run(
        [sys.executable, "-m", "chuanyu_geo.cli", "report", "--level", "partner", "-o", str(target)],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert _level(target) == "partner"
    return target


@pytest.fixture
def earlier(partner_report, tmp_path) -> Path:
    """A copy of the partner-level report: the 'previous' one (the new runs write county level)."""
    target = tmp_path / "report"
    shutil.copytree(partner_report, target, symlinks=True)
    assert _level(target) == "partner"
    return target


@pytest.mark.parametrize(
    "mode,expected", [("mid-staging", "partner"), ("before-swap", "partner"), ("after-swap", "county")]
)
def test_kill_at_a_chosen_point(earlier, mode, expected):
    run = subprocess.run([sys.executable, "-c", CHILD, str(earlier), mode], capture_output=True, text=True)
    assert run.returncode == -signal.SIGKILL, run.stderr
    assert _level(earlier) == expected
    assert _leftovers(earlier), "the killed run left its staging directory (cleaned by the next run)"
    run = subprocess.run([sys.executable, "-c", CHILD, str(earlier), "none"], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert _level(earlier) == "county"
    assert _leftovers(earlier) == [], "the next run removed the staging directory of the killed one"


def test_kill_at_points_spread_over_the_run(earlier):
    started = time.monotonic()
    probe = _cli(earlier.with_name("probe"))
    probe.communicate()
    duration = time.monotonic() - started
    levels = []
    for fraction in (0.1, 0.3, 0.5, 0.7, 0.85, 0.95, 1.05):
        process = _cli(earlier)
        time.sleep(duration * fraction)
        process.send_signal(signal.SIGKILL)
        process.communicate()
        levels.append(_level(earlier))  # complete, whichever it is
    assert "partner" in levels[:1], "an early kill leaves the previous report"
    process = _cli(earlier)
    assert process.wait() == 0
    assert _level(earlier) == "county" and _leftovers(earlier) == []


def test_concurrent_writers_both_succeed(tmp_path):
    for round_ in range(3):
        target = tmp_path / f"race{round_}"
        processes = [_cli(target) for _ in range(3)]
        results = [p.communicate() for p in processes]
        for process, (_out, err) in zip(processes, results):
            assert process.returncode == 0 and "Traceback" not in err, err
        assert _level(target) == "county"
        assert _leftovers(target) == []


def test_a_missing_target_is_never_reported_as_written(tmp_path):
    # The swap is one rename or one exchange: no moment without a report at the target.
    target = tmp_path / "report"
    watcher = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"import os,time\nt=time.time()\nseen=False\nmissing=0\n"
            f"while time.time()-t<20:\n    e=os.path.isdir({str(target)!r})\n    seen=seen or e\n    missing+=seen and not e\n"
            f"    if seen and time.time()-t>1 and os.path.exists({str(tmp_path / 'done')!r}): break\nprint(missing)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    for _ in range(4):
        assert _cli(target).wait() == 0
    (tmp_path / "done").write_text("")
    assert watcher.communicate()[0].strip() == "0", "the target was missing at some instant"
    os.remove(tmp_path / "done")
