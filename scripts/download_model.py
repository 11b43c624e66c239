#!/usr/bin/env python3
"""Download the vosk English model into models/ (same as ``voice-guide model download``).

    python scripts/download_model.py [--dir models] [--force]
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from voice_guide.cli.main import main  # noqa: E402

if __name__ == "__main__":
    raise SystemExit(main(["model", "download", *sys.argv[1:]]))
