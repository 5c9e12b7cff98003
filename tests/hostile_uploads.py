"""A corpus of hostile and awkward uploads, built in the test (nothing binary is committed)."""

from __future__ import annotations

import io
import zipfile

import numpy as np
from PIL import Image


def image_bytes(fmt: str = "JPEG", size=(32, 24), colour=(200, 30, 30), mode="RGB", **kw) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, colour).save(buf, format=fmt, **kw)
    return buf.getvalue()


def noise_jpeg(seed: int, size=(40, 30)) -> bytes:
    """A distinct photo-like JPEG per seed (so hashes differ)."""
    pixels = np.random.default_rng(seed).integers(0, 255, (size[1], size[0], 3), dtype=np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels).save(buf, format="JPEG")
    return buf.getvalue()


def make_zip(entries: list[tuple], compression=zipfile.ZIP_DEFLATED) -> bytes:
    """entries: (name, bytes) or (name, bytes, external_attr)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression) as zf:
        for entry in entries:
            name, data = entry[0], entry[1]
            info = zipfile.ZipInfo(name)
            info.compress_type = compression
            if len(entry) > 2:
                info.external_attr = entry[2]
            zf.writestr(info, data)
    return buf.getvalue()


def modes_and_formats() -> dict[str, bytes]:
    """Every image mode and format the issue lists, one file each."""
    exif = Image.Exif()
    exif[0x0112] = 6
    sixteen = io.BytesIO()
    Image.fromarray(np.full((20, 30), 40000, np.uint16)).save(sixteen, format="PNG")
    gif = io.BytesIO()
    frames = [Image.new("RGB", (20, 20), c) for c in ((255, 0, 0), (0, 255, 0))]
    frames[0].save(gif, format="GIF", save_all=True, append_images=frames[1:])
    return {
        "grey.png": image_bytes("PNG", mode="L", colour=100),
        "rgba.png": image_bytes("PNG", mode="RGBA", colour=(0, 0, 255, 100)),
        "palette.png": image_bytes("PNG", mode="P", colour=3),
        "cmyk.jpg": image_bytes("JPEG", mode="CMYK", colour=(0, 200, 200, 0)),
        "sixteen.png": sixteen.getvalue(),
        "animated.gif": gif.getvalue(),
        "rotated.jpg": image_bytes("JPEG", size=(40, 20), exif=exif),
        "wide.webp": image_bytes("WEBP", size=(1000, 10)),
        "tall.bmp": image_bytes("BMP", size=(7, 500)),
        "scan.tiff": image_bytes("TIFF"),
        "UPPER.JPG": noise_jpeg(99),
    }


SYMLINK = (0o120777 << 16) | 0x20  # what `zip --symlinks` writes for a link entry
