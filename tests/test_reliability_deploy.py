"""Read-only and packaged deployments, run as a non-root user (uid nobody).

Tests run as root, and the interpreter lives under /root (mode 700), which nobody cannot enter: so the child
imports what it needs as root, then drops to nobody with setgid/setuid before running the command. Every file
the command opens or creates is then checked against nobody's rights.

The clone itself (and its .venv) may sit in a folder nobody cannot enter either (`mktemp -d`, a home folder):
then the checkout's code and data and the packages on sys.path are mirrored (hard links, else copies) into a
world-readable temporary folder first, and the child imports from there (`readable` fixture).
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
import importlib, pkgutil
import bot.cli, bot.engine, bot.store, bot.usage, bot.export, bot.datasette, bot.paths
import sqlite3, json, csv, decimal, platformdirs, logging, argparse, tempfile, shutil, importlib.resources, importlib.metadata
import encodings.utf_8_sig, encodings.idna, encodings.ascii, encodings.latin_1, yaml, sqlite_utils
for module in pkgutil.walk_packages(bot.__path__, "bot."):  # every module of the package, whatever its layout
    if module.name != "bot.__main__" and (sys.argv[1] == "serve" or not module.name.startswith("bot.telegram")):
        try:
            importlib.import_module(module.name)
        except Exception:
            pass
if sys.argv[1] == "serve":
    import asyncio, hashlib, signal, telegram.ext, httpx, tornado.web
uid = int(os.environ.pop("AS_UID"))
if uid != os.getuid():
    os.setgroups([]); os.setgid(uid); os.setuid(uid)
sys.exit(bot.cli.main(sys.argv[1:]))
"""

try:
    NOBODY = pwd.getpwnam("nobody").pw_uid
except KeyError:
    NOBODY = None


def world_readable(path: Path) -> bool:
    """Whether any user may read path: every folder above it searchable by others, and it readable by others."""
    path = Path(os.path.abspath(path))
    try:
        if any(not folder.stat().st_mode & 0o001 for folder in path.parents):
            return False
        mode = path.stat().st_mode
    except OSError:
        return False
    return bool(mode & 0o004) and (not stat.S_ISDIR(mode) or bool(mode & 0o001))


def _link_or_copy(src: str, dst: str) -> None:
    """A hard link when the file is readable by others (instant), else a copy made readable."""
    if os.stat(src).st_mode & 0o004:
        try:
            os.link(src, dst)
            return
        except OSError:
            pass
    shutil.copy2(src, dst)
    os.chmod(dst, os.stat(dst).st_mode | 0o444)


def mirror(src: Path, dst: Path, *skip: str) -> None:
    """A world-readable copy of a folder (hard links where possible), without names matching `skip`; folders 0755."""
    shutil.copytree(src, dst, symlinks=True, copy_function=_link_or_copy, ignore=shutil.ignore_patterns(*skip))
    for folder in [dst, *[p for p in dst.rglob("*") if p.is_dir() and not p.is_symlink()]]:
        folder.chmod(0o755)


def readable_setup(base: Path) -> tuple[list[str], list[str]]:
    """(PYTHONPATH for the child, the site-packages it should use), mirroring into base what others cannot read.

    Mirrored: the checkout's bot/, queries/ and data/disclosures/ when the clone is private, and every
    site-packages folder on sys.path that others cannot read (the clone's .venv, a user's own packages).
    """
    pythonpath: list[str] = []
    if not world_readable(ROOT / "bot" / "__init__.py"):
        checkout = base / "checkout"
        for part in ("bot", "queries", "data/disclosures"):
            mirror(ROOT / part, checkout / part, "__pycache__")
        checkout.chmod(0o755)
        (checkout / "data").chmod(0o755)
        pythonpath.append(str(checkout))
    sites = []
    for k, entry in enumerate(p for p in sys.path if p.endswith(("site-packages", "dist-packages"))):
        if world_readable(Path(entry)):
            sites.append(entry)
            continue
        copy = base / f"site-{k}"
        mirror(Path(entry), copy, "__editable__*")  # the editable install points back into the private clone
        sites.append(str(copy))
        pythonpath.append(str(copy))
    return pythonpath, sites


def readable_stdlib(base: Path) -> list[str]:
    """PYTHONPATH entries for the standard library if others cannot read it (an interpreter under /root): a
    mirror without its test suites, so modules imported lazily after the drop to nobody (ctypes.util…) load."""
    stdlib = Path(os.path.dirname(os.__file__))
    if world_readable(stdlib / "os.py"):
        return []
    copy = base / "stdlib"
    mirror(stdlib, copy, "test", "tests", "idlelib", "tkinter", "turtledemo", "ensurepip", "site-packages",
           "lib2to3", "config-*")
    return [str(copy), str(copy / "lib-dynload")]


