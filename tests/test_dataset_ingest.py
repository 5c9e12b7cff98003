"""Hostile and awkward uploads: each bad file is skipped with its reason, good files still load,
and nothing is ever written outside TLAB_HOME."""

from __future__ import annotations

import io
import random
import zipfile
from pathlib import Path

import pytest

from dashboard import datasets
from dashboard.datasets import DatasetError
from dashboard.settings import Settings
from tests.hostile_uploads import (
    HOSTILE_REASONS,
    hostile_entries,
    image_bytes,
    make_zip,
    modes_and_formats,
    noise_jpeg,
)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env(
        {"TLAB_HOME": str(tmp_path / "home"), "TLAB_MAX_IMAGE_MP": "1", "TLAB_MAX_ZIP_RATIO": "50"}
    )


def good(cls: str, n: int, seed: int = 0) -> list[tuple[str, bytes]]:
    return [(f"data/{cls}/{cls}_{i}.jpg", noise_jpeg(seed * 1000 + i)) for i in range(n)]


def files_outside(root: Path, home: Path) -> set[str]:
    return {str(p) for p in root.rglob("*") if p.is_file() and home not in p.parents and p != home}


def ingest(settings, data: bytes, name="upload"):
    return datasets.ingest_zip(settings, io.BytesIO(data), name)


def test_hostile_zip_skips_each_bad_file_with_its_reason(settings, tmp_path):
    entries = [*good("cat", 5, 1), *good("dog", 5, 2), *hostile_entries()]
    before = files_outside(tmp_path, settings.home)
    result = ingest(settings, make_zip(entries))
    m = result.manifest
    assert m.classes == ["cat", "dog"] and len(m.images) == 10
    reasons = dict(m.skipped)
    expected = {**HOSTILE_REASONS, "data/loose.jpg": "no class folder"}
    for path, reason in expected.items():
        assert reason in reasons.get(path, ""), (path, reasons.get(path))
    assert len(m.skipped) == len(expected)
    # Nothing appeared outside TLAB_HOME, and nothing named by the archive was written.
    assert files_outside(tmp_path, settings.home) == before
    stored = {p.name for p in settings.home.rglob("*") if p.is_file()}
    assert not {"evil.jpg", "absolute_evil.jpg", "link.jpg", "loose.jpg"} & stored
    assert not (settings.home / "tmp").exists() or not any((settings.home / "tmp").iterdir())


def test_every_mode_and_format_loads(settings):
    awkward = modes_and_formats()
    entries = [(f"set/odd/{n}", d) for n, d in awkward.items()] + good("plain", 3)
    m = ingest(settings, make_zip(entries)).manifest
    assert m.skipped == [] and len(m.images) == len(awkward) + 3
    by_name = {r.original.rsplit("/", 1)[1]: r for r in m.images}
    assert (by_name["rotated.jpg"].width, by_name["rotated.jpg"].height) == (20, 40)
    assert by_name["UPPER.JPG"].file.endswith(".jpg")  # plain RGB JPEG kept as uploaded
    assert by_name["cmyk.jpg"].file.endswith(".png")  # converted to RGB


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"PK\x03\x04 this is not really a zip", "not a zip file, or it is truncated"),
        (random.Random(0).randbytes(2000), "not a zip file"),  # seeded: the same every run
        (b"", "not a zip file"),
    ],
    ids=["truncated", "noise", "empty"],
)
def test_unusable_archives_give_a_message(settings, data, message):
    with pytest.raises(DatasetError, match=message):
        ingest(settings, data)


