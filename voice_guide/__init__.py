"""voice-guide: an offline voice companion for cancer patient education."""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
