"""Fail when a string shown to users has no Chinese translation.

Refreshes the zh_Hans catalogues from the source (makemessages keeps existing
translations and adds new strings untranslated), then asks msgfmt for statistics:
any untranslated or fuzzy entry fails the check and is listed.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python")


def catalogues() -> list[Path]:
    return sorted(
        p
        for p in ROOT.glob("**/locale/zh_Hans/LC_MESSAGES/*.po")
        if ".venv" not in p.parts and "node_modules" not in p.parts
    )


def untranslated(po: Path) -> list[str]:
    """msgids of entries whose translation is empty or marked fuzzy."""
    missing: list[str] = []
    msgid = msgstr = ""
    state: str | None = None
    fuzzy = False
    for raw in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:  # an entry ends at a blank line
            if msgid and (not msgstr or fuzzy):
                missing.append(msgid)
            msgid = msgstr = ""
            state, fuzzy = None, False
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("msgid "):
            state, msgid = "id", line[6:].strip('"')
        elif line.startswith("msgid_plural"):
            state = "plural"
        elif line.startswith("msgstr"):
            state = "str"
            msgstr += line.split(" ", 1)[1].strip('"')
        elif line.startswith('"') and state == "id":
            msgid += line.strip('"')
        elif line.startswith('"') and state == "str":
            msgstr += line.strip('"')
    return missing


def main() -> int:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.local"}
    subprocess.run(
        [PYTHON, "manage.py", "makemessages", "-l", "zh_Hans", "--ignore=.venv", "--ignore=node_modules",
         "--ignore=static", "--ignore=tests", "--ignore=bench", "--add-location=file", "--no-obsolete", "-v", "0"],
        cwd=ROOT, env=env, check=True,
    )  # fmt: skip
    failed = False
    for po in catalogues():
        missing = untranslated(po)
        if missing:
            failed = True
            print(f"{po.relative_to(ROOT)}: {len(missing)} untranslated or fuzzy:", file=sys.stderr)
            for mid in missing:
                print(f"  {mid}", file=sys.stderr)
        check = subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True)
        if check.returncode != 0:
            failed = True
            print(f"{po.relative_to(ROOT)}: msgfmt --check failed:\n{check.stderr}", file=sys.stderr)
    if not catalogues():
        print("no zh_Hans catalogue found", file=sys.stderr)
        return 1
    if not failed:
        subprocess.run([PYTHON, "manage.py", "compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v", "0"],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
        print(f"translations: {len(catalogues())} zh_Hans catalogues complete")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
