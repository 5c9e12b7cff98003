import csv
import io
from types import SimpleNamespace

import pytest

from dashboard import compare


def history(accs, seconds=1.0):
    return [
        {
            "epoch": i + 1,
            "val_acc": a,
            "acc": a,
            "loss": 1 - a,
            "val_loss": 1 - a,
            "seconds": seconds,
            "images_seen": 10 * (i + 1),
            "phase": "train",
        }
        for i, a in enumerate(accs)
    ]


def test_debiased_smoothing():
    assert compare.smooth([0.7] * 5, 0.9) == pytest.approx([0.7] * 5)  # constant stays constant
    w = 0.6
    s = compare.smooth([1.0, 3.0], w)
    assert s[0] == pytest.approx(1.0)  # no pull toward zero at the start
    assert s[1] == pytest.approx((w * 1.0 + 3.0) / (1 + w))
    assert compare.smooth([1.0, None, 3.0], 0.0) == [1.0, None, 3.0]
    with pytest.raises(ValueError):
        compare.smooth([1.0], 1.0)


def test_mean_std_band():
    band = compare.mean_std_band([history([0.2, 0.4, 0.9]), history([0.4, 0.6])], "val_acc")
    assert band.x == [1, 2] and band.n == 2
    assert band.mean == pytest.approx([0.3, 0.5]) and band.std == pytest.approx([0.1, 0.1])


def test_epochs_to_target_and_speed_up():
    pretrained, scratch = history([0.5, 0.85, 0.9]), history([0.2, 0.4, 0.6, 0.8, 0.86, 0.9])
    assert compare.to_target(pretrained, 0.85) == (2, 2.0)
    assert compare.to_target(scratch, 0.85) == (5, 5.0)
    assert compare.to_target(scratch, 0.95) == (None, None)
    assert compare.default_target([pretrained, scratch]) == pytest.approx(0.81)
    runs = [SimpleNamespace(id="p", name="pretrained"), SimpleNamespace(id="s", name="scratch")]
    rows = compare.summary_rows(runs, {"p": pretrained, "s": scratch}, 0.85, baseline_id="s")
    assert rows[0]["speed-up (epochs)"] == 2.5 and rows[1]["speed-up (epochs)"] == 1.0
    assert rows[0]["best val acc"] == 0.9 and rows[1]["epochs to target"] == 5


def test_seed_groups_and_csv():
    runs = [
        SimpleNamespace(
            id=f"r{i}",
            name=f"r{i}",
            strategy="s",
            backbone="b",
            config={"strategy": "s", "seed": seed, "lr": lr},
        )
        for i, (seed, lr) in enumerate([(1, 0.1), (2, 0.1), (1, 0.2)])
    ]
    groups = compare.seed_groups(runs)
    assert sorted(len(g) for g in groups.values()) == [1, 2]
    text = compare.metrics_csv(runs[:2], {"r0": history([0.1, 0.2]), "r1": history([0.3])})
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 and rows[1]["elapsed"] == "2.0" and rows[2]["seed"] == "2"


def seeded(strategy, seed, accs, seconds=1.0):
    return SimpleNamespace(
        id=f"{strategy}-{seed}",
        strategy=strategy,
        dataset_id="ds",
        name=strategy,
        config={"seed": seed, "strategy": strategy},
        _h=history(accs, seconds),
    )


def test_head_to_head_speedup_over_seed_pairs_in_epochs_and_seconds():
    pre = [
        seeded("full_finetune", 42, [0.5, 0.6, 0.7, 0.7], 2.0),
        seeded("full_finetune", 43, [0.5, 0.7, 0.7, 0.7], 2.0),
    ]
    scr = [
        seeded("scratch", 42, [0.2, 0.3, 0.4, 0.5, 0.6, 0.7], 1.0),
        seeded("scratch", 43, [0.2, 0.3, 0.5, 0.6, 0.7, 0.7], 1.0),
    ]
    histories = {r.id: r._h for r in pre + scr}
    h2h = compare.head_to_head(pre, scr, histories, n_val=100, prior=0.2, fraction=0.9)
    # scratch's mean curve peaks at 0.7; target 0.63: pretrained epochs 3 and 2, scratch 6, 5
    assert h2h.scratch_best == pytest.approx(0.7) and h2h.target == pytest.approx(0.63)
    assert h2h.speedup_epochs.mean == pytest.approx((6 / 3 + 5 / 2) / 2)
    assert h2h.speedup_epochs.std == pytest.approx(0.25) and h2h.speedup_epochs.n == 2
    assert h2h.speedup_seconds.mean == pytest.approx((6 / 6 + 5 / 4) / 2)  # 2 s vs 1 s epochs
    assert h2h.scratch_learnt and h2h.caught_up and "sooner in epochs" in h2h.message
    assert str(h2h.speedup_epochs) == "2.2× ± 0.2"


def test_head_to_head_shows_no_speedup_when_scratch_stays_at_the_class_prior():
    pre = [seeded("full_finetune", 42, [0.5, 0.6, 0.7])]
    scr = [seeded("scratch", 42, [0.2, 0.225, 0.2, 0.25, 0.2])]  # 40 images: noise
    histories = {r.id: r._h for r in pre + scr}
    h2h = compare.head_to_head(pre, scr, histories, n_val=40, prior=0.2)
    assert not h2h.scratch_learnt and h2h.speedup_epochs is None and h2h.speedup_seconds is None
    assert "never rose above the class prior" in h2h.message and not h2h.caught_up
    # The same curve on 4,000 validation images is a real (if small) rise.
    assert compare.head_to_head(pre, scr, histories, n_val=4000, prior=0.2).scratch_learnt


def test_pretrained_vs_scratch_groups_pick_a_seed_group_each():
    runs = [
        seeded("linear_head", 42, [0.5]),
        seeded("full_finetune", 42, [0.5]),
        seeded("full_finetune", 43, [0.5]),
        seeded("scratch", 42, [0.5]),
    ]
    for r in runs:
        r.config["dataset_id"] = "ds"
    pre, scr = compare.pretrained_vs_scratch_groups(runs)
    assert [r.id for r in pre] == ["full_finetune-42", "full_finetune-43"]
    assert [r.id for r in scr] == ["scratch-42"]
    assert compare.pretrained_vs_scratch_groups(runs[:3]) is None
