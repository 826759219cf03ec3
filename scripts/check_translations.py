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


def translations(po: Path) -> dict[tuple[str, str], str]:
    """(context, msgid) -> msgstr of the entries that have one (singular forms only)."""
    found: dict[tuple[str, str], str] = {}
    context = msgid = msgstr = ""
    state: str | None = None
    for raw in [*po.read_text(encoding="utf-8").splitlines(), ""]:
        line = raw.strip()
        if not line:
            if msgid and msgstr:
                found[(context, msgid)] = msgstr
            context = msgid = msgstr = ""
            state = None
        elif line.startswith("msgctxt "):
            state, context = "ctxt", line[8:].strip('"')
        elif line.startswith("msgid "):
            state, msgid = "id", line[6:].strip('"')
        elif line.startswith("msgid_plural"):
            state = "plural"
        elif line.startswith("msgstr "):
            state, msgstr = "str", line[7:].strip('"')
        elif line.startswith('"') and state in ("ctxt", "id", "str"):
            text = line.strip('"')
            if state == "ctxt":
                context += text
            elif state == "id":
                msgid += text
            else:
                msgstr += text
    return found


def clashes(pos: list[Path]) -> list[str]:
    """The same English string translated differently by two apps: Django merges the catalogues,
    so only one translation would show everywhere. Such strings need a context (pgettext)."""
    seen: dict[tuple[str, str], dict[str, list[str]]] = {}
    for po in pos:
        app = po.relative_to(ROOT).parts[0]
        for key, text in translations(po).items():
            seen.setdefault(key, {}).setdefault(text, []).append(app)
    return [
        f"  {ctx + '|' if ctx else ''}{msgid}: " + "; ".join(f"{t} ({', '.join(apps)})" for t, apps in variants.items())
        for (ctx, msgid), variants in seen.items()
        if len(variants) > 1
    ]


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
    clash = clashes(catalogues())
    if clash:
        failed = True
        print("translated differently by different apps (give them a context with pgettext):", file=sys.stderr)
        print("\n".join(clash), file=sys.stderr)
    if not failed:
        subprocess.run([PYTHON, "manage.py", "compilemessages", "--ignore=.venv", "--ignore=node_modules", "-v", "0"],
                       cwd=ROOT, env=env, check=True)  # fmt: skip
        print(f"translations: {len(catalogues())} zh_Hans catalogues complete")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
