"""Storing, reusing, renaming and deleting datasets; the summary; the split."""

from __future__ import annotations

import io
import json
from collections import Counter

import pytest

from dashboard import datasets
from dashboard.datasets.split import stratified
from dashboard.datasets.store import DatasetError, DatasetStore
from dashboard.datasets.writer import IngestWriter
from dashboard.settings import Settings
from tests.conftest import FLOWERS_ZIP
from tests.hostile_uploads import make_zip, noise_jpeg


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"TLAB_HOME": str(tmp_path / "home")})


@pytest.fixture
def flowers(settings):
    if not FLOWERS_ZIP.is_file():
        pytest.skip(f"{FLOWERS_ZIP} missing")
    with FLOWERS_ZIP.open("rb") as f:
        return datasets.ingest_zip(settings, f, "flowers-mini")


def test_flowers_mini_is_five_classes_of_forty(flowers):
    m = flowers.manifest
    assert m.classes == ["daisy", "dandelion", "rose", "sunflower", "tulip"]
    assert Counter(r.cls for r in m.images) == {c: 40 for c in m.classes}
    assert m.skipped == [] and m.layout == "class folders" and not flowers.reused
    s = datasets.summarize(m)
    assert s.n_images == 200 and s.n_classes == 5 and s.warnings == []
    assert all(s.counts[c] == {"train": 32, "val": 8} for c in m.classes)
    assert s.split_totals() == {"train": 160, "val": 40}
    assert set(s.sizes) and all(w > 0 and h > 0 for w, h in s.sizes)
    grid = datasets.sample_grid(m, per_class=3)
    assert [len(v) for v in grid.values()] == [3] * 5


def test_same_upload_again_is_reused_and_split_is_stable(settings, flowers):
    with FLOWERS_ZIP.open("rb") as f:
        again = datasets.ingest_zip(settings, f, "another name")
    assert again.reused and again.manifest.id == flowers.manifest.id
    assert again.manifest.name == "flowers-mini"
    assert [r.split for r in again.manifest.images] == [r.split for r in flowers.manifest.images]
    assert len(datasets.list_datasets(settings)) == 1


def test_rename_delete_and_list(settings, flowers):
    dataset_id = flowers.manifest.id
    datasets.rename(settings, dataset_id, "  Spring flowers  ")
    assert datasets.get(settings, dataset_id).name == "Spring flowers"
    with pytest.raises(DatasetError, match="needs a name"):
        datasets.rename(settings, dataset_id, "   ")
    datasets.delete(settings, dataset_id)
    assert datasets.list_datasets(settings) == []
    with pytest.raises(DatasetError):
        datasets.get(settings, dataset_id)
    with pytest.raises(DatasetError, match="not a dataset id"):
        datasets.get(settings, "../../etc")


def test_a_crash_mid_ingest_leaves_nothing_half_written(settings, monkeypatch):
    calls = []

    def crash_on_third(self, *args):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("power cut")
        return original(self, *args)

    original = IngestWriter.add
    monkeypatch.setattr(IngestWriter, "add", crash_on_third)
    entries = [
        (f"{c}/{i}.jpg", noise_jpeg(i + 10 * k)) for k, c in enumerate("ab") for i in range(3)
    ]
    with pytest.raises(RuntimeError, match="power cut"):
        datasets.ingest_zip(settings, io.BytesIO(make_zip(entries)), "x")
    assert datasets.list_datasets(settings) == []
    assert not any((settings.home / "tmp").iterdir())
    # A folder left by a killed process (no manifest) is not listed either.
    (settings.home / "datasets" / "deadbeef").mkdir(parents=True)
    (settings.home / "datasets" / "cafe" / "images").mkdir(parents=True)
    (settings.home / "datasets" / "cafe" / "manifest.json").write_text("{ half")
    assert DatasetStore(settings).list() == []


def test_summary_warnings(settings):
    entries = [(f"big/{i}.jpg", noise_jpeg(i)) for i in range(12)]
    entries += [("small/0.jpg", noise_jpeg(100)), ("small/1.jpg", noise_jpeg(0))]  # dup of big/0
    m = datasets.ingest_zip(settings, io.BytesIO(make_zip(entries)), "w").manifest
    s = datasets.summarize(m)
    text = " ".join(s.warnings)
    assert "imbalanced" in text and "fewer than 10 images ('small')" in text
    assert "more than one class" in text
    assert len(s.duplicates) == 1 and {r.cls for r in s.duplicates[0]} == {"big", "small"}


def test_stratified_split_properties():
    labels = ["a"] * 10 + ["b"] * 5 + ["c"] * 2 + ["d"]
    splits = stratified(labels, val=0.2, test=0.1, seed=1)
    by = Counter(zip(labels, splits, strict=True))
    assert by[("a", "val")] == 2 and by[("a", "test")] == 1 and by[("a", "train")] == 7
    assert by[("b", "val")] == 1 and by[("c", "val")] == 1 and by[("c", "train")] == 1
    assert by[("d", "train")] == 1  # a single image stays in train
    assert splits == stratified(labels, val=0.2, test=0.1, seed=1)
    assert splits != stratified(labels, val=0.2, test=0.1, seed=2)
    with pytest.raises(ValueError):
        stratified(labels, val=0.6, test=0.5)


def test_manifest_is_plain_json(flowers, settings):
    folder = settings.home / "datasets" / flowers.manifest.id
    raw = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    assert raw["name"] == "flowers-mini" and len(raw["images"]) == 200
    assert all((folder / r["file"]).is_file() for r in raw["images"])