def test_truncated_zip_gives_a_message(settings):
    whole = make_zip(good("a", 3) + good("b", 3, 1))
    with pytest.raises(DatasetError, match="truncated"):
        ingest(settings, whole[: len(whole) // 2])


def test_zip_bomb_caps_refuse_before_reading(tmp_path):
    tight = Settings.from_env(
        {"TLAB_HOME": str(tmp_path / "h"), "TLAB_MAX_UNZIPPED_MB": "1", "TLAB_MAX_ZIP_ENTRIES": "5"}
    )
    bomb = make_zip([("a/x.jpg", b"\0" * (2 * 1024 * 1024)), ("b/y.jpg", b"\0")])
    with pytest.raises(DatasetError, match="zip bomb"):
        ingest(tight, bomb)
    many = make_zip([(f"a/{i}.jpg", b"x") for i in range(6)])
    with pytest.raises(DatasetError, match="6 entries; the limit is 5"):
        ingest(tight, many)
    assert not (tmp_path / "h" / "datasets").exists()


def test_unicode_emoji_names_and_uppercase_extensions(settings):
    entries = [
        ("Rosé 🌹/花.JPG", noise_jpeg(1)),
        ("Rosé 🌹/ß.jpeg", noise_jpeg(2)),
        ("Tulpe/🌷 ein Bild.PNG", image_bytes("PNG")),
        ("Tulpe/b.png", image_bytes("PNG", colour=(1, 2, 3))),
    ]
    m = ingest(settings, make_zip(entries)).manifest
    assert m.classes == ["Rosé 🌹", "Tulpe"] and m.skipped == []
    assert {r.original for r in m.images} == {e[0] for e in entries}


def test_single_class_is_refused_and_one_image_class_is_kept(settings):
    with pytest.raises(DatasetError, match="at least two classes.*only 'cat'"):
        ingest(settings, make_zip(good("cat", 4)))
    m = ingest(settings, make_zip(good("cat", 4) + good("lonely", 1, 9))).manifest
    lonely = [r for r in m.images if r.cls == "lonely"]
    assert len(lonely) == 1 and lonely[0].split == "train"


def test_hundreds_of_classes(settings):
    entries = [
        (f"c{i:03d}/{j}.png", image_bytes("PNG", size=(4, 4), colour=(i % 256, j, i // 256)))
        for i in range(300)
        for j in range(2)
    ]
    m = ingest(settings, make_zip(entries)).manifest
    assert len(m.classes) == 300 and len(m.images) == 600
    assert all(
        sorted(r.split for r in m.images if r.cls == c) == ["train", "val"] for c in m.classes[:5]
    )


def test_split_folders_in_the_upload_are_kept(settings):
    counts = {"train": 4, "val": 2, "test": 1}
    entries = [
        (f"ds/{split}/{c}/{i}.jpg", noise_jpeg(1000 * j + 10 * k + i))
        for j, (split, n) in enumerate(counts.items())
        for k, c in enumerate("ab")
        for i in range(n)
    ]
    m = ingest(settings, make_zip(entries)).manifest
    assert m.layout.startswith("train/val/test") and m.split["kept_from_upload"]
    assert sorted((r.cls, r.split) for r in m.images).count(("a", "val")) == 2
    assert {r.split for r in m.images if r.original.startswith("ds/test/")} == {"test"}


def test_folder_and_per_class_uploads(settings):
    pairs = [(p.replace("data/", "myfolder/"), d) for p, d in good("x", 3) + good("y", 3, 1)]
    m = datasets.ingest_files(settings, pairs, "myfolder").manifest
    assert m.classes == ["x", "y"] and m.source == "folder"
    classes = {
        "Thumbs up": [("a.jpg", noise_jpeg(1)), ("b.jpg", noise_jpeg(2))],
        "Thumbs down": [("a.jpg", noise_jpeg(3)), ("c.txt", b"no")],
    }
    m = datasets.ingest_classes(settings, classes, "thumbs").manifest
    assert m.classes == ["Thumbs down", "Thumbs up"] and len(m.images) == 3
    assert m.skipped == [("Thumbs down/c.txt", "not an image file (.txt)")]


def test_builtin_samples(settings):
    digits = datasets.ingest_sample(settings, "digits").manifest
    assert len(digits.images) == 1797 and digits.classes == [str(i) for i in range(10)]
    faces = datasets.ingest_sample(settings, "faces").manifest
    assert len(faces.images) == 200 and faces.classes == ["face", "not_face"]
    assert (faces.images[0].width, faces.images[0].height) == (25, 25)


def test_zip_of_deflate_garbage_entry_is_skipped(settings):
    whole = make_zip(good("a", 2) + good("b", 2, 1), compression=zipfile.ZIP_STORED)
    # Flip bytes inside the first stored JPEG: its CRC no longer matches.
    broken = bytearray(whole)
    broken[200:260] = b"\xff" * 60
    m = ingest(settings, bytes(broken)).manifest
    assert any("damaged zip entry" in r for _, r in m.skipped)
