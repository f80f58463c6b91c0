"""Nothing a shared file can do (issue 19): data directories, platform files and the CLI.

A directory in ``CHUANYU_GEO_DATA`` is untrusted input: a FIFO, a device, a symlink that
leads out, a huge or malformed file each give one error naming the file, quickly, and a bad
environment never breaks ``import chuanyu_geo``, ``--help`` or ``--version``. Data packs are
built in ``tmp_path`` after the pattern of ``tests/data/third`` (see test_registries.py);
their layers are byte copies of the 2025 layers under the id "2026", which is all these
checks need. Anything that could hang runs in a child process with a timeout.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import copy_vintage_layers

import chuanyu_geo as cg
from chuanyu_geo import boundaries, cli

THIRD = Path(__file__).parent / "data" / "third"
FAST_S = 5.0  # every refusal below must come within this (a FIFO used to hang forever)


def _pack(root: Path, plans: bool = False) -> Path:
    """A data directory with vintage 2026 (its layers: copies of 2025) and, if asked, plan 2030."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(THIRD / "vintages.toml", root / "vintages.toml")
    if plans:
        for name in ("plans.toml", "platforms-2030.toml"):
            shutil.copy(THIRD / name, root / name)
    copy_vintage_layers(root, "2026")
    return root


def _write_manifest(root: Path, files: dict) -> None:
    (root / "boundaries" / "manifest.json").write_text(json.dumps({"files": files}), encoding="utf-8")


def _manifest_files(root: Path) -> dict:
    return json.loads((root / "boundaries" / "manifest.json").read_text(encoding="utf-8"))["files"]


def _replace_layer(root: Path, name: str, raw: bytes) -> None:
    """Put ``raw`` in place of a layer with a manifest entry that matches it (a crafted pack)."""
    (root / "boundaries" / name).unlink()
    (root / "boundaries" / name).write_bytes(raw)
    files = _manifest_files(root)
    files[name].update(sha256=hashlib.sha256(raw).hexdigest(), bytes=len(raw))
    _write_manifest(root, files)


def _run(
    args: list[str], data: Path | str | None, cwd: Path, **env
) -> tuple[subprocess.CompletedProcess, float]:
    """The CLI (or ``python -c`` when args[0] == "-c") in a child, with its wall time."""
    child_env = dict(os.environ, **env)
    child_env.pop("CHUANYU_GEO_DATA", None)
    if data is not None:
        child_env["CHUANYU_GEO_DATA"] = str(data)
    command = [sys.executable, *args] if args[0] == "-c" else [sys.executable, "-m", "chuanyu_geo.cli", *args]
    start = time.monotonic()
    done = subprocess.run(command, env=child_env, cwd=cwd, capture_output=True, text=True, timeout=60)
    return done, time.monotonic() - start


def _one_line_error(done: subprocess.CompletedProcess, *expected: str) -> str:
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, done.stderr[-2000:]
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr[-2000:]
    assert lines[0].startswith("chuanyu-geo: error: "), lines
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


# --------------------------------------------------------------------------- a bad environment


def test_a_bad_data_env_never_breaks_import_help_or_version(tmp_path):
    bad = "/nonexistent-chuanyu"
    done, _ = _run(["-c", "import chuanyu_geo as cg; print(cg.VINTAGES)"], bad, tmp_path)
    assert done.returncode == 0 and "2025" in done.stdout, done.stderr[-2000:]
    done, _ = _run(["--version"], bad, tmp_path)
    assert done.returncode == 0 and done.stdout.strip() == f"chuanyu-geo {cg.__version__}", done.stderr
    done, _ = _run(["--help"], bad, tmp_path)
    assert done.returncode == 0 and "--version" in done.stdout and not done.stderr, done.stderr
    done, _ = _run(["platforms", "--help"], bad, tmp_path)
    assert done.returncode == 0 and "--raw-csv" in done.stdout, done.stderr
    for args in (["layers"], ["platforms"], ["report", "--format", "md"], ["map", "-o", "m.html"]):
        done, seconds = _run(args, bad, tmp_path)
        _one_line_error(done, "CHUANYU_GEO_DATA", bad, "not a directory")
        assert seconds < FAST_S, (args, seconds)
    assert sorted(p.name for p in tmp_path.iterdir()) == [], "nothing was written"


