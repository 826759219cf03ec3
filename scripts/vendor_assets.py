"""Copy the front-end files the portal serves from node_modules (installed by `npm ci`) into static/vendor/.

Only the built files the templates use are copied, so collectstatic stays small.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NODE = ROOT / "node_modules"
VENDOR = ROOT / "static" / "vendor"

# destination (under static/vendor) -> source (under node_modules); a folder is copied whole.
FILES = {
    "bootstrap/css/bootstrap.min.css": "bootstrap/dist/css/bootstrap.min.css",
    "bootstrap/css/bootstrap.min.css.map": "bootstrap/dist/css/bootstrap.min.css.map",
    "bootstrap/js/bootstrap.bundle.min.js": "bootstrap/dist/js/bootstrap.bundle.min.js",
    "bootstrap/js/bootstrap.bundle.min.js.map": "bootstrap/dist/js/bootstrap.bundle.min.js.map",
    "bootstrap-icons/bootstrap-icons.min.css": "bootstrap-icons/font/bootstrap-icons.min.css",
    "bootstrap-icons/fonts": "bootstrap-icons/font/fonts",
    "htmx/htmx.min.js": "htmx.org/dist/htmx.min.js",
    "echarts/echarts.min.js": "echarts/dist/echarts.min.js",
}


def main() -> int:
    if not NODE.is_dir():
        print("error: node_modules is missing: run `npm ci` (make setup does)", file=sys.stderr)
        return 1
    for dest, src in FILES.items():
        source, target = NODE / src, VENDOR / dest
        if not source.exists():
            print(f"error: {source} is missing: run `npm ci` again", file=sys.stderr)
            return 1
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.is_dir():
            shutil.copytree(source, target, dirs_exist_ok=True)
        else:
            shutil.copy2(source, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
