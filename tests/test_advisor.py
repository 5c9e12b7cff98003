"""The strategy advisor on real data with the shared MobileNet weights, and its logic made up.

Acceptance: flowers-mini (natural photos) is "similar"; scikit-learn digits and scikit-image
lfw_subset are "different". Figures measured here are in docs/advisor.md.
"""

from __future__ import annotations

import shutil
from types import SimpleNamespace

import pytest

from dashboard import advisor, datasets, significance
from dashboard import features as backbone_features
from dashboard.settings import Settings
from models import catalog
from models.strategies import STRATEGIES
from models.weights import WeightsUnavailable
from tests.conftest import FLOWERS_ZIP

BACKBONE = "MobileNet_0.25_224"  # no-top weights in ../shared; its classifier is the 128 px row


def flowers(settings: Settings):
    if not FLOWERS_ZIP.is_file():
        pytest.skip("flowers-mini.zip missing")
    with FLOWERS_ZIP.open("rb") as f:
        return datasets.ingest_zip(settings, f, "flowers-mini").manifest


def signal_says(advice: advisor.Advice) -> dict[str, str]:
    return {s.key: "similar" if s.score >= 0.5 else "different" for s in advice.signals}


def test_flowers_are_similar_to_imagenet_and_get_a_linear_head(shared_weights_env):
    settings = Settings.from_env()
    seen = []
    advice = advisor.measure(settings, flowers(settings), BACKBONE, lambda f, t: seen.append(f))
    assert advice.verdict == "similar", advice.values
    assert advice.similarity > 0.6
    assert set(signal_says(advice).values()) == {"similar"}, advice.values  # all three agree
    assert advice.classifier == "MobileNet α=0.25 @128px"  # the sibling with top weights
    assert (advice.size, advice.strategy, advice.blocks) == ("small", "linear_head", 0)
    assert advice.train_per_class == 32
    assert "learn one layer" in advice.reason and "32 training images per class" in advice.reason
    assert "Yet" not in advice.reason  # the caveat is for advice other than the linear head
    assert seen[0] == 0.0 and seen[-1] == 1.0 and seen == sorted(seen)  # progress only grows


@pytest.mark.slow  # measures two built-in samples with real weights: `python -m pytest -m slow`
@pytest.mark.parametrize("sample", ["digits", "faces"])
def test_digits_and_faces_are_different_from_imagenet(shared_weights_env, sample):
    settings = Settings.from_env()
    manifest = datasets.ingest_sample(settings, sample).manifest
    advice = advisor.measure(settings, manifest, BACKBONE)
    assert advice.verdict == "different", advice.values
    assert advice.similarity < 0.4
    assert set(signal_says(advice).values()) == {"different"}, advice.values
    assert (advice.size, advice.strategy) == ("small", "full_finetune")
    assert advice.blocks == len(catalog.get(BACKBONE).stages)
    # Different, yet a linear head on frozen features already does well: the page says so.
    assert advice.values["probe_accuracy"] > 0.9
    assert "Yet a linear head on the frozen features already reaches" in advice.reason


def test_advice_is_stored_and_its_features_serve_the_trainer(shared_weights_env):
    settings = Settings.from_env()
    manifest = flowers(settings)
    first = advisor.measure(settings, manifest, BACKBONE)
    assert advisor.stored(settings, manifest.id, BACKBONE) == first
    assert advisor.all_stored(settings, BACKBONE) == [first]

    def must_not_build():
        raise AssertionError("the trainer's features should come from the advisor's cache")

    b = catalog.get(BACKBONE)
    weights_id = backbone_features.pretrained_weights_id(settings, b)
    splits, hits = backbone_features.split_features(
        settings, manifest, BACKBONE, weights_id, b.input_size, must_not_build
    )
    assert hits == [True, True]
    assert [len(x) for x, _ in splits] == [160, 40]
    datasets.delete(settings, manifest.id)
    assert advisor.all_stored(settings, BACKBONE) == []  # advice on deleted datasets is dropped


