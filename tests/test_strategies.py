"""Each strategy's trainable set, on a tiny model: frozen layers stay frozen, and pretrained
BatchNorm stays in inference mode (its moving statistics do not move)."""

from __future__ import annotations

import keras
import numpy as np
import pytest

from models import fitting
from models.classifier import build_classifier, set_trainable, split_at_cut
from models.strategies import STRATEGIES
from tests.tiny_backbone import TINY, tiny_base


def data(n=16):
    rng = np.random.default_rng(0)
    return rng.uniform(0, 255, (n, 32, 32, 3)).astype("float32"), rng.integers(0, 2, n)


def snapshot(base):
    return {w.path: np.array(w.numpy()) for layer in base.layers for w in layer.weights}


def changed(before, base) -> set[str]:
    after = snapshot(base)
    return {k for k in before if not np.allclose(before[k], after[k])}


def fit(clf, lr=0.05):
    fitting.compile_model(clf.train_model, lr)
    x, y = data()
    clf.train_model.fit(x, y, epochs=2, batch_size=8, verbose=0)


def build(strategy, augment=False):
    return build_classifier(TINY, tiny_base(), 2, STRATEGIES[strategy], 32, augment)


@pytest.mark.parametrize("strategy", ["linear_head", "mlp_head"])
def test_head_strategies_freeze_the_whole_base(strategy):
    clf = build(strategy)
    assert not clf.base.trainable and all(not w.trainable for w in clf.base.weights)
    names = {layer.name for layer in clf.head.layers}
    assert ("fc1" in names) == (strategy == "mlp_head")
    before = snapshot(clf.base)
    fit(clf)
    assert changed(before, clf.base) == set()  # weights and BN statistics untouched


def test_finetune_top_unfreezes_top_blocks_only_in_phase_two():
    clf = build("finetune_top")
    assert not clf.base.trainable
    trainable = set_trainable(clf, phase=2)
    # 2 blocks from the top: every layer after the end of stage 1; BatchNorm stays frozen.
    assert trainable == ["s2_conv", "s3_conv"]
    before = snapshot(clf.base)
    fit(clf)
    moved = changed(before, clf.base)
    assert moved and all(k.startswith(("s2_conv", "s3_conv")) for k in moved), moved


def test_full_finetune_trains_the_head_first_then_everything_but_batchnorm_statistics():
    clf = build("full_finetune", augment=True)
    assert clf.train_model is not clf.model  # augmentation only in the training model
    assert "augmentation" not in {layer.name for layer in clf.model.layers}
    assert not clf.base.trainable  # phase 1: the new head settles on a frozen base
    before = snapshot(clf.base)
    fit(clf, lr=0.01)
    assert changed(before, clf.base) == set()
    set_trainable(clf, phase=2)
    fit(clf, lr=0.01)
    moved = changed(before, clf.base)
    assert {k.split("/")[0] for k in moved} == {"s1_conv", "s2_conv", "s3_conv"}


def test_strategy_three_above_the_cut_is_the_classifier_and_trains_its_top_blocks():
    clf = build("finetune_top")
    set_trainable(clf, phase=2)
    cut = split_at_cut(clf)
    assert cut.layer == "s1_relu"  # the top 2 blocks (stages) start after stage 1
    x, y = data()
    np.testing.assert_allclose(
        cut.above.predict_on_batch(cut.below.predict_on_batch(x)),
        clf.model.predict_on_batch(x),
        rtol=1e-5,
        atol=1e-6,
    )
    before = snapshot(clf.base)
    fitting.compile_model(cut.above, 0.05)
    cut.above.fit(cut.below.predict_on_batch(x), y, epochs=2, batch_size=8, verbose=0)
    moved = changed(before, clf.base)
    assert moved and all(k.startswith(("s2_conv", "s3_conv")) for k in moved), moved
    assert not cut.below.trainable_weights or not any(
        w.trainable for w in clf.base.get_layer("s1_conv").weights
    )


def test_scratch_lets_batchnorm_learn():
    clf = build("scratch")
    before = snapshot(clf.base)
    fit(clf, lr=0.01)
    moved = changed(before, clf.base)
    assert any("moving_mean" in k for k in moved)  # BN in training mode from scratch


def test_features_model_shares_layers_with_the_classifier():
    clf = build("linear_head")
    x, _ = data(4)
    pooled = clf.features.predict_on_batch(x)
    np.testing.assert_allclose(
        clf.head.predict_on_batch(pooled), clf.model.predict_on_batch(x), rtol=1e-5, atol=1e-6
    )


def test_reporter_stops_within_one_batch():
    import threading

    clf = build("linear_head")
    fitting.compile_model(clf.train_model, 0.01)
    stop, batches, epochs = threading.Event(), [], []

    def on_batch(epoch, step, steps):
        batches.append((epoch, step))
        if epoch == 2 and step == 1:
            stop.set()

    reporter = fitting.Reporter(stop, on_batch, lambda *a: epochs.append(a[0]), 16, 4)
    x, y = data()
    clf.train_model.fit(x, y, epochs=5, batch_size=4, verbose=0, callbacks=[reporter])
    # Stop seen before batch 2 of epoch 2: that batch runs, then training ends.
    assert batches[-1] == (2, 1) and epochs == [1]
    assert reporter.stopped and reporter.epochs_done == 1
    assert isinstance(clf.train_model, keras.Model)


def test_the_augmentation_table_drives_the_layers_and_a_stored_value_is_data():
    from models import augmentations

    default = augmentations.augmentation(0)
    assert [layer.__class__.__name__ for layer in default.layers] == [
        "RandomFlip",
        "RandomRotation",
        "RandomZoom",
        "RandomContrast",
    ]  # what strategy 4 always used: translation is off by default
    chosen = {"flip": 0, "rotation": 0.3, "translation": 0.2, "../../evil": 9, "zoom": 99}
    assert augmentations.strengths(chosen) == {
        "flip": 0.0,
        "rotation": 0.3,
        "zoom": 0.5,  # clipped to the table's top
        "contrast": 0.2,
        "translation": 0.2,
    }
    layers = augmentations.augmentation(0, chosen).layers
    assert [type(x).__name__ for x in layers] == [
        "RandomRotation",
        "RandomZoom",
        "RandomContrast",
        "RandomTranslation",
    ]
    assert layers[0].factor == (-0.3, 0.3)
    off = dict.fromkeys(augmentations.DEFAULTS, 0)
    clf = build_classifier(TINY, tiny_base(), 2, STRATEGIES["full_finetune"], 32, True, 0, off)
    assert clf.train_model is clf.model  # every strength at 0: nothing in front of the model
