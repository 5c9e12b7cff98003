"""The Train page's dataset section, driven through AppTest."""

from __future__ import annotations

import pytest

from tests.conftest import no_exception, upload_flowers
from tests.hostile_uploads import make_zip, noise_jpeg


def test_upload_flowers_zip_shows_the_summary(train_page):
    at = upload_flowers(train_page, small_backbone=False)
    no_exception(at)
    assert "200 images in 5 classes" in at.success[0].value
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Images"] == "200" and metrics["Classes"] == "5"
    assert metrics["Train / val / test"] == "160 / 40 / 0"
    titles = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Images per class" in t for t in titles)
    assert any("Image sizes" in t for t in titles)
    captions = [i.caption for image in at.image for i in image.proto.imgs]
    assert captions.count("daisy") == 8 and captions.count("tulip") == 8
    at.run()  # a rerun keeps the dataset selected and does not ingest again
    no_exception(at)
    assert not at.success and {m.label: m.value for m in at.metric}["Images"] == "200"


def test_bad_zip_shows_a_message(train_page):
    at = train_page
    at.file_uploader(key="zip_up").upload("broken.zip", b"PK\x03\x04 nope", "application/zip")
    at.run()
    no_exception(at)
    assert "broken.zip" in at.error[0].value and "not a zip file" in at.error[0].value


def test_skipped_files_are_listed(train_page):
    at = train_page
    data = make_zip(
        [
            ("a/1.jpg", noise_jpeg(1)),
            ("a/2.jpg", noise_jpeg(2)),
            ("b/3.jpg", noise_jpeg(3)),
            ("b/4.jpg", noise_jpeg(4)),
            ("b/notes.txt", b"x"),
            ("../evil.jpg", noise_jpeg(5)),
        ]
    )
    at.file_uploader(key="zip_up").upload("mixed.zip", data, "application/zip")
    at.run()
    no_exception(at)
    skipped = at.dataframe[-1].value
    assert set(skipped["file"]) == {"b/notes.txt", "../evil.jpg"}


def test_builtin_sample_and_rename_delete(train_page):
    at = train_page
    at.button(key="sample_faces").click().run()
    no_exception(at)
    assert {m.label: m.value for m in at.metric}["Images"] == "200"
    at.text_input(key=f"rename_{at.session_state['dataset_id']}").set_value("Faces!")
    at.button(key="rename").click().run()
    no_exception(at)
    assert "Faces!" in at.selectbox[0].format_func(at.selectbox[0].value)
    at.checkbox(key=f"sure_{at.session_state['dataset_id']}").check().run()
    at.button(key="delete").click().run()
    no_exception(at)
    assert "No datasets yet" in at.info[0].value


def test_train_linear_head_on_flowers_see_the_results_and_act_on_a_cell(
    shared_weights_env, train_page
):
    import time

    at = upload_flowers(train_page)
    assert at.selectbox(key="train_backbone").value == "MobileNet_0.25_224"
    assert at.selectbox(key="train_strategy").value == "linear_head"
    at.number_input(key="epochs_MobileNet_0.25_224_linear_head").set_value(5)
    next(b for b in at.button if b.label == "Train").click().run()
    no_exception(at)
    status = ""
    for _ in range(300):  # the run trains in the background; the page only reads its state
        time.sleep(0.5)
        at.run()
        no_exception(at)
        status = next((c.value for c in at.caption if c.value.startswith("Device")), "")
        if "status finished" in status or "status failed" in status:
            break
    assert "status finished" in status, (status, [e.value for e in at.error])
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any('"name":"validation acc"' in s for s in specs)  # the curve
    assert any("Confusion matrix" in s for s in specs)
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Export parity"] == "40/40 same"
    assert float(metrics["Validation accuracy"].rstrip("%")) > 40  # 5 classes: chance is 20%
    assert at.get("download_button"), "export download missing"
    at.run()  # a rerun neither restarts nor duplicates the run
    no_exception(at)
    from dashboard import glue

    assert len(glue.job_manager().runs.list()) == 1
    interval = next(c.value for c in at.caption if c.value.startswith("95% interval"))
    assert "on 40 images (Wilson)" in interval
    assert any("Precision-recall per class" in s for s in specs)
    assert any("expected calibration error" in s for s in specs)
    act_on_a_confusion_cell(at, glue.job_manager().runs.list()[0])


