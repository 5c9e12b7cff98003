"""Dataset versions: a change makes a new, content-addressed dataset that names its parent and
its diff, shares the parent's stored images (nothing copied) and leaves runs on the version
they trained on."""

from __future__ import annotations

import json

import pytest

from dashboard import datasets, features, training, trust
from models import catalog
from tests.conftest import two_servers, wait
from tests.tiny_training import BACKBONE, config, tiny_dataset, tiny_settings


def folder_bytes(path) -> dict[str, int]:
    return {
        p.relative_to(path).as_posix(): p.stat().st_size for p in path.rglob("*") if p.is_file()
    }


def by_original(manifest, name: str):
    return next(r for r in manifest.images if r.original.endswith(name))


@pytest.fixture
def tiny(tmp_path, weights_dir):
    settings = tiny_settings(tmp_path, weights_dir)
    return settings, tiny_dataset(settings)


def edit(manifest, relabel=(), exclude=()) -> datasets.Edit:
    return datasets.Edit(
        {by_original(manifest, n).sha: cls for n, cls in relabel},
        {by_original(manifest, n).sha for n in exclude},
    )


def test_a_version_records_its_parent_and_diff_and_the_lineage_follows(tiny):
    settings, v1 = tiny
    v2, reused = datasets.new_version(
        settings, v1, edit(v1, [("red/0.png", "blue")], ["red/1.png"])
    )
    assert not reused and v2.id != v1.id and v2.parent == v1.id
    moved = by_original(v1, "red/0.png").sha
    assert v2.changes.moved == [datasets.Move(moved, "red", "blue")]
    assert v2.changes.left == [by_original(v1, "red/1.png").sha] and v2.changes.came == []
    assert datasets.diff(v1, v2) == v2.changes
    assert len(v2.images) == len(v1.images) - 1 and by_original(v2, "red/0.png").cls == "blue"
    assert {r.split for r in v2.images if r.sha == moved} == {by_original(v1, "red/0.png").split}
    v3, _ = datasets.new_version(settings, v2, edit(v2, exclude=["blue/3.png"]))
    line, children = datasets.versions_of(settings, v3)
    assert [m.id for m in line] == [v1.id, v2.id, v3.id] and children == []
    assert [m.id for m in datasets.versions_of(settings, v1)[1]] == [v2.id]
    # The same edit again is the same version; the stored one comes back.
    again, reused = datasets.new_version(
        settings, v1, edit(v1, [("red/0.png", "blue")], ["red/1.png"])
    )
    assert reused and again.id == v2.id
    with pytest.raises(datasets.DatasetError, match="Nothing to change"):
        datasets.new_version(settings, v1, edit(v1, [("red/0.png", "red")]))


def test_a_relabel_copies_no_image_the_store_grows_by_the_manifest_only(tiny):
    settings, v1 = tiny
    root = settings.home / "datasets"
    before = folder_bytes(root)
    v2, _ = datasets.new_version(settings, v1, edit(v1, [("red/0.png", "blue")], ["red/2.png"]))
    after = folder_bytes(root)
    grown = {k: v for k, v in after.items() if k not in before}
    assert list(grown) == [f"{v2.id}/manifest.json"], grown
    assert sum(after.values()) - sum(before.values()) == grown[f"{v2.id}/manifest.json"]
    # Its images are read from the parent's folder, through the same calls as any dataset's.
    record = by_original(v2, "red/0.png")
    assert v2.home(record) == v1.id
    assert datasets.read_image(settings, v2, record) == datasets.read_image(
        settings, v1, by_original(v1, "red/0.png")
    )
    assert datasets.image_path(settings, v2, record).parent.parent.name == v1.id


def test_runs_keep_their_version_and_a_relabel_reuses_the_parents_features(tiny):
    settings, v1 = tiny
    jm = training.manager(settings)
    first = wait(jm, jm.submit(config(v1, epochs=2))[0].id)
    assert first.status == "finished", first.message
    v2, _ = datasets.new_version(settings, v1, edit(v1, [("red/0.png", "blue")]))
    assert jm.runs.get(first.id).dataset_id == v1.id  # the run stays on what it trained on
    assert datasets.get(settings, v1.id).images == v1.images  # the parent is unchanged
    splits, hits = features.split_features(
        settings,
        v2,
        BACKBONE,
        features.pretrained_weights_id(settings, catalog.get(BACKBONE)),
        64,
        make_model=lambda: pytest.fail("a relabel needs no forward pass"),
    )
    assert hits == [True, True]
    (x_train, y_train), _ = splits
    assert len(x_train) == len(v2.records("train"))
    assert list(y_train) == v2.labels(v2.records("train"))  # the version's own labels
    second = wait(jm, jm.submit(config(v2, epochs=2))[0].id)
    assert second.status == "finished" and second.dataset_id == v2.id, second.message


