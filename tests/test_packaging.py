"""A plain `pip install .` (not only the editable install the README uses) carries the
configs and the shipped model, and runs from any folder."""

import os
import subprocess
import sys
import tomllib
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_package_folder_is_listed_for_the_wheel():
    listed = set(
        tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]
    )
    found = {
        ".".join(init.parent.relative_to(ROOT).parts)
        for init in (ROOT / "pipeline").rglob("__init__.py")
    }
    assert found <= listed, found - listed


def test_a_wheel_installs_and_runs_the_example_anywhere(tmp_path):
    wheels = tmp_path / "wheels"
    build = [
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(wheels),
        str(ROOT),
    ]
    subprocess.run([sys.executable, "-m", *build], check=True, capture_output=True)
    # the dependencies come from this environment; only Guyub itself is installed anew
    venv.create(tmp_path / "env", system_site_packages=True, with_pip=True)
    python = tmp_path / "env" / "bin" / "python"
    wheel = next(wheels.glob("guyub-*.whl"))
    install = ["-m", "pip", "install", "--no-deps", "--no-index", "-q", str(wheel)]
    subprocess.run([python, *install], check=True, capture_output=True)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {**os.environ, "PYTHONPATH": ""}
    where = subprocess.run(
        [
            python,
            "-c",
            "import pipeline; print(pipeline.CONFIG_DIR); print(pipeline.DEFAULT_MODEL_DIR)",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert all(str(tmp_path / "env") in path for path in where), where
    ran = subprocess.run(
        [
            tmp_path / "env" / "bin" / "guyub",
            "run",
            str(ROOT / "examples" / "whatsapp_umkm_banua.txt"),
            "-o",
            "out",
            "-q",
        ],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
    )
    assert ran.returncode == 0, ran.stderr
    assert (elsewhere / "out" / "report.html").is_file()