def test_without_classifier_weights_the_signal_is_left_out_with_the_reason(
    weights_dir, tmp_path, monkeypatch
):
    only_features = tmp_path / "weights"
    only_features.mkdir()
    shutil.copy(weights_dir / "mobilenet_2_5_224_tf_no_top.h5", only_features)
    monkeypatch.setenv("TLAB_WEIGHTS_DIR", str(only_features))
    settings = Settings.from_env()
    advice = advisor.measure(settings, flowers(settings), BACKBONE)
    assert advice.values["imagenet_classes"] is None
    assert "mobilenet_2_5_224_tf.h5" in advice.notes["imagenet_classes"]
    assert advice.verdict == "similar"  # the other two signals still decide


def test_a_class_with_one_image_leaves_the_probe_out_with_the_reason(shared_weights_env):
    from tests.hostile_uploads import noise_jpeg

    settings = Settings.from_env()
    classes = {
        "a": [(f"{i}.jpg", noise_jpeg(i)) for i in range(6)],
        "b": [(f"{i}.jpg", noise_jpeg(10 + i)) for i in range(6)],
        "lonely": [("0.jpg", noise_jpeg(99))],
    }
    manifest = datasets.ingest_classes(settings, classes, "tiny").manifest
    advice = advisor.measure(settings, manifest, BACKBONE)
    assert advice.values["transfer_lift"] is None
    assert "at least 2 images" in advice.notes["transfer_lift"]
    assert advice.values["imagenet_classes"] is not None and advice.reason  # still advised


@pytest.mark.parametrize("failure", ["host silent", "download fails"])
def test_a_blocked_network_measures_exactly_like_offline(shared_weights_env, monkeypatch, failure):
    """Issue 12, fault 2: the README's command without TLAB_OFFLINE on a blocked network. The
    backbone's own classifier file (MobileNet @224 with its top) is not on disk; its download
    fails, and the advisor measures as it does offline, with the sibling @128 on disk."""
    from keras.src.utils import file_utils

    from models import weights
    from tests.hostile_uploads import noise_jpeg

    downloads = []

    def blocked(*args, **kwargs):
        downloads.append(args)
        raise Exception("URL fetch failure: [Errno 110] Connection timed out")

    monkeypatch.setattr(file_utils, "get_file", blocked)
    monkeypatch.setattr(weights, "_probe", lambda url, timeout: failure == "download fails")
    classes = {
        c: [(f"{i}.jpg", noise_jpeg(i + 10 * k)) for i in range(6)] for k, c in enumerate("ab")
    }

    def measure(offline: str):
        monkeypatch.setenv("TLAB_OFFLINE", offline)
        settings = Settings.from_env()
        manifest = datasets.ingest_classes(settings, classes, "tiny").manifest
        return advisor.measure(settings, manifest, BACKBONE, again=True)

    online = measure("0")
    offline = measure("1")
    assert online.classifier == offline.classifier == "MobileNet α=0.25 @128px"
    assert online.values["imagenet_classes"] == offline.values["imagenet_classes"] is not None
    assert online.strategy == offline.strategy
    assert len(downloads) == (1 if failure == "download fails" else 0)  # tried at most once


def test_missing_backbone_weights_offline_is_a_clear_message(shared_weights_env):
    settings = Settings.from_env()
    with pytest.raises(WeightsUnavailable, match="resnet50_weights"):
        advisor.measure(settings, flowers(settings), "ResNet50")


def made_up_advice(per_class: float, values: dict) -> advisor.Advice:
    return advisor.Advice("ds", "made up", "zip", BACKBONE, 0, 5, per_class, values)


SIMILAR = {"imagenet_classes": 25.0, "transfer_lift": 3.0, "silent_channels": 0.05}
DIFFERENT = {"imagenet_classes": 2.0, "transfer_lift": 1.0, "silent_channels": 0.45}


@pytest.mark.parametrize(
    ("per_class", "values", "strategy", "blocks"),
    [
        (40, SIMILAR, "linear_head", 0),
        (5000, SIMILAR, "mlp_head", 0),
        (5000, DIFFERENT, "finetune_top", 2),
        (40, DIFFERENT, "full_finetune", 5),
    ],
)
def test_each_quadrant_gets_its_rung_of_the_ladder(per_class, values, strategy, blocks):
    advice = made_up_advice(per_class, values)
    assert (advice.strategy, advice.blocks) == (strategy, blocks)
    assert f"Train {blocks} of the backbone's 5 blocks" in advice.reason


def test_a_missing_signal_does_not_count():
    advice = made_up_advice(40, {**SIMILAR, "transfer_lift": None})
    assert len([s for s in advice.signals if s.score is not None]) == 2
    assert advice.verdict == "similar"


