"""Uploads of every common format and mode become plain RGB; bad files become messages."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from dashboard import images


def encode(img: Image.Image, fmt: str, **kwargs) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format=fmt, **kwargs)
    return buf.getvalue()


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP", "BMP", "GIF", "TIFF"])
def test_every_upload_format_decodes_to_rgb(fmt):
    img = Image.new("RGB", (30, 20), (200, 40, 10))
    rgb = images.decode(encode(img, fmt))
    assert rgb.shape == (20, 30, 3) and rgb.dtype == np.uint8
    assert abs(int(rgb[10, 15, 0]) - 200) < 12


@pytest.mark.parametrize(
    ("mode", "value", "expected"),
    [
        ("L", 128, (128, 128, 128)),
        ("1", 1, (255, 255, 255)),
        ("CMYK", (0, 255, 255, 0), (255, 0, 0)),
        ("P", 0, None),
    ],
)
def test_modes_are_converted(mode, value, expected):
    img = Image.new(mode, (8, 8), value)
    rgb = images.decode(encode(img, "TIFF" if mode == "CMYK" else "PNG"))
    assert rgb.shape == (8, 8, 3)
    if expected:
        assert tuple(int(v) for v in rgb[4, 4]) == expected


def test_transparency_is_composited_over_white():
    img = Image.new("RGBA", (4, 4), (0, 0, 0, 0))
    img.putpixel((0, 0), (255, 0, 0, 255))
    rgb = images.decode(encode(img, "PNG"))
    assert tuple(rgb[0, 0]) == (255, 0, 0) and tuple(rgb[3, 3]) == (255, 255, 255)


def test_sixteen_bit_is_scaled_not_clipped():
    a = np.full((4, 4), 65535, np.uint16)
    a[0, 0] = 0
    rgb = images.decode(encode(Image.fromarray(a), "PNG"))
    assert tuple(rgb[1, 1]) == (255, 255, 255) and tuple(rgb[0, 0]) == (0, 0, 0)


def test_animated_gif_gives_its_first_frame():
    frames = [Image.new("RGB", (6, 6), c) for c in ((255, 0, 0), (0, 0, 255))]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    rgb = images.decode(data)
    assert rgb[0, 0, 0] > 200 and rgb[0, 0, 2] < 50


def test_exif_rotation_is_applied():
    img = Image.new("RGB", (40, 20), (0, 255, 0))
    exif = Image.Exif()
    exif[0x0112] = 6  # rotate 90° clockwise when shown
    assert images.decode(encode(img, "JPEG", exif=exif)).shape == (40, 20, 3)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty"),
        (b"hello, I am a text file", "not an image format"),
        (None, "damaged or truncated"),
    ],
)
def test_bad_files_give_messages(data, message):
    if data is None:  # a JPEG cut in half
        data = encode(Image.new("RGB", (64, 64), (1, 2, 3)), "JPEG")[:200]
    with pytest.raises(images.ImageError, match=message):
        images.decode(data)


def test_pixel_limit_is_checked_before_decoding():
    data = encode(Image.new("L", (3000, 3000)), "PNG")  # a few KB that decode to 9 MP
    with pytest.raises(images.ImageError, match="limit is 1 MP"):
        images.decode(data, max_pixels=1_000_000)


def test_samples_and_center_square():
    for label in images.SAMPLES:
        rgb = images.load_sample(label)
        assert rgb.ndim == 3 and rgb.shape[2] == 3 and rgb.dtype == np.uint8, label
    cat = images.load_sample("Cat (Chelsea)")
    assert images.center_square(cat, 128).shape == (128, 128, 3)
    wide = np.zeros((10, 1000, 3), np.uint8)
    assert images.center_square(wide, 64).shape == (64, 64, 3)


def test_thumbnails_keep_the_aspect_and_keep_tiny_images_sharp():
    big = np.zeros((3000, 4000, 3), np.uint8)
    assert images.fit_within(big, 144).shape == (108, 144, 3)
    tile = images.thumbnail(big, 144)  # the whole image, letterboxed into a square tile
    assert tile.shape == (144, 144, 3)
    assert (tile[:18] == 255).all() and (tile[18:126] == 0).all() and (tile[126:] == 255).all()
    digit = np.zeros((8, 8, 3), np.uint8)
    digit[::2, ::2] = 255  # a checkerboard stays pure black and white when scaled up
    small = images.thumbnail(digit, 144)
    assert small.shape == (144, 144, 3)
    assert set(np.unique(small)) == {0, 255}
