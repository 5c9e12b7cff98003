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
