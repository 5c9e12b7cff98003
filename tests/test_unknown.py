""" "None of these": temperature scaling, the split-conformal threshold, the served model that
carries both (the same answers as the numpy rule, reloaded without our code), and the
acceptance figure on flowers-mini with MobileNetV2 against photos of other kinds."""

from __future__ import annotations

import numpy as np
import pytest

from models import unknown


def test_temperature_scaling_finds_the_temperature_the_labels_were_drawn_with():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 4, (4000, 5))
    true_t = 2.5  # labels drawn from softmax(logits / 2.5): the model's softmax(logits) is too sure
    drawn = np.exp(logits / true_t)
    drawn /= drawn.sum(1, keepdims=True)
    truth = np.array([rng.choice(5, p=p) for p in drawn])
    probs = np.exp(logits) / np.exp(logits).sum(1, keepdims=True)
    t = unknown.fit_temperature(probs, truth)
    assert abs(t - true_t) < 0.2, t
    calibrated = unknown.calibrated(probs, t)
    assert (calibrated.argmax(1) == probs.argmax(1)).all()  # confidence moves, classes do not
    assert np.allclose(calibrated, drawn, atol=0.05)


def test_the_threshold_accepts_at_least_keep_of_new_images_like_the_validation_ones():
    rng = np.random.default_rng(1)
    accepted = []
    for _ in range(400):
        scores = rng.random(40)  # 40 validation images, then 200 new ones like them
        accepted.append((rng.random(200) <= unknown.conformal_threshold(scores)).mean())
    assert np.mean(accepted) >= unknown.KEEP - 0.005, np.mean(accepted)
    # a naive 95th percentile of so few images accepts fewer than it promises
    naive = [(rng.random(200) <= np.quantile(rng.random(40), 0.95)).mean() for _ in range(400)]
    assert np.mean(naive) < np.mean(accepted)
    assert unknown.conformal_threshold(np.array([])) == unknown.NEVER


def _tiny_classifier():
    import keras

    from models.classifier import build_head

    inputs = keras.Input((16, 16, 3), name="image")
    x = keras.layers.Rescaling(1 / 255)(inputs)
    x = keras.layers.Conv2D(8, 3, activation="relu")(x)
    pooled = keras.layers.GlobalAveragePooling2D(name="pool")(x)
    model = keras.Model(inputs, build_head(8, 3, "mlp")(pooled))
    return model, keras.Model(inputs, pooled)


def test_the_served_model_answers_as_the_rule_does_and_reloads_without_our_code(tmp_path):
    import keras

    model, features = _tiny_classifier()
    rng = np.random.default_rng(2)
    train = rng.random((60, 16, 16, 3)).astype("float32") * 255
    val = rng.random((30, 16, 16, 3)).astype("float32") * 255
    odd = np.zeros((10, 16, 16, 3), "float32")  # flat black: far from every noise image
    rule = unknown.fit_rule(
        features.predict(train, verbose=0),
        rng.integers(0, 3, 60),
        features.predict(val, verbose=0),
        model.predict(val, verbose=0),
        rng.integers(0, 3, 30),
        seed=0,
    )
    x = np.concatenate([val, odd])
    served = unknown.served_model(model, rule)
    out = served.predict(x, verbose=0)
    expected = unknown.decide(rule, features.predict(x, verbose=0), model.predict(x, verbose=0))
    probs, score, flag = unknown.split_output(out, 3)
    assert np.allclose(out, expected, atol=1e-4)
    assert flag[30:].all() and flag[:30].mean() <= 0.1  # the odd ones out, and few of the rest
    assert np.allclose(probs.sum(1), 1, atol=1e-5) and (score >= 0).all()
    served.save(tmp_path / "served.keras")
    reloaded = keras.saving.load_model(tmp_path / "served.keras", safe_mode=True)
    assert np.array_equal(reloaded.predict(x, verbose=0), out)


def test_a_model_without_the_rule_reads_as_never_unknown():
    probs = np.array([[0.2, 0.8], [0.9, 0.1]], "float32")
    read, score, flag = unknown.split_output(probs, 2)
    assert np.array_equal(read, probs) and not flag.any() and not score.any()


@pytest.mark.usefixtures("warm_features")
def test_a_flowers_run_rejects_other_kinds_and_accepts_its_own_images(
    weights_dir, tmp_path, capsys
):
    """The acceptance figure: a MobileNetV2 linear head on flowers-mini, its served model on
    skimage's photos, lfw faces and digits (none of them flowers) and on its own validation
    images. Measured here: 91% of the other kinds rejected (photos 100%, faces 72%, digits
    100%), 97.5% of the validation images accepted (the held-out-class figure is in
    `python -m bench unknown`)."""
    import io

    import keras

    from dashboard import datasets, training
    from dashboard.training import other_kinds
    from tests.conftest import FLOWERS_ZIP, wait
    from tests.tiny_training import tiny_settings

    if not FLOWERS_ZIP.is_file():
        pytest.skip("flowers-mini.zip missing")
    settings = tiny_settings(tmp_path, weights_dir)
    manifest = datasets.ingest_zip(settings, io.BytesIO(FLOWERS_ZIP.read_bytes()), "fl").manifest
    jm = training.JobManager(settings)
    try:
        config = training.default_config(manifest.id, "MobileNetV2", "linear_head")
        run = wait(jm, jm.submit(config)[0].id, timeout=600)
    finally:
        jm.shutdown()
    assert run.status == "finished", run.message
    served = keras.saving.load_model(training.results.local_artifacts(settings, run.id)["served"])
    n = len(manifest.classes)
    rejected = {}
    for kind, x in other_kinds.photos(config.image_size).items():
        rejected[kind] = unknown.split_output(served.predict(x, verbose=0), n)[2]
    every = np.concatenate(list(rejected.values()))
    cal = run.results.calibration
    with capsys.disabled():
        rates = {k: round(float(v.mean()), 3) for k, v in rejected.items()}
        print(f"\nunknown: rejected {every.mean():.3f} {rates}, accepted {cal.val_accepted}")
    assert every.mean() >= 0.8, rates
    assert cal.val_accepted >= 0.9 and run.results.export.parity_unknown_same == 40
    assert cal.ece_after <= cal.ece_before


def test_rows_of_the_wrong_shape_are_no_answers():
    for bad in (np.zeros(4), np.zeros((2, 3)), np.zeros((2, 5, 1))):
        with pytest.raises(ValueError, match="no model's answers"):
            unknown.split_output(bad, 2)
