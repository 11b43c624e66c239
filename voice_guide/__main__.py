"""Run the command line: ``python -m voice_guide``."""

from __future__ import annotations

from voice_guide.cli.main import main

raise SystemExit(main())
