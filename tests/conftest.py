"""Shared fixtures: the built-in library and matcher are built once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from voice_guide.content import Library, load_library
from voice_guide.matcher import Matcher

REPO = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture(scope="session")
def library() -> Library:
    return load_library()


@pytest.fixture(scope="session")
def matcher(library: Library) -> Matcher:
    return Matcher(library)
