"""`make run`: embedded servers (unless URLs are given), migrations, demo data, then web + worker + beat.

Ctrl-C stops the three processes and then the embedded servers this command started.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from core import embedded  # noqa: E402

PYTHON = str(ROOT / ".venv" / "bin" / "python")


def fail(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)
    sys.exit(1)


def port_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def manage(*args: str) -> None:
    result = subprocess.run([PYTHON, "manage.py", *args], cwd=ROOT)
    if result.returncode != 0:
        fail(f"`manage.py {' '.join(args)}` failed (exit {result.returncode}); see the output above")


def main() -> None:
    port_text = os.environ.get("PORT", "8000")
    if not port_text.isdigit():
        fail(f"PORT must be a number, not {port_text!r}")
    port = int(port_text)
    if not port_free(port):
        fail(f"port {port} is already in use; stop what uses it or choose another: PORT=8001 make run")

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
    try:
        started = embedded.configure_environment()
    except embedded.EmbeddedServerError as exc:
        fail(str(exc))
    os.environ["PORT"] = str(port)

    manage("migrate", "--no-input", "-v", "0")
    manage("seed_demo")

    print(f"\nThe portal: http://127.0.0.1:{port}/   (API docs: http://127.0.0.1:{port}/api/docs/)")
    print("Ctrl-C stops the web server, the worker, beat and the embedded servers.\n", flush=True)

    honcho = subprocess.Popen([str(ROOT / ".venv" / "bin" / "honcho"), "-f", "Procfile", "start"], cwd=ROOT)
    # The terminal sends Ctrl-C to honcho too; this process waits for it to stop its children.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: honcho.terminate())
    code = honcho.wait()
    if started:
        print(f"stopping the embedded servers: {', '.join(started)}", flush=True)
        embedded.stop(started)
    sys.exit(code if code > 0 else 0)


if __name__ == "__main__":
    main()