def act_on_a_confusion_cell(at, run) -> None:
    """Choose a cell (what a click on the chart does), exclude one of its images, apply."""
    from dashboard import datasets, glue

    cell_box = at.selectbox(key=f"cell_{run.id}")
    confusion = run.results.val.confusion
    cells = [o for o in cell_box.options if o != cell_box.options[0]]
    assert cells, "every non-empty cell is a choice"
    off = [(i, j) for i, row in enumerate(confusion) for j, n in enumerate(row) if n and i != j]
    cell = off[0] if off else (0, 0)
    cell_box.set_value(cell).run()
    no_exception(at)
    prefix = f"act_cm_{run.id}_{run.dataset_id}_"
    boxes = [b for b in at.selectbox if b.key and b.key.startswith(prefix)]
    assert len(boxes) == min(confusion[cell[0]][cell[1]], 12)
    boxes[0].set_value("exclude").run()
    no_exception(at)
    assert any(i.value.startswith("If applied:") for i in at.info)
    at.button(key=f"apply_cm_{run.id}_{run.dataset_id}").click().run()
    no_exception(at)
    version = datasets.get(glue.settings(), at.session_state["dataset_id"])
    assert version.parent == run.dataset_id
    assert version.changes.left == [boxes[0].key.removeprefix(prefix)]


def test_learning_rate_finder_draws_the_curve_and_fills_the_form(shared_weights_env, train_page):
    at = upload_flowers(train_page)
    k = "MobileNet_0.25_224_linear_head"
    next(b for b in at.button if b.label == "Find a learning rate").click().run()
    no_exception(at)
    specs = [c.proto.spec for c in at.get("plotly_chart")]
    assert any("Learning-rate range test" in s for s in specs)
    use = next(b for b in at.button if b.label.startswith("Use the suggested learning rate"))
    suggested = float(use.label.rsplit(" ", 1)[1])
    assert 1e-6 < suggested < 1.0
    assert at.number_input(key=f"lr_{k}").value != pytest.approx(suggested)  # the default 0.01
    use.click().run()
    no_exception(at)
    assert at.number_input(key=f"lr_{k}").value == pytest.approx(suggested)
    at.run()  # the curve stays, read from the cache; nothing is measured again
    no_exception(at)
    assert any("Learning-rate range test" in c.proto.spec for c in at.get("plotly_chart"))


def test_the_augmentations_preview_on_the_datasets_own_images(train_page):
    at = upload_flowers(train_page)
    at.selectbox(key="train_strategy").set_value("full_finetune").run()
    k = f"{at.selectbox(key='train_backbone').value}_full_finetune"
    at.slider(key=f"aug_rotation_{k}").set_value(0.5).run()
    before = len(at.get("image"))
    at.button(key=f"aug_preview_{k}").click().run()
    no_exception(at)
    rows = at.get("image")[before:]
    assert len(rows) == 4  # four of the dataset's images: each the original and four draws
    assert all([i.caption for i in row.proto.imgs][:2] == ["original", "draw 1"] for row in rows)
    assert all(len(row.proto.imgs) == 5 for row in rows)
    # The draws are the run's layers at these strengths: changed images, or (all 0) the same.
    from dashboard import datasets, glue, training

    manifest = datasets.get(glue.settings(), at.session_state["dataset_id"])
    preview = training.augment_preview.preview
    original, drawn = preview(glue.settings(), manifest, {"rotation": 0.5}, 0)[0]
    assert all(abs(d.astype(int) - original).mean() > 5 for d in drawn)
    off = dict.fromkeys(("flip", "rotation", "zoom", "contrast", "translation"), 0)
    original, drawn = preview(glue.settings(), manifest, off, 0)[0]
    assert all((d == original).all() for d in drawn)
