"""Plans as a dimension (issue 13): the ten platforms, dated facts, treatment dates, the engine's independence."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import chuanyu_geo as cg
from chuanyu_geo import cli

PACKAGE = Path(cg.__file__).parent


def test_nine_and_ten():
    assert len(cg.platforms()) == 9 and len(cg.platforms(plan="2020")) == 9
    ten = cg.platforms(plan="2023")
    assert len(ten) == 10 and [p.id for p in ten[:9]] == [p.id for p in cg.platforms()]
    tenth = cg.get_platform("川南渝西", plan="2023")
    assert tenth.cluster == "southwest" and tenth.plan == "2023"
    partner = cg.membership(level="partner", plan="2023")
    names = set(partner.loc[partner["platform_id"] == tenth.id, "name"])
    assert names == {
        "自贡市",
        "泸州市",
        "内江市",
        "宜宾市",
        "江津区",
        "永川区",
        "綦江区",
        "大足区",
        "铜梁区",
        "荣昌区",
    }
    assert set(partner.loc[partner["name"] == "内江市", "platform"]) == {"内荣", "川南渝西"}
    with pytest.raises(cg.UnknownPlatformError):
        cg.get_platform("川南渝西")  # not in the 2020 plan
    southwest = next(c for c in cg.clusters(plan="2023") if c.id == "southwest")
    assert southwest.platform_ids == ("neirong", "luyongjiang", "chuannanyuxi")


def test_plans_registry_names_documents():
    table = cg.plans().set_index("id")
    assert (
        table.loc["2020", "document"] == "渝府办发〔2020〕97号" and table.loc["2020", "date"] == "2020-07-27"
    )
    assert table.loc["2023", "n_platforms"] == 10
    assert table["source"].str.len().min() > 10
    with pytest.raises(
        cg.InvalidArgumentError, match="plan='2021' is not valid; expected one of: 2020, 2023"
    ):
        cg.platforms(plan="2021")


@pytest.mark.parametrize("plan", ["2020", "2023"])
@pytest.mark.parametrize("event", ["designated", "overall_plan"])
def test_treatment_table_rows_equal_membership_rows(plan, event):
    treatment = cg.treatment_table(plan=plan, level="county", vintage="2024", event=event)
    members = cg.membership(level="county", vintage="2024", plan=plan)
    assert list(zip(treatment["adcode"], treatment["platform_id"])) == list(
        zip(members["adcode"], members["platform_id"])
    )
    if event == "designated":
        assert treatment["date"].notna().all() and treatment["treated"].notna().all()
    known = treatment[treatment["date"].notna()]
    assert (known["date_precision"] != "unknown").all() and known["date_source"].notna().all()
    unknown = treatment[treatment["date"].isna()]
    assert set(unknown["platform_id"]) <= {"neirong"}, "only 内荣's overall plan has no date"
    several = treatment[treatment["in_several"]]
    assert (several.groupby("adcode")["platform_id"].count() > 1).all()


def test_every_output_names_its_plan(tmp_path, capsys):
    report = cg.adjacency_report(plan="2023")
    assert report.meta["plan"]["id"] == "2023" and report.meta["coverage"]["plan"] == "2023"
    assert len(report.tables["platforms"]) == 10
    assert "plan id 2023" in report.to_markdown()
    assert "方案 2023" in cg.platform_map(tiles=None, plan="2023").get_root().render()
    assert "plan 2023" in cg.platform_map(tiles=None, plan="2023", lang="en").get_root().render()
    assert cli.main(["platforms", "--plan", "2023", "--format", "json", "-o", str(tmp_path / "p.json")]) == 0
    assert '"plan": "2023"' in (tmp_path / "p.json").read_text(encoding="utf-8")
    assert cli.main(["report", "--plan", "2023", "--format", "csv", "-o", str(tmp_path / "r")]) == 0
    with pytest.raises(SystemExit):
        cli.main(["map", "--plan", "2021", "-o", str(tmp_path / "m.html")])
    assert "invalid choice: '2021'" in capsys.readouterr().err


def test_a_user_plan_file_can_extend_a_builtin_one(tmp_path):
    path = tmp_path / "mine.toml"
    path.write_text(
        'extends = "platforms.toml"\n\n[[platforms]]\nid = "mine"\nname = "我的平台"\ncluster = "central"\npartners = ["遂宁", "潼南"]\n',
        encoding="utf-8",
    )
    mine = cg.load_platforms(path)
    assert len(mine) == 10 and mine[-1].id == "mine" and mine[0].designated.date == "2020-07-27"


def _imports(module: Path) -> set[str]:
    tree = ast.parse(module.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            found.add(("." * node.level) + (node.module or ""))
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def test_the_contiguity_engine_knows_nothing_of_the_region():
    modules = sorted((PACKAGE / "contiguity").glob("*.py"))
    assert len(modules) > 1, modules
    # Read from the package: ``..coords`` in the subpackage is the package's ``.coords``.
    imported = {name[1:] if name.startswith("..") else name for m in modules for name in _imports(m)}
    region = {
        ".platforms",
        ".gazetteer",
        ".regions",
        ".boundaries",
        ".metrics",
        ".maps",
        ".stats",
        ".harmonise",
    }
    assert not imported & region, imported & region
    assert not any(name.startswith("chuanyu_geo") for name in imported)


def test_join_table_lives_outside_maps():
    modules = sorted((PACKAGE / "maps").glob("*.py"))
    assert "..tables.joins" in _imports(PACKAGE / "maps" / "__init__.py") and not any(
        "def join_table" in module.read_text(encoding="utf-8") for module in modules
    )


def test_ruff_is_clean():
    ruff = shutil.which("ruff") or str(Path(sys.executable).parent / "ruff")
    run = subprocess.run(
        [ruff, "check", "chuanyu_geo", "tests", "scripts", "benchmarks", "docs"],
        capture_output=True,
        text=True,
        cwd=PACKAGE.parent,
    )
    assert run.returncode == 0, run.stdout[-2000:]
    formatted = subprocess.run(
        [ruff, "format", "--check", "."], capture_output=True, text=True, cwd=PACKAGE.parent
    )
    assert formatted.returncode == 0, formatted.stdout[-2000:]


@pytest.mark.parametrize("plan", ["2020", "2023"])
def test_every_platform_keeps_the_names_its_file_gives(plan):
    # A loop variable once overwrote 高竹新区's name with the last of its footprint units.
    import importlib

    data = importlib.import_module("chuanyu_geo.platforms")._plan_data(plan)
    for entry, platform in zip(data["platforms"], cg.platforms(plan=plan)):
        assert (platform.id, platform.name, platform.name_en) == (
            entry["id"],
            entry["name"],
            entry["name_en"],
        )
    assert cg.get_platform("gaozhu", plan=plan).name == "川渝高竹新区"


def test_all_is_a_literal_list_of_every_public_name_and_the_version_has_one_home():
    tree = ast.parse((PACKAGE / "__init__.py").read_text(encoding="utf-8"))
    (node,) = [
        n for n in tree.body if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "__all__"
    ]
    names = ast.literal_eval(node.value)  # raises unless a literal
    assert sorted(names) == sorted(set(names)) and all(hasattr(cg, n) for n in names)
    assert set(cg._LAZY) <= set(names)
    pyproject = (PACKAGE.parent / "pyproject.toml").read_text(encoding="utf-8")
    assert 'dynamic = ["version"]' in pyproject and "\nversion =" not in pyproject
    from importlib.metadata import version

    assert version("chuanyu-geo") == cg.__version__


def test_every_public_function_and_method_has_examples_that_run_as_doctests():
    import inspect

    missing = []
    for name in cg.__all__:
        obj = getattr(cg, name)
        if inspect.isfunction(obj) and "Examples\n" not in (obj.__doc__ or ""):
            missing.append(name)
        if inspect.isclass(obj) and not issubclass(obj, (Exception, Warning)):
            missing += [
                f"{name}.{attr}"
                for attr, member in vars(obj).items()
                if not attr.startswith("_")
                and inspect.isfunction(member)
                and "Examples\n" not in (member.__doc__ or "")
            ]
    assert missing == []
