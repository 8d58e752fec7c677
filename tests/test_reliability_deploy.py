"""Read-only and packaged deployments, run as a non-root user (uid nobody).

Tests run as root, and the interpreter lives under /root (mode 700), which nobody cannot enter: so the child
imports what it needs as root, then drops to nobody with setgid/setuid before running the command. Every file
the command opens or creates is then checked against nobody's rights.
"""
from __future__ import annotations

import asyncio
import os
import pwd
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import pytest

from fake_telegram import FakeTelegram

ROOT = Path(__file__).resolve().parent.parent
SOURCE = ROOT / "data" / "disclosures" / "xinzhou-rsj-2023-budget.txt"
PRELUDE = """
import os, sys
import bot.cli, bot.engine, bot.store, bot.usage, bot.export, bot.datasette, bot.ingest.build, bot.paths
import sqlite3, json, csv, decimal, platformdirs, logging, argparse, tempfile, shutil, importlib.resources, importlib.metadata
import encodings.utf_8_sig, encodings.idna, encodings.ascii, encodings.latin_1, yaml, sqlite_utils
import bot.ingest.parse, bot.ingest.source, bot.ingest.checks, bot.ingest.schema, bot.ingest.charmap
if sys.argv[1] == "serve":
    import asyncio, hashlib, signal, bot.telegram.app, bot.telegram.handlers, telegram.ext, httpx, tornado.web
uid = int(os.environ.pop("AS_UID"))
if uid != os.getuid():
    os.setgroups([]); os.setgid(uid); os.setuid(uid)
sys.exit(bot.cli.main(sys.argv[1:]))
"""

try:
    NOBODY = pwd.getpwnam("nobody").pw_uid
except KeyError:
    NOBODY = None