def test_a_dataset_whose_images_a_version_uses_is_not_deleted(tiny):
    settings, v1 = tiny
    v2, _ = datasets.new_version(settings, v1, edit(v1, exclude=["red/0.png"]))
    with pytest.raises(datasets.DatasetError, match="delete them first"):
        datasets.delete(settings, v1.id)
    assert datasets.read_image(settings, v2, v2.images[0])  # still readable
    datasets.delete(settings, v2.id)
    datasets.delete(settings, v1.id)
    assert datasets.list_datasets(settings) == []


def test_added_images_train_are_stored_once_and_a_bad_addition_is_refused(tiny):
    from tests.tiny_training import coloured

    settings, v1 = tiny
    root = settings.home / "datasets"
    before = folder_bytes(root)
    green = [
        datasets.Addition("green", f"g{i}.png", coloured(200 + i, (30, 220, 30))) for i in range(3)
    ]
    more_red = datasets.Addition("red", "r.png", coloured(300, (220, 30, 30)))
    v2, reused = datasets.new_version(settings, v1, datasets.Edit(add=[*green, more_red]))
    assert not reused and v2.classes == ["blue", "green", "red"]
    added = [r for r in v2.images if v2.home(r) == v2.id]
    assert sorted(r.original for r in added) == ["g0.png", "g1.png", "g2.png", "r.png"]
    assert {r.split for r in added} == {"train"}  # validation stays what runs were measured on
    assert sorted(v2.changes.came) == sorted(r.sha for r in added) and not v2.changes.left
    grown = {k: v for k, v in folder_bytes(root).items() if k not in before}
    assert sorted(grown) == sorted(
        [f"{v2.id}/manifest.json", *(f"{v2.id}/{r.file}" for r in added)]
    )
    assert datasets.read_image(settings, v2, added[0])  # read like any image
    # The same bytes again, a file that is no image, and no class are refused, with words.
    with pytest.raises(datasets.DatasetError, match="in the dataset already"):
        datasets.new_version(settings, v2, datasets.Edit(add=[more_red]))
    bad = datasets.Addition("red", "evil.png", b"<?php system($_GET['c']); ?>")
    with pytest.raises(datasets.DatasetError, match="Cannot add 'evil.png'"):
        datasets.new_version(settings, v2, datasets.Edit(add=[bad]))
    nameless = datasets.Addition("  ", "x.png", coloured(301, (1, 2, 3)))
    with pytest.raises(datasets.DatasetError, match="Choose the class"):
        datasets.new_version(settings, v2, datasets.Edit(add=[nameless]))
    assert (
        not list((root.parent / "tmp").glob("version-*"))
        if (root.parent / "tmp").is_dir()
        else True
    )


def test_merging_and_dropping_classes_are_versions(tiny):
    settings, v1 = tiny
    green = [datasets.Addition("green", f"g{i}.png", tiny_green(i)) for i in range(6)]
    v2, _ = datasets.new_version(settings, v1, datasets.Edit(add=green))
    merged, _ = datasets.new_version(
        settings, v2, datasets.merge_classes(v2, ["green", "blue"], "cool")
    )
    assert merged.classes == ["cool", "red"] and len(merged.images) == len(v2.images)
    assert {m.after for m in merged.changes.moved} == {"cool"}
    dropped, _ = datasets.new_version(settings, v2, datasets.drop_classes(v2, ["green"]))
    assert dropped.classes == ["blue", "red"] and dropped.id == v1.id  # back to the parent's rows


def tiny_green(i: int) -> bytes:
    from tests.tiny_training import coloured

    return coloured(400 + i, (30, 220, 30))


def test_a_version_made_on_one_server_is_read_on_another(tmp_path, shared_env):
    a, b = two_servers(tmp_path, shared_env)
    v1 = tiny_dataset(a)
    v2, _ = datasets.new_version(a, v1, edit(v1, [("blue/0.png", "red")]))
    seen = {m.id: m for m in datasets.list_datasets(b)}
    assert set(seen) == {v1.id, v2.id} and seen[v2.id].parent == v1.id
    record = by_original(seen[v2.id], "blue/0.png")
    assert datasets.read_image(b, seen[v2.id], record) == datasets.read_image(a, v2, record)
    assert not (b.home / "datasets" / v2.id / "images").exists()  # a manifest, nothing more


def test_a_forged_version_pointing_outside_the_store_is_refused(tiny):
    settings, v1 = tiny
    v2, _ = datasets.new_version(settings, v1, edit(v1, exclude=["red/0.png"]))
    path = settings.home / "datasets" / v2.id / "manifest.json"
    for field, value in (("home", "../../etc"), ("home", v1.id + "/x")):
        raw = json.loads(path.read_text())
        raw["images"][0][field] = value
        path.write_text(json.dumps(raw))
        with pytest.raises(datasets.DatasetError, match="not valid"):
            datasets.get(settings, v2.id)
        assert v2.id not in {m.id for m in datasets.list_datasets(settings)}
    raw["images"][0]["home"] = ""
    raw["parent"] = "../" + v1.id
    path.write_text(json.dumps(raw))
    with pytest.raises(datasets.DatasetError, match="not valid"):
        datasets.get(settings, v2.id)
    with pytest.raises(trust.UntrustedError):
        trust.dataset_id("../" + v1.id)
