"""The committed Lambda zip: byte-identical rebuild, clean entries, importable on its own."""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata
from pathlib import Path, PurePosixPath

import pytest

from scripts.build_lambda_zip import ARTIFACT, BYTECODE_VERSIONS, VENDORED, lambda_layout

pytestmark = pytest.mark.unit

ROOT = Path(__file__).resolve().parents[2]


def test_vendored_versions_are_the_pinned_test_versions() -> None:
    pinned = (ROOT / "requirements" / "dev.txt").read_text().lower().replace("_", "-")
    for name, version in VENDORED.items():
        assert f"{name}=={version}" in pinned
        assert metadata.version(name) == version


def test_entries_are_sorted_stamped_and_free_of_machine_files() -> None:
    with zipfile.ZipFile(ARTIFACT) as archive:
        infos = archive.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}
    assert {i.external_attr >> 16 for i in infos} == {0o100644}
    assert {i.compress_type for i in infos} == {zipfile.ZIP_STORED}
    assert not [n for n in names if n.endswith(".so") or n.endswith("/RECORD")]
    sources = {
        p.relative_to(ROOT / "lambdas").as_posix() for p in (ROOT / "lambdas" / "connect_async").rglob("*.py")
    }
    # The testing kit and the layer tools are for task authors: never on Lambda.
    for_authors = {
        name for name in sources if name.startswith(("connect_async/testing", "connect_async/devtools"))
    }
    assert for_authors == {
        "connect_async/testing.py",
        *(
            f"connect_async/devtools/{n}.py"
            for n in ("__init__", "__main__", "archive", "handler", "layer", "play")
        ),
    }
    assert sources - for_authors <= set(names)
    assert not for_authors & set(names)


def test_bytecode_is_for_lambdas_pythons_unchecked_and_matches_a_source() -> None:
    with zipfile.ZipFile(ARTIFACT) as archive:
        names = set(archive.namelist())
        compiled = {n: archive.read(n) for n in names if n.endswith(".pyc")}
    assert compiled, "the artifact ships bytecode so cold starts do not compile"
    for name, data in compiled.items():
        path = PurePosixPath(name)
        module, tag, _ = path.name.rsplit(".", 2)
        assert path.parent.name == "__pycache__", name
        assert tag in {f"cpython-{v.replace('.', '')}" for v in BYTECODE_VERSIONS}, name
        source = (path.parent.parent / f"{module}.py").as_posix().removeprefix("./")
        assert source in names, f"{name} has no source"
        # PEP 552 flags: hash-based (bit 0) without check_source (bit 1): no stat, no timestamp.
        assert int.from_bytes(data[4:8], "little") == 0b01, name
    for version in BYTECODE_VERSIONS:
        tag = f"cpython-{version.replace('.', '')}"
        for handler in ("start", "check", "worker"):
            assert f"connect_async/handlers/__pycache__/{handler}.{tag}.pyc" in compiled


@pytest.fixture(scope="module")
def lambda_like_paths(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The zip extracted as /var/task, and a site dir with only what the runtime provides."""
    return lambda_layout(tmp_path_factory.mktemp("lambda"))


def _lambda_pythons() -> list[str]:
    """This interpreter, plus Lambda's python3.12 and 3.13 where the machine has them."""
    found = [sys.executable]
    for version in ("3.12", "3.13"):
        candidates = [
            shutil.which(f"python{version}"),
            *sorted(glob.glob(os.path.expanduser(f"~/.pyenv/versions/{version}*/bin/python{version}"))),
        ]
        for candidate in filter(None, candidates):
            if subprocess.run([candidate, "-c", ""], capture_output=True, check=False).returncode == 0:  # noqa: S603
                found.append(candidate)
                break
    return found


@pytest.mark.parametrize("python", _lambda_pythons())
@pytest.mark.parametrize("tracing", ["false", "true"])
def test_handlers_import_from_the_artifact_alone(
    lambda_like_paths: tuple[Path, Path], tracing: str, python: str
) -> None:
    task, runtime = lambda_like_paths
    code = (
        "import sys; sys.path[:0] = [sys.argv[1], sys.argv[2]];"
        "import connect_async.handlers.start, connect_async.handlers.check, connect_async.handlers.worker;"
        "import connect_async.tasks.demo, connect_async.tasks.bedrock;"
        "import aws_lambda_powertools, aws_xray_sdk.core, wrapt;"
        "mods = [aws_lambda_powertools, aws_xray_sdk.core, wrapt, connect_async.handlers.start];"
        "bad = [m.__name__ for m in mods if not m.__file__.startswith(sys.argv[1])];"
        "assert not bad, bad; print('ok')"
    )
    # -S: no site-packages at all, so anything not in the zip or the runtime fails to import.
    env = {"TRACING_ENABLED": tracing, "AWS_DEFAULT_REGION": "eu-west-2", "PATH": "/usr/bin:/bin"}
    done = subprocess.run(  # noqa: S603 - fixed interpreter and arguments
        [python, "-S", "-B", "-c", code, str(task), str(runtime)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().endswith("ok")