@pytest.fixture(scope="module", autouse=True)
def readable():
    """What the child needs to import and read, readable by nobody (mirrored only if the clone is private)."""
    global CHILD_PATH, SITES, STDLIB_PATH
    if os.getuid() != 0:
        yield
        return
    base = Path(tempfile.mkdtemp(prefix="budgetbot-readable-"))
    base.chmod(0o755)
    try:
        CHILD_PATH, SITES = readable_setup(base)
        STDLIB_PATH = readable_stdlib(base)
    except OSError as exc:
        shutil.rmtree(base, ignore_errors=True)
        pytest.skip(f"the clone is in a folder other users cannot read, and mirroring it to {base} failed "
                    f"({exc}); clone it somewhere world-readable to run these tests as root")
    yield
    CHILD_PATH, SITES, STDLIB_PATH = [], [p for p in sys.path if p.endswith("site-packages")], []
    shutil.rmtree(base, ignore_errors=True)


# Set by the `readable` fixture: PYTHONPATH entries for children run as nobody (the checkout and its packages;
# the standard library), and the site-packages folders a child venv should use.
CHILD_PATH: list[str] = []
STDLIB_PATH: list[str] = []
SITES: list[str] = [p for p in sys.path if p.endswith("site-packages")]


def as_user(args: list[str], env: dict, uid: int | None = None, python: str = sys.executable,
            cwd: str | None = None, **kwargs) -> subprocess.CompletedProcess | subprocess.Popen:
    """Run `budgetbot ARGS` as uid (default: nobody, or the current user when not root)."""
    uid = uid if uid is not None else (NOBODY if os.getuid() == 0 else os.getuid())
    full = {**os.environ, **env, "AS_UID": str(uid)}
    if python != sys.executable:  # another install (the wheel's venv): nothing of this checkout on its path
        full.pop("PYTHONPATH", None)
    own = CHILD_PATH if python == sys.executable else []  # the checkout's code, from where nobody can read it
    if own or STDLIB_PATH:
        full["PYTHONPATH"] = os.pathsep.join(own + STDLIB_PATH + [p for p in [full.get("PYTHONPATH")] if p])
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
    out = as_user(["build", "--db", str(data / "new.db")], env_for(site, data))  # a new file: it must be written
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


PACKAGED = ("pyproject.toml", "README.md", "bot", "queries", "data/disclosures")  # what the wheel is built from


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from a clean copy of this checkout (`pip wheel --no-deps`; no stale build/ folder in it)."""
    out = tmp_path_factory.mktemp("wheel")
    tree = tmp_path_factory.mktemp("tree")
    for part in PACKAGED:
        if (ROOT / part).is_dir():
            shutil.copytree(ROOT / part, tree / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / part, tree / part)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(tree)],
                           capture_output=True, text=True, timeout=300)
    if build.returncode != 0 and "No matching distribution" in build.stderr:
        pytest.skip("setuptools cannot be fetched to build the wheel")
    assert build.returncode == 0, build.stderr[-2000:]
    return next(out.glob("budgetbot-*.whl"))


def test_wheel_ships_every_query_and_every_disclosure(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    disclosures = [p for p in (ROOT / "data" / "disclosures").iterdir() if p.is_file() and not p.name.startswith(".")]
    assert any(p.suffix == ".pdf" for p in disclosures) and any(p.suffix == ".txt" for p in disclosures)
    missing = [p.name for p in disclosures if f"bot/disclosures/{p.name}" not in names]
    assert not missing, f"not in the wheel: {missing}"
    queries = [p.relative_to(ROOT / "queries").as_posix() for p in (ROOT / "queries").rglob("*.yaml")]
    missing = [q for q in queries if f"bot/queries/{q}" not in names]
    assert not missing, f"not in the wheel: {missing}"
    assert not any(n.endswith(".db") for n in names)


def test_installed_read_only_package_answers_from_another_folder_as_nobody(wheel, site):
    venv = site / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    lib = next((venv / "lib").glob("python3*")) / "site-packages"
    # the dependencies come from the test environment (its mirror, if nobody cannot read it); the package itself
    # only from the wheel
    (lib / "deps.pth").write_text("\n".join(SITES) + "\n")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(lib), str(wheel)],
                   check=True, timeout=300)
    for path in [venv, *venv.rglob("*")]:  # read-only for everyone
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~0o222)
    elsewhere = site / "elsewhere"
    elsewhere.mkdir()
    # The user's data folder holds only the seed's text, so the first answer builds one document, not every PDF
    # the wheel ships (that they are shipped is test_wheel_ships_every_query_and_every_disclosure's business).
    own = site / "home" / "share" / "budgetbot" / "disclosures"
    own.mkdir(parents=True)
    shutil.copy(SOURCE, own / SOURCE.name)
    if os.getuid() == 0:
        for folder in (own, own.parent, own.parent.parent):
            os.chown(folder, NOBODY, -1)
    env = {"HOME": str(site / "home"), "XDG_DATA_HOME": str(site / "home" / "share"), "PYTHONSAFEPATH": "1"}
    out = as_user(["ask", "三公经费多少"], env, python=str(venv / "bin" / "python"), cwd=str(elsewhere))
    assert out.returncode == 0, out.stderr[-2000:]
    assert "6.00万元" in out.stdout
    built = site / "home" / "share" / "budgetbot" / "budget.db"
    assert built.exists() and stat.S_IMODE(built.stat().st_mode) == 0o644
    probe = as_user(["metadata", "--out", str(site / "home" / "m.yml")], env, python=str(venv / "bin" / "python"),
                    cwd=str(elsewhere))
    assert probe.returncode == 0, probe.stderr[-2000:]
