"""Did the fix help? The paired k-fold check on cached features, on made-up clusters (where the
answer is known) and on flowers-mini with planted wrong labels; then the Train page applying
the suspects' relabels as a new version."""

from __future__ import annotations

import numpy as np

from dashboard import datasets, featurespace, probes
from models import catalog
from tests.conftest import clusters, no_exception

BACKBONE = "MobileNetV2"


def test_the_same_labels_change_nothing_and_a_real_fix_helps_in_both_directions():
    x, truth = clusters(60, spread=2.0, noise=1.5)
    same = probes.paired_kfold(x, truth, truth)
    assert same.gain == same.low == same.high == 0.0 and same.within_noise
    rng = np.random.default_rng(1)
    wrong = truth.copy()
    flipped = rng.choice(len(truth), len(truth) // 4, replace=False)
    wrong[flipped] = (truth[flipped] + 1) % 3
    fixed = probes.paired_kfold(x, wrong, truth)  # the fix: wrong labels back to the truth
    assert fixed.low > 0 and not fixed.within_noise, fixed
    # The other way, scored on the wrong labels: random flips teach nothing, and it says so.
    broken = probes.paired_kfold(x, truth, wrong)
    assert broken.gain < 0 < fixed.low, broken
    # Excluding the flipped images instead also helps: the probe learns from clean labels.
    kept = np.ones(len(truth), bool)
    kept[flipped] = False
    assert probes.paired_kfold(x, wrong, wrong, kept).low > 0
    assert probes.paired_kfold(x[:4], truth[:4], truth[:4]) is None  # too few for two folds


def suspect_edit(settings, manifest, only=None, to=None) -> datasets.Edit:
    """Relabel the flagged images (those in `only`, if given) to class `to`, or else to what
    the features say."""
    fmap = featurespace.feature_map(settings, manifest, BACKBONE, "PCA")
    edit = datasets.Edit()
    for s in fmap.suspects:
        record = fmap.records[s.index]
        if only is None or record.original in only:
            edit.relabel[record.sha] = to or manifest.classes[s.likely]
    return edit


def test_fixing_the_planted_labels_gains_and_the_unchanged_set_gains_nothing(
    planted,  # noqa: F811
    warm_features,
):
    settings, manifest, moved = planted
    backbone = catalog.get(BACKBONE)
    fix = suspect_edit(settings, manifest, only=set(moved), to="daisy")  # back where they were
    assert len(fix.relabel) >= 2
    gain = probes.check_edit(settings, manifest, fix, backbone)
    assert gain.gain > 0 and gain.low < gain.gain < gain.high, gain
    # The unchanged dataset: exactly no gain, and within noise.
    unchanged = probes.check_edit(settings, manifest, datasets.Edit(), backbone)
    assert unchanged.gain == 0.0 and unchanged.within_noise
    # (Relabelling all of flowers-mini's own suspects to the features' class is not within
    # noise: +5.5 points, 95% CI +0.4 to +10.6 with MobileNetV2. Moved together, similar hard
    # images vouch for each other's new label; noted on issue 23, not asserted away here.)


def test_the_page_applies_the_suspects_relabels_as_a_new_version(
    planted,  # noqa: F811
    warm_features,
    shared_weights_env,
    train_page,
):
    settings, manifest, moved = planted
    at = train_page
    at.selectbox(key="train_backbone").set_value(BACKBONE).run()
    at.button(key=f"fs_go_{manifest.id}").click().run()
    no_exception(at)
    shas = {r.sha for r in manifest.images if r.original in moved}
    boxes = [b for b in at.selectbox if b.key and b.key.startswith(f"act_fs_{manifest.id}_")]
    planted_boxes = [b for b in boxes if b.key.rpartition("_")[2] in shas]
    assert len(planted_boxes) >= 2
    for box in planted_boxes:
        box.set_value("daisy")
    excluded = next(b for b in boxes if b not in planted_boxes)
    excluded.set_value("exclude")
    at.run()
    no_exception(at)
    check = next(i.value for i in at.info if i.value.startswith("If applied:"))
    assert "points, 95% CI" in check and "over 5 folds" in check
    at.button(key=f"apply_fs_{manifest.id}").click().run()
    no_exception(at)
    version_id = at.session_state["dataset_id"]
    assert version_id != manifest.id
    done = next(s.value for s in at.success if "Made a new version" in s.value)
    assert "points, 95% CI" in done
    version = datasets.get(settings, version_id)
    assert version.parent == manifest.id
    assert {m.sha for m in version.changes.moved} == {
        b.key.rpartition("_")[2] for b in planted_boxes
    }
    assert {m.after for m in version.changes.moved} == {"daisy"}
    assert version.changes.left == [excluded.key.rpartition("_")[2]]
    lineage = next(d.value for d in at.dataframe if "made from" in d.value.columns)
    assert list(lineage["version"]) == [manifest.id, version_id]


# -- what to collect next ---------------------------------------------------------------------
def test_the_dual_ridge_leaving_rows_out_equals_solving_without_them():
    from dashboard.probes.curve import _DualRidge

    x, y = clusters(20, classes=3, dims=12, noise=3.0)
    order = np.random.default_rng(0).permutation(len(y))  # every class among the kept rows
    x, y = x[order], y[order]
    train, test = np.arange(50), np.arange(50, 60)
    fold = _DualRidge(x[train], x[test], y[train], 3)
    mean, scale = x[train].mean(0), x[train].std(0) + 1e-6
    for left_out in (np.array([], int), np.array([1, 4, 30]), np.arange(8, 48)):  # both paths
        kept = np.setdiff1d(train, left_out)
        a, b = (x[kept] - mean) / scale, (x[test] - mean) / scale
        t = np.eye(3)[y[kept]]
        t = t * (len(kept) / t.sum(0) / 3) - 1 / 3  # class-balanced, centred
        alpha = np.linalg.solve(a @ a.T + 12 * np.eye(len(kept)), t)
        direct = (b @ a.T @ alpha + 1 / 3).argmax(1)
        assert (fold.predict_without(left_out, np.arange(10)) == direct).all()


def test_the_forecast_sees_a_solved_class_buys_nothing_and_a_hard_one_still_learns():
    rng = np.random.default_rng(0)
    dims, per = 400, 60
    centres = rng.normal(0, 0.12, (3, dims))
    centres[2] += 2.0  # class 2 stands far from the others: solved with a handful
    labels = np.repeat(np.arange(3), per)
    x = centres[labels] + rng.normal(0, 1, (len(labels), dims))
    curves = probes.class_curves(x, labels)
    solved, hard = curves.per_class[2], curves.per_class[0]
    assert solved.recall.min() == 1.0 and probes.forecast(solved, per).buys_nothing
    assert hard.recall[-1] > hard.recall[0]  # still climbing with its own images
    assert probes.forecast(curves.every, per).gain > 0
    # Forecast from half the images against the measured accuracy with all of them.
    half = np.concatenate([np.flatnonzero(labels == c)[: per // 2] for c in range(3)])
    from_half = probes.class_curves(x[half], labels[half])
    forecast = probes.forecast(from_half.every, per // 2)
    then = 100 * from_half.every.recall[-1] + forecast.gain
    measured = 100 * curves.every.recall[-1]
    assert forecast.gain > 0 and abs(then - measured) < 10, (then, measured, forecast)


def test_the_page_forecasts_per_class_adds_images_and_merges_classes_as_versions(
    warm_features, shared_weights_env, train_page
):
    from dashboard import glue
    from tests.conftest import upload_flowers
    from tests.tiny_training import coloured

    at = upload_flowers(train_page)
    manifest = datasets.get(glue.settings(), at.session_state["dataset_id"])
    at.button(key=f"curves_go_{manifest.id}").click().run()
    no_exception(at)
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Learning curves" in s for s in specs)
    every = next(i.value for i in at.info if "more images of every class" in i.value)
    assert "points (95% interval" in every
    tulip = manifest.classes.index("tulip")
    at.button(key=f"add_to_{manifest.id}_{tulip}").click().run()  # the class's own button
    assert at.selectbox(key=f"add_cls_{manifest.id}").value == "tulip"
    uploader = at.file_uploader(key=f"add_files_{manifest.id}")
    for i in range(2):
        uploader.upload(f"new{i}.png", coloured(500 + i, (200, 40, 90)), "image/png")
    at.run()
    at.button(key=f"add_go_{manifest.id}").click().run()
    no_exception(at)
    grown = datasets.get(glue.settings(), at.session_state["dataset_id"])
    assert grown.parent == manifest.id and len(grown.changes.came) == 2
    assert {r.cls for r in grown.images if r.sha in grown.changes.came} == {"tulip"}
    # Merge two classes of the new version into one.
    at.multiselect(key=f"merge_{grown.id}").set_value(["daisy", "sunflower"]).run()
    at.text_input(key=f"merge_into_{grown.id}").input("yellow").run()
    at.button(key=f"apply_classes_{grown.id}").click().run()
    no_exception(at)
    merged = datasets.get(glue.settings(), at.session_state["dataset_id"])
    assert merged.parent == grown.id and "yellow" in merged.classes
    assert not {"daisy", "sunflower"} & set(merged.classes)


# -- k-fold for head-only runs ----------------------------------------------------------------
def test_a_head_only_run_cross_validates_its_head_when_asked(tmp_path, weights_dir):
    from dashboard import training
    from dashboard.training.config import TrainConfig
    from tests.conftest import wait
    from tests.tiny_training import config, tiny_dataset, tiny_settings

    settings = tiny_settings(tmp_path, weights_dir)
    manifest = tiny_dataset(settings)
    jm = training.manager(settings)
    run = wait(jm, jm.submit(config(manifest, epochs=3, folds=5))[0].id)
    assert run.status == "finished", run.message
    folds = run.results.folds
    assert len(folds) == 5 and all(0.0 <= a <= 1.0 for a in folds)
    assert max(folds) > 0.5  # red against blue squares: the head learns them on most folds
    plain = config(manifest, epochs=3)
    assert wait(jm, jm.submit(plain)[0].id).results.folds == []  # not asked: not done
    # The field added later leaves the keys of runs stored before it as they were.
    import hashlib
    import json

    added = ("folds", "augmentations", "resume_from", "init_from")  # added after runs were stored
    before = {k: v for k, v in plain.to_dict().items() if k not in added}  # a stored config
    old_key = hashlib.sha256(json.dumps(before, sort_keys=True).encode()).hexdigest()[:20]
    assert plain.key() == old_key == TrainConfig(**before).key()
    assert plain.with_(folds=5).key() != plain.key()
