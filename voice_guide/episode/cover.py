"""A generated square cover image (PNG, no fonts or downloads): Apple asks for 1400-3000 px."""

from __future__ import annotations

import struct
import zlib

import numpy as np

SIZE = 1400


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png_bytes(rgb: np.ndarray) -> bytes:
    """Encode an (h, w, 3) uint8 image as PNG."""
    h, w, _ = rgb.shape
    raw = np.concatenate([np.zeros((h, 1), np.uint8), rgb.reshape(h, w * 3)], axis=1).tobytes()
    header = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(raw, 6)) + _chunk(b"IEND", b"")


def cover_png(size: int = SIZE) -> bytes:
    """A calm teal-to-navy field with a speech bubble and sound arcs."""
    y, x = np.mgrid[0:size, 0:size].astype(np.float32) / size
    top = np.array([32, 128, 128], np.float32)
    bottom = np.array([20, 40, 90], np.float32)
    img = top * (1 - y[..., None]) + bottom * y[..., None]
    cx, cy = 0.42, 0.48
    r = np.hypot(x - cx, (y - cy) * 1.25)
    bubble = r < 0.22
    tail = (x > 0.30) & (x < 0.40) & (y > 0.60) & (y < 0.75) & ((0.75 - y) * 0.7 > (x - 0.30))
    img[bubble | tail] = (245, 240, 225)
    ring = np.hypot(x - cx, y - cy)
    for radius in (0.30, 0.37, 0.44):
        arc = (np.abs(ring - radius) < 0.012) & (x > cx + 0.12) & (np.abs(y - cy) < 0.22)
        img[arc] = (245, 200, 120)
    dots = (np.abs(y - cy) < 0.02) & ((np.abs(x - 0.34) < 0.02) | (np.abs(x - 0.42) < 0.02) | (np.abs(x - 0.50) < 0.02))
    img[dots] = (32, 110, 120)
    return png_bytes(img.clip(0, 255).astype(np.uint8))
