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


def hostile_entries() -> list[tuple]:
    """Entries every upload of images must skip, each for its reason (`HOSTILE_REASONS`), and
    one loose image outside any class folder (`data/loose.jpg`)."""
    import os

    big_png = io.BytesIO()
    Image.new("L", (1500, 1500)).save(big_png, format="PNG")  # 2.25 MP > a 1 MP cap
    return [
        ("data/../../evil.jpg", noise_jpeg(3)),
        ("/tmp/absolute_evil.jpg", noise_jpeg(4)),
        ("C:\\windows\\evil.jpg", noise_jpeg(5)),
        ("data/cat/link.jpg", b"/etc/passwd", SYMLINK),
        ("data/cat/bomb.jpg", b"\0" * (3 * 1024 * 1024)),  # ~1000:1 when deflated
        ("data/cat/huge.png", big_png.getvalue()),
        ("data/cat/truncated.jpg", noise_jpeg(7)[:300]),
        ("data/cat/garbage.jpg", os.urandom(500)),
        ("data/cat/notes.txt", b"hello"),
        ("data/cat/empty.jpg", b""),
        ("__MACOSX/data/cat/._x.jpg", b"junk"),
        ("data/cat/._y.jpg", b"junk"),
        ("data/cat/.DS_Store", b"junk"),
        ("data/.hidden/z.jpg", noise_jpeg(6)),
        ("data/loose.jpg", noise_jpeg(8)),
    ]


# The reason (a part of it) each hostile entry is skipped for, with a 1 MP pixel cap and a
# compression-ratio cap of 50 (TLAB_MAX_IMAGE_MP=1, TLAB_MAX_ZIP_RATIO=50).
HOSTILE_REASONS = {
    "data/../../evil.jpg": "escapes the dataset folder",
    "/tmp/absolute_evil.jpg": "escapes the dataset folder",
    "C:\\windows\\evil.jpg": "escapes the dataset folder",
    "data/cat/link.jpg": "symbolic link",
    "data/cat/bomb.jpg": "compression ratio",
    "data/cat/huge.png": "limit is 1 MP",
    "data/cat/truncated.jpg": "damaged or truncated",
    "data/cat/garbage.jpg": "not an image format",
    "data/cat/notes.txt": "not an image file (.txt)",
    "data/cat/empty.jpg": "empty",
    "__MACOSX/data/cat/._x.jpg": "ignored: macOS",
    "data/cat/._y.jpg": "ignored: hidden",
    "data/cat/.DS_Store": "ignored: operating-system file",
    "data/.hidden/z.jpg": "ignored: hidden",
}
