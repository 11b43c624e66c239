"""The malloc-arena limit that keeps long sessions' memory flat applies on glibc."""

from __future__ import annotations

import platform

import pytest

from voice_guide.memory import limit_malloc_arenas


@pytest.mark.skipif(platform.system() != "Linux" or platform.libc_ver()[0] != "glibc", reason="glibc only")
def test_arena_limit_is_accepted_by_glibc() -> None:
    assert limit_malloc_arenas(1) is True