def run(strategy: str, acc: float, status: str = "finished", backbone: str = BACKBONE):
    return SimpleNamespace(
        id=f"{strategy}-{acc}",
        dataset_id="ds",
        backbone=backbone,
        strategy=strategy,
        status=status,
        best_val_acc=acc,
    )


def test_the_ladder_check_waits_for_every_rung_then_judges_the_advice():
    advice = made_up_advice(40, SIMILAR)  # advises linear_head
    partial = [run("linear_head", 0.8), run("scratch", 0.5, "running")]
    check = advisor.ladder.check(advice, partial, n_val=40)
    assert not check.complete and check.right is None and check.pending == ["scratch-0.5"]
    ladder = [
        run("linear_head", 0.80),
        run("mlp_head", 0.79),
        run("finetune_top", 0.81),
        run("full_finetune", 0.70),
        run("scratch", 0.40),
    ]
    check = advisor.ladder.check(advice, ladder, n_val=40)
    assert check.complete and check.best == "finetune_top"
    assert check.right and check.within_noise and "Within noise" in check.message
    assert "names no winner" in check.message  # 1 point behind: 40 images can't tell
    ladder[2] = run("finetune_top", 0.90)  # 65-90% and 77-96% overlap: still no winner
    check = advisor.ladder.check(advice, ladder, n_val=40)
    assert check.within_noise and "Within noise" in check.message
    assert not advisor.ladder.check(advice, ladder, n_val=400).within_noise  # more images
    ladder[0] = run("linear_head", 0.60)  # 45-74% against 77-96%: apart
    check = advisor.ladder.check(advice, ladder, n_val=40)
    assert check.right is False and not check.within_noise and "wrong" in check.message
    tie = [run(r.strategy, 1.0 if r.strategy != "scratch" else 0.5) for r in ladder]
    check = advisor.ladder.check(made_up_advice(40, DIFFERENT), tie, n_val=40)
    assert check.best == "full_finetune" and check.right and "tied with" in check.message
    other_backbone = [run(r.strategy, 0.99, backbone="ResNet50") for r in ladder]
    assert advisor.ladder.check(advice, ladder + other_backbone, 40).best == "finetune_top"


def test_the_wilson_interval_matches_newcombes_table():
    # Newcombe (1998), Statistics in Medicine 17:857, table I, method 3 (the score interval).
    known = {(81, 263): (0.2553, 0.3662), (15, 148): (0.0624, 0.1605), (0, 20): (0.0, 0.1611)}
    known |= {(1, 29): (0.0061, 0.1718), (29, 29): (0.8830, 1.0)}
    for (right, n), (low, high) in known.items():
        assert significance.wilson(right / n, n) == pytest.approx((low, high), abs=5e-5)
    assert significance.wilson(0.5, 0) == (0.0, 1.0)
    assert significance.overlap((0.1, 0.3), (0.3, 0.5)) and not significance.overlap(
        (0, 0.2), (0.3, 1)
    )


def test_resolution_is_one_standard_error_and_at_least_one_image():
    assert significance.resolution(0.6, 40) == pytest.approx(0.0775, abs=1e-4)
    assert significance.resolution(1.0, 40) == pytest.approx(1 / 40)
    assert significance.resolution(0.6, 4000) < significance.resolution(0.6, 40) / 9


def test_the_ladder_check_gives_no_verdict_when_no_rung_rose_above_the_class_prior():
    advice = made_up_advice(40, SIMILAR)
    at_prior = [run(s, 0.225) for s in STRATEGIES]  # 5 classes, 40 images: chance and noise
    check = advisor.ladder.check(advice, at_prior, n_val=40, prior=0.2)
    assert check.complete and check.right is None and check.best is None
    assert "No rung rose above the class prior" in check.message
    assert {row["learnt"] for row in check.rows} == {"no: at the class prior"}
    # One rung that learnt is enough for a verdict; the others are marked.
    mixed = [run("linear_head", 0.6)] + at_prior[1:]
    check = advisor.ladder.check(advice, mixed, n_val=40, prior=0.2)
    assert check.right and check.best == "linear_head"
    assert [row["learnt"] for row in check.rows][:2] == ["yes", "no: at the class prior"]