def as_user(args: list[str], env: dict, uid: int | None = None, python: str = sys.executable,
            cwd: str | None = None, **kwargs) -> subprocess.CompletedProcess | subprocess.Popen:
    """Run `budgetbot ARGS` as uid (default: nobody, or the current user when not root)."""
    uid = uid if uid is not None else (NOBODY if os.getuid() == 0 else os.getuid())
    full = {**os.environ, **env, "AS_UID": str(uid)}
    for key in ("TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "BUDGETBOT_USAGE_DB", "BUDGETBOT_INBOX", "BUDGETBOT_DB"):
        if key not in env:
            full.pop(key, None)
    cmd = [python, "-c", PRELUDE, *args]
    if kwargs.pop("background", False):
        return subprocess.Popen(cmd, env=full, cwd=cwd or "/", stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                text=True)
    return subprocess.run(cmd, env=full, cwd=cwd or "/", capture_output=True, text=True, timeout=120, **kwargs)


@pytest.fixture()
def site():
    """A world-readable folder for a deployment (pytest's tmp_path is root's own, mode 700)."""
    if os.getuid() == 0 and NOBODY is None:
        pytest.skip("no unprivileged user to run as")
    folder = Path(tempfile.mkdtemp(prefix="budgetbot-deploy-"))
    folder.chmod(0o755)
    home = folder / "home"
    home.mkdir()
    if os.getuid() == 0:
        os.chown(home, NOBODY, -1)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def read_only_data(site: Path) -> Path:
    """data/ with a built database whose disclosure is newer, the folder and files read-only."""
    data = site / "data"
    (data / "disclosures").mkdir(parents=True)
    shutil.copy(SOURCE, data / "disclosures" / SOURCE.name)
    env = {"BUDGETBOT_DATA": str(data)}
    assert as_user(["build"], env, uid=os.getuid()).returncode == 0
    later = time.time() + 60
    os.utime(data / "disclosures" / SOURCE.name, (later, later))
    for path in [data / "disclosures" / SOURCE.name, data / "budget.db", data / "metadata.yml"]:
        path.chmod(0o444)
    (data / "disclosures").chmod(0o555)
    data.chmod(0o555)
    return data


def env_for(site: Path, data: Path) -> dict:
    return {"BUDGETBOT_DATA": str(data), "HOME": str(site / "home"), "XDG_DATA_HOME": str(site / "home" / "share")}


def test_build_creates_the_database_0644(site):
    data = site / "data"
    data.mkdir()
    out = as_user(["build", "--db", str(data / "budget.db")], {"BUDGETBOT_DATA": str(data)}, uid=os.getuid())
    assert out.returncode == 0, out.stderr
    assert stat.S_IMODE((data / "budget.db").stat().st_mode) == 0o644


def test_ask_uses_a_stale_database_in_a_read_only_folder_with_one_warning(site):
    data = read_only_data(site)
    out = as_user(["ask", "三公经费多少"], env_for(site, data))
    assert out.returncode == 0, out.stderr
    assert "6.00万元" in out.stdout
    assert out.stderr.count("\n") == 1 and "not writable" in out.stderr and "Traceback" not in out.stderr


def test_build_into_a_read_only_folder_is_one_clear_line(site):
    data = read_only_data(site)
    out = as_user(["build", "--db", str(data / "budget.db")], env_for(site, data))
    assert out.returncode == 2
    assert out.stderr.strip().count("\n") == 0 and "cannot write" in out.stderr and "Traceback" not in out.stderr


def test_misses_reads_a_read_only_usage_db(site):
    from bot.usage import UsageLog

    data = site / "data"
    data.mkdir()
    log = UsageLog(data / "usage.db", enabled=True)
    log.question("局长是谁", "unknown", None)
    log.close()
    for path in data.iterdir():
        path.chmod(0o444)
    data.chmod(0o555)
    out = as_user(["misses"], env_for(site, data))
    assert out.returncode == 0 and "局长是谁" in out.stdout, out.stderr
    assert "Traceback" not in out.stderr


def test_serve_starts_with_data_read_only_and_usage_logging_off(site):
    data = read_only_data(site)

    async def main():
        fake = FakeTelegram()
        base = await fake.start()
        proc = as_user(["serve"], {**env_for(site, data), "TELEGRAM_BOT_TOKEN": fake.token,
                                   "TELEGRAM_API_URL": base}, background=True)
        try:
            fake.send_text(60, "三公经费多少")
            await fake.wait_for(lambda: fake.messages(60), timeout=60)
            assert "6.00万元" in fake.messages(60)[0]["text"]
        finally:
            proc.send_signal(signal.SIGTERM)
            _, err = proc.communicate(timeout=15)
            await fake.stop()
        assert "Traceback" not in err and "PermissionError" not in err
        assert err.count("usage log off") == 1
        # the inbox went to the user's data directory, since data/ is read-only
        assert (site / "home" / "share" / "budgetbot" / "inbox.db").exists()
    asyncio.run(main())


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from this checkout (`pip wheel --no-deps`)."""
    out = tmp_path_factory.mktemp("wheel")
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(ROOT)],
                           capture_output=True, text=True, timeout=300)
    if build.returncode != 0 and "No matching distribution" in build.stderr:
        pytest.skip("setuptools cannot be fetched to build the wheel")
    assert build.returncode == 0, build.stderr[-2000:]
    return next(out.glob("budgetbot-*.whl"))


def test_wheel_ships_queries_and_the_disclosure(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/disclosures/xinzhou-rsj-2023-budget.txt" in names
    assert "bot/queries/econ_item.yaml" in names and "bot/queries/vocabulary/aliases.yaml" in names
    assert len([n for n in names if n.startswith("bot/queries/")]) == len(list((ROOT / "queries").rglob("*.yaml")))
    assert not any(n.endswith(".db") for n in names)


def test_installed_read_only_package_answers_from_another_folder_as_nobody(wheel, site):
    venv = site / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    lib = next((venv / "lib").glob("python3*")) / "site-packages"
    # the dependencies come from the test environment; the package itself only from the wheel
    deps = [p for p in sys.path if p.endswith("site-packages")]
    (lib / "deps.pth").write_text("\n".join(deps) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(lib), str(wheel)],
                   check=True, timeout=300)
    for path in [venv, *venv.rglob("*")]:  # read-only for everyone
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)
    elsewhere = site / "elsewhere"
    elsewhere.mkdir()
    env = {"HOME": str(site / "home"), "XDG_DATA_HOME": str(site / "home" / "share"), "PYTHONSAFEPATH": "1"}
    out = as_user(["ask", "三公经费多少"], env, python=str(venv / "bin" / "python"), cwd=str(elsewhere))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "6.00万元" in out.stdout
    built = site / "home" / "share" / "budgetbot" / "budget.db"
    assert built.exists() and stat.S_IMODE(built.stat().st_mode) == 0o644
    probe = as_user(["metadata", "--out", str(site / "home" / "m.yml")], env, python=str(venv / "bin" / "python"),
                    cwd=str(elsewhere))
    assert probe.returncode == 0, probe.stderr[-2000:]
