"""The Train page's advisor section, driven through AppTest with the shared MobileNet weights."""

from __future__ import annotations

from dashboard import training
from dashboard.settings import Settings
from tests.conftest import no_exception, upload_flowers

BACKBONE = "MobileNet_0.25_224"


def measure(at):
    at.button(key=next(b.key for b in at.button if b.key.startswith("advise_"))).click().run()
    no_exception(at)
    return at


def test_advisor_renders_the_chart_and_a_recommendation_for_flowers(
    warm_features,
    shared_weights_env,
    train_page,  # noqa: F811
):
    at = upload_flowers(train_page)
    assert not any("Where this dataset sits" in c.proto.spec for c in at.get("plotly_chart"))
    at = measure(at)
    assert not at.error, [e.value for e in at.error]
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    chart = next(s for s in specs if "Where this dataset sits" in s)
    assert "Linear head on a frozen base" in chart  # the quadrants are labelled
    recommendation = next(s.value for s in at.success if "Recommendation" in s.value)
    assert "1 · Linear head on a frozen base" in recommendation
    assert "similar to ImageNet" in recommendation
    metrics = {m.label: m for m in at.metric}
    assert metrics["Size"].value == "small"
    assert metrics["Similarity to ImageNet"].delta == "similar"
    assert metrics["Transfer lift"].delta.startswith("similar")  # each signal has its say
    assert metrics["Silent detectors"].delta.startswith("similar")

    # The advice is stored: a rerun shows it without measuring again.
    at.run()
    no_exception(at)
    assert any("Recommendation" in s.value for s in at.success)

    # The samples as faint reference points on the same chart.
    at.button(key="advice_samples").click().run()
    no_exception(at)
    chart = next(
        c.proto.spec for c in at.get("plotly_chart") if "Where this dataset" in c.proto.spec
    )
    assert '"name":"other datasets"' in chart and '"digits"' in chart and '"faces"' in chart
    assert not [b for b in at.button if b.key == "advice_samples"]  # both measured now

    # "Put it in the form below" chooses the advised strategy in the training form.
    at.selectbox(key="train_strategy").set_value("scratch").run()
    at.button(key="advice_form").click().run()
    no_exception(at)
    assert at.selectbox(key="train_strategy").value == "linear_head"


def test_the_page_says_whether_the_advice_was_right_once_the_ladder_ran(
    warm_features,  # the flowers measured by the test above
    shared_weights_env,
    train_page,  # noqa: F811
):
    from dashboard import glue

    at = measure(upload_flowers(train_page))
    runs = glue.job_manager().runs
    manifest_id = next(iter({a.dataset_id for a in _advice()}))
    accuracies = {
        "linear_head": 0.80,
        "mlp_head": 0.78,
        "finetune_top": 0.90,
        "full_finetune": 0.70,
        "scratch": 0.40,
    }
    ids = {}
    for strategy, acc in accuracies.items():  # finished runs, as the trainer would leave them
        config = training.default_config(manifest_id, BACKBONE, strategy)
        ids[strategy] = runs.create(config.to_dict(), config.key(), "flowers-mini").id
        runs.update(ids[strategy], status="finished", best_val_acc=acc, final_val_acc=acc)
    at.run()
    no_exception(at)
    # 90% against the advised 80% on 40 validation images: the intervals overlap.
    noise = next(i.value for i in at.info if "Within noise" in i.value)
    assert "3 · Fine-tune the top blocks" in noise and "names no winner" in noise
    assert not [w for w in at.warning if "advice was wrong" in w.value]
    table = next(d.value for d in at.dataframe if "95% interval" in d.value.columns)
    assert "65.2%–89.5%" in set(table["95% interval"])  # 80% of 40, Wilson
    runs.update(ids["finetune_top"], best_val_acc=1.0, final_val_acc=1.0)  # 91-100%: apart
    runs.update(ids["linear_head"], best_val_acc=0.70, final_val_acc=0.70)
    at.run()
    warning = next(w.value for w in at.warning if "advice was wrong" in w.value)
    assert "3 · Fine-tune the top blocks" in warning and "30.0%" in warning


def _advice():
    from dashboard import advisor

    return advisor.all_stored(Settings.from_env(), BACKBONE)
