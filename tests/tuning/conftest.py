import glob
import importlib.util
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pytest

import neuroflow as nf


@pytest.fixture(autouse=True)
def _one_thread(monkeypatch):
    # Tiny networks run faster on one thread, and two workers on a 2-core machine must not fight
    # over cores.
    monkeypatch.setenv("NEUROFLOW_THREADS", "1")


@pytest.fixture(scope="module")
def iris():
    return nf.load_dataset("iris")


# A throwaway PostgreSQL server
# -----------------------------------------------------------------------
PG_PASSWORD = "s3cret-pw"


def postgres_bin() -> Path | None:
    """The folder of initdb and pg_ctl: Debian's /usr/lib/postgresql/VERSION/bin, else PATH."""
    for folder in sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True):
        if (Path(folder) / "initdb").is_file() and (Path(folder) / "pg_ctl").is_file():
            return Path(folder)
    initdb = shutil.which("initdb")
    return Path(initdb).resolve().parent if initdb and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def postgres_url():
    """postgresql://neuroflow:PASSWORD@127.0.0.1:PORT/postgres on a cluster made for this session.

    initdb and pg_ctl in a temporary folder, on a free port, stopped and removed afterwards.
    PostgreSQL refuses to run as root: as root, the server runs as `nobody`. Under CI=true this
    never skips.
    """
    bin_dir = postgres_bin()
    missing = None if bin_dir else "no PostgreSQL server binaries (initdb, pg_ctl) on this machine"
    if not missing and not (
        importlib.util.find_spec("psycopg") or importlib.util.find_spec("psycopg2")
    ):
        missing = "no PostgreSQL driver: pip install 'neuroflow[postgres]'"
    if missing:
        if os.environ.get("CI") == "true":
            pytest.fail(f"{missing}; .ci/run installs them (apt-get install postgresql)")
        pytest.skip(f"{missing} (apt-get install postgresql)")
    folder = Path(tempfile.mkdtemp(prefix="neuroflow-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(folder, "nobody")
        as_user = ["runuser", "-u", "nobody", "--"]
    (folder / "pw").write_text(PG_PASSWORD + "\n")
    if as_user:
        shutil.chown(folder / "pw", "nobody")
    data, port = folder / "data", _free_port()

    def run(*args: str) -> None:
        subprocess.run([*as_user, *args], check=True, capture_output=True, timeout=120)

    run(str(bin_dir / "initdb"), "-D", str(data), "-U", "neuroflow", f"--pwfile={folder / 'pw'}",
        "--auth-host=scram-sha-256", "--auth-local=trust", "--no-sync", "-E", "UTF8")  # fmt: skip
    options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
    run(str(bin_dir / "pg_ctl"), "-D", str(data), "-l", str(folder / "log"), "-o", options, "-w",
        "start")  # fmt: skip
    try:
        yield f"postgresql://neuroflow:{PG_PASSWORD}@127.0.0.1:{port}/postgres"
    finally:
        subprocess.run([*as_user, str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate",
                        "-w", "stop"], capture_output=True, timeout=120)  # fmt: skip
        shutil.rmtree(folder, ignore_errors=True)
