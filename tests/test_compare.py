import csv
import io
from types import SimpleNamespace

import pytest

from dashboard import compare


def history(accs, seconds=1.0):
    return [
        {"epoch": i + 1, "val_acc": a, "acc": a, "loss": 1 - a, "val_loss": 1 - a,
         "seconds": seconds, "images_seen": 10 * (i + 1), "phase": "train"}
        for i, a in enumerate(accs)
    ]  # fmt: skip


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
        SimpleNamespace(id=f"r{i}", name=f"r{i}", strategy="s", backbone="b",
                        config={"strategy": "s", "seed": seed, "lr": lr})
        for i, (seed, lr) in enumerate([(1, 0.1), (2, 0.1), (1, 0.2)])
    ]  # fmt: skip
    groups = compare.seed_groups(runs)
    assert sorted(len(g) for g in groups.values()) == [1, 2]
    text = compare.metrics_csv(runs[:2], {"r0": history([0.1, 0.2]), "r1": history([0.3])})
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 3 and rows[1]["elapsed"] == "2.0" and rows[2]["seed"] == "2"
