import numpy as np

from dashboard import features
from dashboard.settings import Settings


def test_saved_entry_loads_back_and_leaves_only_its_own_file(tmp_path):
    cache = features.FeatureCache(Settings.from_env({"TLAB_HOME": str(tmp_path)}))
    entry = features.FeatureKey("MobileNet_0.25_224", "w.h5:1:2", "ds1", "train", 224).entry
    assert cache.load(entry) is None
    cache.save(entry, np.ones((3, 4), "float32"), np.array([0, 1, 0]))
    values, labels = cache.load(entry)
    assert values.shape == (3, 4) and labels.tolist() == [0, 1, 0]
    # written under a temporary name and renamed: nothing else is left in the folder
    assert [p.name for p in cache.folder.iterdir()] == [f"{entry}.npz"]


def test_key_changes_with_everything_that_changes_the_features(tmp_path):
    base = ("MobileNet_0.25_224", "w.h5:1:2", "ds1", "train", 224)
    variants = [
        ("MobileNetV2", *base[1:]),
        (base[0], "w.h5:1:3", *base[2:]),  # new weights file
        (*base[:2], "ds2", *base[3:]),  # another dataset (or split of it)
        (*base[:3], "val", base[4]),
        (*base[:4], 160),
    ]
    keys = {features.FeatureKey(*v).entry for v in variants}
    assert len(keys) == len(variants) and features.FeatureKey(*base).entry not in keys
    weights = tmp_path / "w.h5"
    weights.write_bytes(b"abc")
    assert features.weights_identity(weights).startswith("w.h5:3:")
    assert features.weights_identity(None) == "random-init"


def test_a_damaged_entry_is_a_miss_and_is_recomputed(tmp_path):
    settings = Settings.from_env({"TLAB_HOME": str(tmp_path)})
    calls = []

    def compute():
        calls.append(1)
        return np.zeros((1, 2))

    parts = features.FeatureKey("b", "w", "ds", "all", 32)
    features.FeatureCache(settings).path(parts.entry).write_bytes(b"half-written")
    assert features.cached_array(settings, parts, compute).shape == (1, 2)
    assert features.cached_array(settings, parts, compute).shape == (1, 2)
    assert len(calls) == 1  # recomputed once, then read back


def test_cache_sizes_count_the_files_and_clearing_empties_them(tmp_path):
    settings = Settings.from_env({"TLAB_HOME": str(tmp_path)})
    features.cached_array(
        settings, features.FeatureKey("b", "w", "ds", "all", 32), lambda: np.zeros((100, 10))
    )
    (settings.cache_dir("pixels") / "ds_train_32").write_bytes(b"x" * 1000)
    sizes = features.cache_sizes(settings)
    assert sizes["features"] > 100 * 10 * 8 and sizes["pixels"] == 1000
    features.clear_caches(settings)
    assert features.cache_sizes(settings) == {"features": 0, "pixels": 0}
