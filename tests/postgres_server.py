"""A real, throwaway PostgreSQL server for the tests: Debian's binaries, a temporary folder.

The server listens only on a Unix socket inside its folder (no TCP port to collide
with), trusts local connections, and skips fsync: its data lives for one test session.
It never uses the cluster Debian's package may have created and started.
As root it runs as the `postgres` user (initdb refuses root), owning its folder.
"""

from __future__ import annotations

import os
import pwd
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

BINARIES = Path("/usr/lib/postgresql")
INSTALL_HINT = (
    "PostgreSQL's server binaries are not installed (looked for "
    f"{BINARIES}/<version>/bin/initdb): run `make install-test`, which runs "
    "scripts/install-system-packages.sh"
)
PORT = 5432  # only names the socket file, in a folder of our own
SUPERUSER = "postgres"


class PostgresMissing(RuntimeError):
    """The server binaries are not installed."""


@dataclass(frozen=True)
class PostgresServer:
    """A running server: where its socket is, and how to reach it."""

    folder: Path
    bin_dir: Path

    def url(self, database: str = "postgres") -> str:
        """A `postgresql://` URL of one database, over the Unix socket."""
        return f"postgresql://{SUPERUSER}@/{database}?host={self.folder}&port={PORT}"

    def run(self, tool: str, *args: str) -> str:
        """Run one of the server's client tools (psql, pg_dump) as the superuser."""
        command = [str(self.bin_dir / tool), "-h", str(self.folder), "-p", str(PORT)]
        command += ["-U", SUPERUSER, *args]
        done = subprocess.run(command, capture_output=True, text=True, check=True)
        return done.stdout


def bin_dir() -> Path | None:
    """The bin folder of the newest PostgreSQL installed, if any."""
    found = sorted(BINARIES.glob("*/bin/initdb"), key=lambda path: int(path.parts[-3]))
    return found[-1].parent if found else None


def start() -> PostgresServer:
    """Make a cluster in a temporary folder and start a server on it."""
    binaries = bin_dir()
    if binaries is None:
        raise PostgresMissing(INSTALL_HINT)
    # In /tmp, not $TMPDIR: a socket's path must stay short, and open to the owner.
    folder = Path(tempfile.mkdtemp(prefix="faqbot-pg-", dir="/tmp"))
    owner = _owner()
    if owner is not None:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    data = folder / "data"
    options = (
        f"-k {folder} -p {PORT} -c listen_addresses='' -c fsync=off "
        "-c synchronous_commit=off -c full_page_writes=off"
    )
    try:
        _as(owner, binaries / "initdb", "-D", data, "-U", SUPERUSER, "-A", "trust",
            "-E", "UTF8", "--no-locale", "--no-sync", "--no-instructions")  # fmt: skip
        _as(owner, binaries / "pg_ctl", "-D", data, "-l", folder / "server.log",
            "-o", options, "-w", "-t", "60", "start")  # fmt: skip
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return PostgresServer(folder=folder, bin_dir=binaries)


def stop(server: PostgresServer) -> None:
    """Stop the server at once and delete its folder."""
    owner = _owner()
    data = server.folder / "data"
    _as(owner, server.bin_dir / "pg_ctl", "-D", data, "-m", "immediate", "-w", "stop")
    shutil.rmtree(server.folder, ignore_errors=True)


def _owner() -> pwd.struct_passwd | None:
    """The user to run the server as: `postgres` (else `nobody`) as root, else us."""
    if os.geteuid() != 0:
        return None
    for name in ("postgres", "nobody"):
        try:
            return pwd.getpwnam(name)
        except KeyError:
            continue
    raise RuntimeError("no user other than root to run PostgreSQL as")


def _as(owner: pwd.struct_passwd | None, *command: object) -> None:
    """Run a server command as `owner`, failing with its output."""
    as_owner = {}
    if owner is not None:
        as_owner = {"user": owner.pw_uid, "group": owner.pw_gid, "extra_groups": []}
    done = subprocess.run(
        [str(part) for part in command],
        capture_output=True,
        text=True,
        cwd="/",  # the owner may not be allowed into our working folder
        **as_owner,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{' '.join(map(str, command))} failed:\n{done.stdout}{done.stderr}"
        )
