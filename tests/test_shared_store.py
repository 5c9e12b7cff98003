"""Team mode's shared store (TLAB_STORE_URL): two servers with their own TLAB_HOME share
datasets, caches and run artifacts through a folder URL and through a real S3 endpoint (moto's
server on 127.0.0.1). Each test runs on both."""

from __future__ import annotations

import io

import numpy as np
import pytest

from dashboard import datasets, features, shared_store, training
from dashboard.settings import Settings
from tests.conftest import coloured, two_servers, wait
from tests.hostile_uploads import make_zip
from tests.tiny_training import config, tiny_dataset


def test_a_dataset_added_on_one_server_is_listed_and_read_on_another(tmp_path, shared_env):
    a, b = two_servers(tmp_path, shared_env)
    colours = {"red": (200, 0, 0), "blue": (0, 0, 200)}
    entries = [(f"{c}/{i}.png", coloured(i, rgb)) for c, rgb in colours.items() for i in range(4)]
    added = datasets.ingest_zip(a, io.BytesIO(make_zip(entries)), "colours", owner="ana")
    seen = datasets.list_datasets(b)
    assert [m.id for m in seen] == [added.manifest.id] and seen[0].owner == "ana"
    assert not (b.home / "datasets").exists()  # listed from the store: nothing pulled yet
    record = seen[0].images[0]
    assert datasets.read_image(b, seen[0], record) == datasets.read_image(a, added.manifest, record)
    pulled = sorted(p.name for p in (b.home / "datasets" / seen[0].id / "images").iterdir())
    assert len(pulled) == 8  # the whole dataset came at first use, manifest included
    again = datasets.ingest_zip(b, io.BytesIO(make_zip(entries)), "colours")
    assert again.reused and again.manifest.id == added.manifest.id


def test_rename_and_delete_on_one_server_show_on_the_other(tmp_path, shared_env):
    a, b = two_servers(tmp_path, shared_env)
    manifest = tiny_dataset(a)
    datasets.get(b, manifest.id)
    datasets.rename(b, manifest.id, "renamed on b")
    assert datasets.get(a, manifest.id).name == "renamed on b"
    assert [m.name for m in datasets.list_datasets(a)] == ["renamed on b"]
    datasets.delete(a, manifest.id)
    assert datasets.list_datasets(b) == [] and datasets.list_datasets(a) == []


def test_a_feature_cache_entry_computed_on_one_server_is_a_hit_on_another(tmp_path, shared_env):
    a, b = two_servers(tmp_path, shared_env)
    parts = features.FeatureKey("backbone", "weights", "dataset", "all", 32)
    values = np.arange(12, dtype="float32").reshape(3, 4)
    features.cached_array(a, parts, lambda: values)
    calls = []
    got = features.cached_array(b, parts, lambda: calls.append(1) or np.zeros(1))
    assert calls == [] and np.array_equal(got, values)


def test_a_local_store_never_touches_a_shared_one(tmp_path):
    settings = Settings.from_env({"TLAB_HOME": str(tmp_path / "home")})
    assert shared_store.shared_store(settings) is None
    tiny_dataset(settings)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home"]


@pytest.mark.parametrize("bad", ["[1, 2]", "not json"])
def test_store_options_must_be_a_json_object(bad):
    with pytest.raises(ValueError):
        Settings.from_env({"TLAB_STORE_URL": "s3://b/p", "TLAB_STORE_OPTIONS": bad})


def test_a_run_trained_on_one_server_is_shown_with_its_files_on_another(
    tmp_path, shared_env, weights_dir
):
    a, b = two_servers(tmp_path, shared_env, weights_dir)
    manifest = tiny_dataset(a)
    jm = training.JobManager(a)
    try:
        run = wait(jm, jm.submit(config(manifest, "finetune_top", epochs=2))[0].id)
    finally:
        jm.shutdown()
    assert run.status == "finished", run.message
    files = training.results.local_artifacts(b, run.id)
    assert sorted(files) == ["labels", "model", "predictions", "results", "served"]
    assert all(p.is_relative_to(b.home) for p in files.values())
    assert len(training.results.mistakes(b, run, manifest)) == len(run.results.val.misclassified)
    # b trains the same dataset: decoded pixels and cached activations come from the store
    pixels = sorted(p.name for p in a.cache_dir("pixels").glob(f"{manifest.id}_*"))
    assert any(n.endswith(".index") for n in pixels)
    jm_b = training.JobManager(b)
    try:
        again = wait(
            jm_b, jm_b.submit(config(manifest, "finetune_top", epochs=2), again=True)[0].id
        )
    finally:
        jm_b.shutdown()
    assert again.status == "finished" and again.results.cache_hits == [True] * 4
    assert sorted(p.name for p in b.cache_dir("pixels").glob(f"{manifest.id}_*")) == pixels
