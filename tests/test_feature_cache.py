import numpy as np

from dashboard.feature_cache import FeatureCache, key, weights_identity


def test_hit_after_first_compute_and_atomic_files(tmp_path):
    cache = FeatureCache(tmp_path / "features")
    calls = []

    def compute():
        calls.append(1)
        return np.ones((3, 4), "float32"), np.array([0, 1, 0])

    entry = key("MobileNet_0.25_224", "w.h5:1:2", "ds1", "train", 224)
    *_, hit = cache.get_or_compute(entry, compute)
    features, labels, hit_again = cache.get_or_compute(entry, compute)
    assert (hit, hit_again, len(calls)) == (False, True, 1)
    assert features.shape == (3, 4) and labels.tolist() == [0, 1, 0]
    assert [p.name for p in (tmp_path / "features").iterdir()] == [f"{entry}.npz"]


def test_key_changes_with_everything_that_changes_the_features(tmp_path):
    base = ("MobileNet_0.25_224", "w.h5:1:2", "ds1", "train", 224)
    variants = [
        ("MobileNetV2", *base[1:]),
        (base[0], "w.h5:1:3", *base[2:]),  # new weights file
        (*base[:2], "ds2", *base[3:]),  # another dataset (or split of it)
        (*base[:3], "val", base[4]),
        (*base[:4], 160),
    ]
    keys = {key(*v) for v in variants}
    assert len(keys) == len(variants) and key(*base) not in keys
    weights = tmp_path / "w.h5"
    weights.write_bytes(b"abc")
    assert weights_identity(weights).startswith("w.h5:3:")
    assert weights_identity(None) == "random-init"


def test_a_damaged_entry_is_a_miss_and_is_recomputed(tmp_path):
    cache = FeatureCache(tmp_path)
    cache.path("x").write_bytes(b"half-written")
    features, _, hit = cache.get_or_compute("x", lambda: (np.zeros((1, 2)), np.zeros(1)))
    assert not hit and features.shape == (1, 2)
    assert cache.load("x") is not None
    cache.clear()
    assert cache.size_bytes() == 0