DATA_CALLS = r"""
import chuanyu_geo as cg
from chuanyu_geo import boundaries
calls = {
    "load_boundaries": lambda: cg.load_boundaries(),
    "layer_info": lambda: cg.layer_info(),
    "check_choice": lambda: boundaries.check_choice("level", "county", boundaries.LEVELS),
    "plans": lambda: cg.plans(),
    "platforms": lambda: cg.platforms(),
    "crosswalk": lambda: cg.crosswalk("2025"),
    "resolve": lambda: cg.resolve("合川"),
}
for name, call in calls.items():
    try:
        call()
    except cg.ChuanyuGeoError as exc:
        message = str(exc)
        assert "\n" not in message, message
        print(name, type(exc).__name__, message)
    else:
        print(name, "RAN")
"""


@pytest.mark.parametrize(
    "make, expected",
    [
        (lambda d: None, "not a directory"),
        (
            lambda d: (d.mkdir(), (d / "vintages.toml").write_text("[[vintages]\nid = 1\n")),
            "is not valid TOML",
        ),
        (lambda d: (d.mkdir(), (d / "vintages.toml").write_text('vintages = "2026"\n')), "must be a list"),
        (
            lambda d: (d.mkdir(), (d / "vintages.toml").write_text('default = "1999"\n')),
            "not a listed vintage",
        ),
        (lambda d: (d.mkdir(), os.mkfifo(d / "vintages.toml")), "not a regular file"),
    ],
    ids=["missing", "bad-toml", "not-a-list", "bad-default", "fifo-registry"],
)
def test_a_bad_data_directory_is_raised_by_every_data_call_not_at_import(tmp_path, make, expected):
    folder = tmp_path / "pack"
    make(folder)
    done, seconds = _run(["-c", DATA_CALLS], folder, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert seconds < 2 * FAST_S + 5, seconds  # seven calls in one child: none may hang
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 7 and not any(line.endswith("RAN") for line in lines), lines
    assert all(expected in line for line in lines), lines
    named = str(folder) if expected == "not a directory" else str(folder / "vintages.toml")
    assert all(named in line for line in lines), lines


def test_a_bad_plans_registry_names_the_file(tmp_path):
    folder = tmp_path / "pack"
    folder.mkdir()
    (folder / "plans.toml").write_text("[[plans]]\nid = \n", encoding="utf-8")
    done, _ = _run(["-c", "import chuanyu_geo as cg; cg.plans()"], folder, tmp_path)
    assert done.returncode == 1 and "DefinitionError" in done.stderr
    assert f"{folder / 'plans.toml'} is not valid TOML" in done.stderr
    done, seconds = _run(["platforms"], folder, tmp_path)
    _one_line_error(done, "plans.toml", "not valid TOML")
    assert seconds < FAST_S


# --------------------------------------------------------------------------- special files in a data pack


def test_a_good_pack_works_also_through_symlinks_that_stay_inside(tmp_path):
    pack = _pack(tmp_path / "pack")
    layers = pack / "boundaries"
    (layers / "real").mkdir()
    name = "county_2026_standard.fgb"
    (layers / name).rename(layers / "real" / name)
    (layers / name).symlink_to(Path("real") / name)  # relative, inside the directory
    (tmp_path / "link").symlink_to(pack)  # the data directory itself may be a link
    done, seconds = _run(["layers", "--vintage", "2026", "--format", "json"], tmp_path / "link", tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    layers_out = json.loads(done.stdout)["layers"]
    assert len(layers_out) == 8 and {row["vintage"] for row in layers_out} == {"2026"}


@pytest.mark.parametrize("target", ["county_2026_standard.fgb", "manifest.json"])
def test_a_fifo_in_a_pack_is_refused_at_once(tmp_path, target):
    pack = _pack(tmp_path / "pack")
    (pack / "boundaries" / target).unlink()
    os.mkfifo(pack / "boundaries" / target)
    done, seconds = _run(["layers", "--vintage", "2026"], pack, tmp_path)
    _one_line_error(done, target, "not a regular file")
    assert seconds < FAST_S, f"took {seconds:.1f} s"


@pytest.mark.parametrize(
    "target, link",
    [
        ("county_2026_standard.fgb", "/dev/zero"),
        ("manifest.json", "/dev/zero"),
        ("county_2026_standard.fgb", "OUTSIDE"),
        ("manifest.json", "../../outside.json"),
    ],
    ids=["layer-devzero", "manifest-devzero", "layer-outside", "manifest-relative-outside"],
)
def test_a_symlink_out_of_the_pack_is_refused(tmp_path, target, link):
    pack = _pack(tmp_path / "pack")
    outside = tmp_path / "outside.json"
    shutil.copy(pack / "boundaries" / target, outside)  # same bytes: only where it is differs
    (pack / "boundaries" / target).unlink()
    (pack / "boundaries" / target).symlink_to(str(outside) if link == "OUTSIDE" else link)
    done, seconds = _run(["layers", "--vintage", "2026"], pack, tmp_path)
    _one_line_error(done, target, "leads outside its data directory")
    assert seconds < FAST_S, f"took {seconds:.1f} s"


def test_a_registry_symlinked_out_of_the_pack_is_refused(tmp_path):
    pack = _pack(tmp_path / "pack")
    shutil.move(pack / "vintages.toml", tmp_path / "vintages.toml")
    (pack / "vintages.toml").symlink_to(tmp_path / "vintages.toml")
    done, _ = _run(["layers"], pack, tmp_path)
    _one_line_error(done, "vintages.toml", "leads outside its data directory")


def test_oversized_files_are_refused_with_the_limit(tmp_path):
    pack = _pack(tmp_path / "pack")
    layer = pack / "boundaries" / "county_2026_standard.fgb"
    with open(layer, "r+b") as fh:  # sparse: no 200 MB written
        fh.truncate(200_000_001)
    done, seconds = _run(["layers", "--vintage", "2026"], pack, tmp_path)
    _one_line_error(done, "county_2026_standard.fgb", "200,000,001 bytes", "the limit is 200,000,000 bytes")
    assert seconds < FAST_S
    with open(pack / "boundaries" / "manifest.json", "r+b") as fh:
        fh.truncate(1_000_001)
    done, _ = _run(["layers", "--vintage", "2026"], pack, tmp_path)
    _one_line_error(done, "manifest.json", "the limit is 1,000,000 bytes")
    with open(pack / "vintages.toml", "r+b") as fh:
        fh.truncate(1_000_001)
    done, _ = _run(["layers"], pack, tmp_path)
    _one_line_error(done, "vintages.toml", "the limit is 1,000,000 bytes")


@pytest.mark.parametrize(
    "manifest, expected",
    [
        (b"{not json", "is not valid JSON"),
        (b"\xff\xfe", "is not valid JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "is not valid JSON"),
        (b'{"files": []}', "has no 'files' table"),
        (b'{"files": {"county_2026_standard.fgb": {"sha256": "x"}}}', "needs a non-negative integer 'bytes'"),
        (
            json.dumps(
                {
                    "files": {
                        "a.fgb": {"sha256": "A" * 64, "bytes": 1, "features": 1, "vertices": 1, "source": "s"}
                    }
                }
            ).encode(),
            "64 lower-case hex",
        ),
    ],
    ids=["syntax", "not-utf8", "deep", "files-list", "missing-keys", "bad-sha"],
)
def test_a_malformed_manifest_is_one_error_naming_it(tmp_path, manifest, expected):
    pack = _pack(tmp_path / "pack")
    (pack / "boundaries" / "manifest.json").write_bytes(manifest)
    done, seconds = _run(["layers", "--vintage", "2026"], pack, tmp_path)
    _one_line_error(done, str(pack / "boundaries" / "manifest.json"), expected)
    assert seconds < FAST_S


def _fgb_bytes() -> bytes:
    return (boundaries.data_dir() / "province_2025_standard.fgb").read_bytes()


@pytest.mark.parametrize(
    "raw, expected",
    [
        (os.urandom(5000), "is not a FlatGeobuf file"),
        (b"", "is not a FlatGeobuf file"),
        (b'{"type": "FeatureCollection", "features": []}', "is not a FlatGeobuf file"),
        (b'<OGRVRTDataSource><OGRVRTLayer name="x"><SrcDataSource>/etc/passwd</SrcDataSource>', "FlatGeobuf"),
        (_fgb_bytes()[:3000], "cannot be read as a layer"),
        (_fgb_bytes()[:12] + os.urandom(4000), "cannot be read as a layer"),
    ],
    ids=["random", "empty", "geojson", "vrt", "truncated", "garbage-after-magic"],
)
def test_a_crafted_layer_that_matches_its_crafted_manifest_is_one_error(tmp_path, raw, expected):
    pack = _pack(tmp_path / "pack")
    _replace_layer(pack, "county_2026_standard.fgb", raw)
    done, seconds = _run(["layers", "--vintage", "2026"], pack, tmp_path)
    _one_line_error(done, "county_2026_standard.fgb", expected)
    assert seconds < FAST_S


def test_a_valid_layer_of_the_wrong_shape_is_refused(tmp_path):
    import geopandas as gpd

    pack = _pack(tmp_path / "pack")
    frame = gpd.read_file(boundaries.data_dir() / "province_2025_standard.fgb").drop(columns=["adcode"])
    frame.to_file(tmp_path / "x.fgb", driver="FlatGeobuf")
    _replace_layer(pack, "county_2026_standard.fgb", (tmp_path / "x.fgb").read_bytes())
    done, _ = _run(["layers", "--vintage", "2026"], pack, tmp_path)
    _one_line_error(done, "county_2026_standard.fgb", "lacks the column(s) adcode")


def test_a_vintage_id_cannot_walk_out_of_the_pack(tmp_path):
    pack = _pack(tmp_path / "pack")
    text = (pack / "vintages.toml").read_text(encoding="utf-8").replace('id = "2026"', 'id = "../../x"')
    (pack / "vintages.toml").write_text(text, encoding="utf-8")
    done, _ = _run(["layers"], pack, tmp_path)
    _one_line_error(done, "vintages.toml", "must be letters, digits")


def test_a_plan_cannot_read_a_platform_file_outside_its_pack(tmp_path):
    pack = _pack(tmp_path / "pack", plans=True)
    (tmp_path / "secret.toml").write_text('password = "hunter2"\n', encoding="utf-8")
    plans = (pack / "plans.toml").read_text(encoding="utf-8")
    (pack / "plans.toml").write_text(
        plans.replace('"platforms-2030.toml"', '"../secret.toml"'), encoding="utf-8"
    )
    done, _ = _run(["platforms", "--plan", "2030"], pack, tmp_path)
    line = _one_line_error(done, "secret.toml", "leads outside its data directory")
    assert "password" not in line and "hunter2" not in line


# --------------------------------------------------------------------------- platform files


def _platform(pid: str = "x", partners: str = '["合川", "武胜"]', name: str = "测试") -> str:
    return f'[[platforms]]\nid = "{pid}"\nname = "{name}"\ncluster = "central"\npartners = {partners}\n'


def test_extends_stays_in_the_directory_of_the_platform_file(tmp_path):
    mine = tmp_path / "mine"
    mine.mkdir()
    (tmp_path / "secret.toml").write_text('password = "hunter2"\n[api]\ntoken = "abc"\n', encoding="utf-8")
    (mine / "local-secret.toml").write_text('password = "hunter2"\n', encoding="utf-8")
    (mine / "link.toml").symlink_to(tmp_path / "secret.toml")
    (mine / "base.toml").write_text(_platform("base"), encoding="utf-8")
    (mine / "inner-link.toml").symlink_to("base.toml")
    cases = {
        "../secret.toml": "leads outside the platform file's directory",
        str(tmp_path / "secret.toml"): "leads outside the platform file's directory",
        "link.toml": "leads outside the platform file's directory",
        "local-secret.toml": "is not a platform file",
        "glossary.toml": "not a built-in platform file",  # a package file that is no plan's
        "../../chuanyu_geo/vintages.toml": "not a built-in platform file",
        "../../chuanyu_geo/data/vintages.toml": "not a built-in platform file",
        "data/vintages.toml": "not a built-in platform file",  # a package path, not a plan's file
    }
    for target, expected in cases.items():
        path = mine / "user.toml"
        path.write_text(f"extends = {json.dumps(target)}\n" + _platform(), encoding="utf-8")
        with pytest.raises(cg.DefinitionError) as err:
            cg.load_platforms(path)
        message = str(err.value)
        assert expected in message, (target, message)
        assert "password" not in message and "hunter2" not in message and "api" not in message, message
    path.write_text('extends = "inner-link.toml"\n' + _platform(), encoding="utf-8")
    assert [p.id for p in cg.load_platforms(path)] == ["base", "x"], "a link inside the directory is fine"
    path.write_text('extends = "platforms.toml"\n' + _platform(), encoding="utf-8")
    assert len(cg.load_platforms(path)) == 10, "a built-in plan file may be extended"


def test_extends_cycles_are_refused(tmp_path):
    (tmp_path / "a.toml").write_text('extends = "b.toml"\n' + _platform("a"), encoding="utf-8")
    (tmp_path / "b.toml").write_text('extends = "a.toml"\n' + _platform("b"), encoding="utf-8")
    with pytest.raises(cg.DefinitionError, match="makes a cycle"):
        cg.load_platforms(tmp_path / "a.toml")
    (tmp_path / "self.toml").write_text('extends = "self.toml"\n' + _platform("s"), encoding="utf-8")
    with pytest.raises(cg.DefinitionError, match="makes a cycle"):
        cg.load_platforms(tmp_path / "self.toml")


def test_absurd_platform_files_are_refused_early(tmp_path):
    many_partners = "[" + ", ".join(['"合川"'] * 60_000) + "]"  # ~0.6 MB
    (tmp_path / "partners.toml").write_text(_platform(partners=many_partners), encoding="utf-8")
    (tmp_path / "platforms.toml").write_text(
        "".join(_platform(f"p{i}") for i in range(201)), encoding="utf-8"
    )
    (tmp_path / "big.toml").write_text(_platform(partners=many_partners * 10), encoding="utf-8")
    for name, expected in (
        ("partners.toml", "the limit is 2,000 per platform set"),
        ("platforms.toml", "201 platforms; the limit is 200"),
        ("big.toml", "the limit is 5,000,000 bytes"),
    ):
        start = time.monotonic()
        with pytest.raises(cg.DefinitionError) as err:
            cg.load_platforms(tmp_path / name)
        assert time.monotonic() - start < FAST_S
        assert expected in str(err.value) and name in str(err.value), str(err.value)
    done, seconds = _run(["platforms", "--file", "partners.toml"], None, tmp_path)
    _one_line_error(done, "partners.toml", "the limit is 2,000")
    assert seconds < FAST_S, seconds


def test_an_empty_platform_path_is_an_error(tmp_path):
    with pytest.raises(cg.DefinitionError, match="path is empty"):
        cg.load_platforms("")
    for args, expected in (
        (["platforms", "--file", ""], "--file is empty"),
        (["platforms", "-o", ""], "--output is empty"),
        (["layers", "--vintage", "1999"], "invalid choice: '1999'"),
    ):
        done, _ = _run(args, None, tmp_path)
        _one_line_error(done, expected)


# --------------------------------------------------------------------------- the command line's output


def test_a_closed_stdout_ends_quietly(tmp_path):
    for args in (["layers"], ["platforms", "--format", "csv"], ["--help"]):
        child = subprocess.Popen(
            [sys.executable, "-m", "chuanyu_geo.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=tmp_path,
        )
        child.stdout.close()  # the reader is gone before the command writes (`| head -0`)
        _, err = child.communicate(timeout=120)
        assert b"Traceback" not in err and b"BrokenPipe" not in err and not err.strip(), err[-2000:]
        assert child.returncode in (0, cli.EXIT_BROKEN_PIPE), child.returncode
    assert cli.EXIT_BROKEN_PIPE == 141


def test_an_undecodable_output_path_with_a_strict_stdout(tmp_path):
    name = os.fsdecode(b"\xff.csv")
    done = subprocess.run(
        [sys.executable, "-m", "chuanyu_geo.cli", "layers", "--format", "csv", "-o", name],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
        env=dict(os.environ, PYTHONIOENCODING="utf-8:strict"),
    )
    assert done.returncode == 0 and b"Traceback" not in done.stderr, done.stderr[-2000:]
    assert done.stdout == b"wrote \\xff.csv\n", done.stdout
    assert (tmp_path / os.fsdecode(b"\xff.csv")).read_bytes().startswith("\ufeffvintage".encode())


def test_csv_output_defuses_formulas_unless_raw_csv(tmp_path, capsys):
    path = tmp_path / "mine.toml"
    path.write_text(_platform(name="=HYPERLINK(1)") + 'short_name = "@SUM(A1)"\n', encoding="utf-8")
    assert cli.main(["platforms", "--file", str(path), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert ",'=HYPERLINK(1)," in out and ",'@SUM(A1)," in out
    assert cli.main(["platforms", "--file", str(path), "--format", "csv", "--raw-csv"]) == 0
    out = capsys.readouterr().out
    assert ",=HYPERLINK(1)," in out and "'=" not in out


def test_layers_csv_defuses_a_crafted_manifest_source(tmp_path):
    pack = _pack(tmp_path / "pack")
    files = _manifest_files(pack)
    files["county_2026_standard.fgb"]["source"] = "=cmd|' /C calc'!A0"
    _write_manifest(pack, files)
    done, _ = _run(["layers", "--vintage", "2026", "--format", "csv"], pack, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert ",'=cmd|' /C calc'!A0" in done.stdout or "\"'=cmd|' /C calc'!A0\"" in done.stdout, done.stdout
    done, _ = _run(["layers", "--vintage", "2026", "--format", "csv", "--raw-csv"], pack, tmp_path)
    assert "'=cmd" not in done.stdout and "=cmd|" in done.stdout
