"""The trust boundary (dashboard/trust.py): what comes from the shared store or the database is
data, never a path or code. Each test is an attack by someone who can write to the team's
bucket (any teammate, or anyone holding its keys) or to its database, on a folder store and on
moto's S3 server; each fails if its defence is removed."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
import sqlalchemy as sa

from dashboard import datasets, features, shared_store, trust
from dashboard.runs import sync
from dashboard.runs.schema import runs as run_rows
from dashboard.runs.schema import store_files
from dashboard.runs.store import open_runs
from dashboard.settings import Settings
from dashboard.training import exports, results
from tests.tiny_training import tiny_dataset

RUN_ID = "20261202-120000-abcdef"


def servers(tmp_path, shared_env) -> tuple[Settings, Settings]:
    """Two servers, homes a and b, one store and one run database."""
    base = {**shared_env, "TLAB_OFFLINE": "1", "TLAB_DB_URL": f"sqlite:///{tmp_path}/runs.db"}
    return tuple(Settings.from_env({**base, "TLAB_HOME": str(tmp_path / n)}) for n in "ab")


def bucket(settings: Settings) -> shared_store.SharedStore:
    """The attacker's view: the bucket itself, written without the app."""
    return shared_store.shared_store(settings)


def forge_record(settings: Settings, rel: str, data: bytes) -> None:
    """A writer of the bucket and of the database: the file and its hash, both forged."""
    bucket(settings).write(rel, data)
    open_runs(settings).record_files({rel: trust.sha256_bytes(data)})


def outside(tmp_path) -> list[str]:
    """Files planted anywhere but in the store (the attacker's own writes land there)."""
    return sorted(p.name for p in tmp_path.rglob("planted*") if "shared" not in p.parts)


# -- 1. a dataset manifest in the store -----------------------------------------------------
@pytest.mark.parametrize(
    "bad_file", ["../../../../planted.txt", "/tmp/planted.txt", "images/../../../planted.txt"]
)
def test_a_poisoned_manifest_writes_nothing_outside_its_folder(tmp_path, shared_env, bad_file):
    a, b = servers(tmp_path, shared_env)
    manifest = tiny_dataset(a)
    rel = f"datasets/{manifest.id}/manifest.json"
    raw = json.loads(bucket(a).read(rel))
    raw["images"][0]["file"] = bad_file
    bucket(a).write(rel, json.dumps(raw).encode())
    bucket(a).write(f"datasets/{manifest.id}/{bad_file}", b"planted by the attacker")
    assert datasets.list_datasets(b) == []  # not listed
    with pytest.raises(datasets.DatasetError, match="not valid"):
        datasets.open_store(b).local_folder(manifest.id)
    assert outside(tmp_path) == [] and not (b.home / "datasets").exists()


def test_a_manifest_under_another_datasets_id_is_refused(tmp_path, shared_env):
    a, b = servers(tmp_path, shared_env)
    manifest = tiny_dataset(a)
    forged = "0123456789abcdef"
    text = bucket(a).read(f"datasets/{manifest.id}/manifest.json")
    bucket(a).write(f"datasets/{forged}/manifest.json", text)
    assert [m.id for m in datasets.list_datasets(b)] == [manifest.id]


def test_an_image_swapped_under_its_name_is_refused(tmp_path, shared_env):
    a, b = servers(tmp_path, shared_env)
    manifest = tiny_dataset(a)
    record = manifest.images[0]
    bucket(a).write(f"datasets/{manifest.id}/{record.file}", b"other bytes")
    with pytest.raises(datasets.DatasetError, match="does not hash to its name"):
        datasets.read_image(b, manifest, record)
    assert not (b.home / "datasets" / manifest.id).exists()


# -- 2. exports.json ------------------------------------------------------------------------
INJECTED_NAME = "x\")\nimport os; os.system('echo owned') #"


def _finished_run(settings: Settings):
    """RUN_ID as a finished run of a stored dataset (what a download's model card reads); its
    name, as any text in the database, may hold what an attacker wrote."""
    from types import SimpleNamespace

    from dashboard.runs import ClassScores, ExportCheck, RunResults, SplitScores

    manifest = tiny_dataset(settings)
    scores = [ClassScores(c, 1.0, 1.0, 1.0, 1) for c in manifest.classes]
    val = SplitScores(1.0, [[1, 0], [0, 1]], scores, [])
    export = ExportCheck("m", "l", 2, 2, 0.0, True)
    config = {"dataset_id": manifest.id, "backbone": "b", "strategy": "s", "image_size": 32}
    return SimpleNamespace(
        id=RUN_ID,
        name=INJECTED_NAME,
        backbone="b",
        strategy="s",
        dataset_id=manifest.id,
        config=config,
        results=RunResults(manifest.classes, 1.0, val, export),
    )


def _exported_run(settings: Settings) -> None:
    """A run's labels and a float32 TFLite export, pushed as the app pushes them."""
    folder = open_runs(settings).run_dir(RUN_ID)
    (folder / "labels.json").write_text(json.dumps({"classes": ["a", "b"], "image_size": 32}))
    exports_dir = folder / "exports"
    exports_dir.mkdir()
    (exports_dir / "model_float32.tflite").write_bytes(b"tflite bytes")
    checks = {"bytes": 12, "parity_images": 2, "parity_same_class": 2, "parity_max_abs_diff": 0.0}
    (exports_dir / "exports.json").write_text(json.dumps({"tflite_float32": checks}))
    sync.push(settings, folder / "labels.json", exports_dir / "model_float32.tflite")
    sync.push(settings, exports_dir / "exports.json")


def test_a_poisoned_exports_json_names_no_file_and_writes_no_code(tmp_path, shared_env):
    a, b = servers(tmp_path, shared_env)
    (tmp_path / "secret.txt").write_text("the server's own secret")
    _exported_run(a)
    injected = "x.tflite\")\nimport os; os.system('echo owned') #"
    poisoned = {
        "tflite_float32": {
            "file": "../../../../secret.txt",
            "bytes": 1,
            "parity_images": 1,
            "parity_same_class": 1,
            "parity_max_abs_diff": 0.0,
        },
        "tflite_int8": {"file": injected, "bytes": "<b>1</b>"},
    }
    rel = f"runs/{RUN_ID}/exports/exports.json"
    forge_record(a, rel, json.dumps(poisoned).encode())  # bucket and database both forged
    summary = exports.stored(b, RUN_ID)
    assert summary is None or "file" not in json.dumps(summary)
    run = _finished_run(a)
    zipped = zipfile.ZipFile(io.BytesIO(exports.format_zip(b, run, "tflite_float32")))
    names = ["labels.json", "model_card.json", "model_float32.tflite", "predict.py"]
    assert sorted(zipped.namelist()) == names
    assert b"secret" not in b"".join(zipped.read(n) for n in zipped.namelist())
    predict = zipped.read("predict.py").decode()
    assert "MODEL = 'model_float32.tflite'" in predict and "os.system" not in predict
    compile(predict, "predict.py", "exec")
    # The run's name from the database is a value in the card's JSON, read back as written.
    assert json.loads(zipped.read("model_card.json"))["name"] == INJECTED_NAME


def test_a_forged_run_record_gets_a_card_that_says_so_and_the_download_still_comes(
    tmp_path, shared_env
):
    a, b = servers(tmp_path, shared_env)
    _exported_run(a)
    run = _finished_run(a)
    run.config = {**run.config, "image_size": "../../x"}  # not a size: the row was forged
    zipped = zipfile.ZipFile(io.BytesIO(exports.format_zip(b, run, "tflite_float32")))
    card = json.loads(zipped.read("model_card.json"))
    assert card["run_id"] == RUN_ID and "no image size" in card["error"]
    assert "classes" not in card  # nothing read from the forged row is vouched for


def test_a_saved_model_zip_with_a_traversing_member_is_refused(tmp_path, shared_env):
    a, b = servers(tmp_path, shared_env)
    _exported_run(a)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("../../planted.py", "print('owned')")
    forge_record(a, f"runs/{RUN_ID}/exports/saved_model.zip", buf.getvalue())
    with pytest.raises(trust.UntrustedError, match="escapes"):
        exports.format_zip(b, _finished_run(a), "saved_model")


# -- 3. a run id from the database ----------------------------------------------------------
def test_a_traversing_run_id_from_the_database_writes_nothing(tmp_path, shared_env):
    a, b = servers(tmp_path, shared_env)
    evil = "../planted-run"  # runs/../planted-run: out of runs/
    with open_runs(a).engine.begin() as db:
        db.execute(run_rows.insert().values(id=evil, status="finished", config="{}", results="{}"))
    for name in results.ARTIFACT_FILES:  # what the traversal would fetch, in the store too
        rel = f"runs/{evil}/{name}"
        bucket(a).fs.pipe_file(f"{bucket(a).root}/{rel}", b"planted")
        open_runs(a).record_files({rel: trust.sha256_bytes(b"planted")})
    assert [r.id for r in open_runs(b).list()] == [evil]  # the row is data, still listed
    assert results.local_artifacts(b, evil) == {}
    assert exports.stored(b, evil) is None
    assert not (b.home / "planted-run").exists()


def test_forged_mistake_indices_from_the_database_are_left_out(tmp_path, monkeypatch):
    """A results row whose misclassified indices (or classes) point past the validation split
    or its predictions: the mistakes view shows the real ones instead of failing."""
    from types import SimpleNamespace

    from dashboard.runs import ClassScores, ExportCheck, RunResults, SplitScores

    settings = Settings.from_env({"TLAB_HOME": str(tmp_path)})
    manifest = tiny_dataset(settings)
    val = manifest.records("val")
    first = manifest.classes.index(val[0].cls)
    probs = np.tile(np.eye(2)[1 - first] * 0.8 + 0.1, (len(val), 1))  # all: val[0]'s other class
    n_val = len(val)
    np.savez(tmp_path / "predictions.npz", val=probs)
    monkeypatch.setattr(
        results, "local_artifacts", lambda s, run_id: {"predictions": tmp_path / "predictions.npz"}
    )
    scores = [ClassScores(c, 0.5, 0.5, 0.5, 1) for c in manifest.classes]
    forged = SplitScores(0.5, [[0, 1], [0, 1]], scores, [0, n_val, 10**9, -1])
    export = ExportCheck("m", "l", 1, 1, 0.0, True)
    run = SimpleNamespace(id=RUN_ID, results=RunResults(manifest.classes, 0.5, forged, export))
    assert [m.record for m in results.mistakes(settings, run, manifest)] == [val[0]]
    # An index that points at an image the stored predictions got right is no mistake either.
    right = next(i for i, r in enumerate(val) if r.cls != val[0].cls)
    forged = SplitScores(0.5, [[0, 1], [0, 1]], scores, [right])
    run = SimpleNamespace(id=RUN_ID, results=RunResults(manifest.classes, 0.5, forged, export))
    assert results.mistakes(settings, run, manifest) == []
    one_class = RunResults(manifest.classes[:1], 0.5, SplitScores(0.5, [], [], [0]), export)
    assert results.mistakes(settings, SimpleNamespace(id=RUN_ID, results=one_class), manifest) == []


# -- 4. a swapped artifact or cache entry ---------------------------------------------------
@pytest.mark.parametrize("swapped", ["model.keras", "served.keras"])
def test_a_swapped_model_is_refused(tmp_path, shared_env, swapped):
    a, b = servers(tmp_path, shared_env)
    folder = open_runs(a).run_dir(RUN_ID)
    for name in results.ARTIFACT_FILES:
        (folder / name).write_bytes(f"the trainer's {name}".encode())
    sync.push(a, *(folder / n for n in results.ARTIFACT_FILES))
    bucket(a).write(f"runs/{RUN_ID}/{swapped}", b"the attacker's model")
    found = results.local_artifacts(b, RUN_ID)
    kept = {n.partition(".")[0] for n in results.ARTIFACT_FILES} - {swapped.partition(".")[0]}
    assert set(found) == kept  # the swapped model is refused, the rest still come
    assert not (b.home / "runs" / RUN_ID / swapped).exists()


def test_a_file_nobody_recorded_is_not_pulled(tmp_path, shared_env):
    a, b = servers(tmp_path, shared_env)
    bucket(a).write(f"runs/{RUN_ID}/model.keras", b"the attacker's model")
    assert results.local_artifacts(b, RUN_ID) == {}


def test_a_swapped_feature_cache_entry_is_computed_again(tmp_path, shared_env):
    a, b = servers(tmp_path, shared_env)
    parts = features.FeatureKey("backbone", "weights", "dataset", "all", 32)
    values = np.arange(12, dtype="float32").reshape(3, 4)
    features.cached_array(a, parts, lambda: values)
    path = features.FeatureCache(a).path(parts.entry)
    buf = io.BytesIO()
    np.savez(buf, features=np.zeros((3, 4)), labels=np.zeros(0))
    bucket(a).write(shared_store.relative(a, path), buf.getvalue())
    calls = []
    got = features.cached_array(b, parts, lambda: calls.append(1) or values)
    assert calls == [1] and np.array_equal(got, values)


def test_the_hash_of_every_pushed_file_is_recorded(tmp_path, shared_env):
    a, _ = servers(tmp_path, shared_env)
    parts = features.FeatureKey("backbone", "weights", "dataset", "all", 32)
    features.cached_array(a, parts, lambda: np.ones((2, 2)))
    with open_runs(a).engine.connect() as db:
        recorded = dict(db.execute(sa.select(store_files.c.path, store_files.c.sha256)).all())
    path = features.FeatureCache(a).path(parts.entry)
    assert recorded == {shared_store.relative(a, path): trust.sha256_file(path)}


# -- the checks themselves -----------------------------------------------------------------
def test_inside_follows_symlinks(tmp_path):
    (tmp_path / "folder").mkdir()
    (tmp_path / "folder" / "link").symlink_to(tmp_path)
    assert trust.inside(tmp_path / "folder", "images").name == "images"
    with pytest.raises(trust.UntrustedError, match="leaves its folder"):
        trust.inside(tmp_path / "folder", "link/x")


@pytest.mark.parametrize("value", ["../x", "abc", "0123456789ABCDEF", 7, None, "0" * 17])
def test_only_the_forms_the_app_writes_pass(value):
    with pytest.raises(trust.UntrustedError):
        trust.dataset_id(value)
    with pytest.raises(trust.UntrustedError):
        trust.run_id(value)
    with pytest.raises(trust.UntrustedError):
        trust.image_file(value)


# -- uploads: a zip entry that lies about its size -------------------------------------------
def _lying_zip(declared: int = 1000, real: int = 64 << 20) -> bytes:
    """One entry whose headers say `declared` bytes over data that inflates to `real`."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a/big.png", b"\0" * real)
    data = bytearray(buf.getvalue())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = data.index(signature) + offset  # the uncompressed size in each header
        data[at : at + 4] = declared.to_bytes(4, "little")
    return bytes(data)


def test_a_lying_zip_entry_is_inflated_a_chunk_at_a_time():
    import tracemalloc

    from dashboard.datasets import archive

    upload = _lying_zip()
    with archive.SafeZip(
        io.BytesIO(upload), max_entries=10, max_total_bytes=1 << 30, max_ratio=100
    ) as zf:
        assert zf.members() == [("a/big.png", "")]  # every header check passes
        tracemalloc.start()
        with pytest.raises(archive.EntryError, match="damaged"):
            zf.read("a/big.png")
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    assert len(upload) < 200_000 and peak < 8 << 20, f"peak {peak / 2**20:.0f} MB"


def test_a_results_row_with_an_infinite_count_reads_as_no_results():
    """JSON allows 1e999; int() of it overflows: the row reads as none, and lists go on."""
    from dashboard.runs import RunResults

    text = (
        '{"classes": ["a"], "best_val_acc": 0.5, "val": {"accuracy": 0.5, "confusion": [[1]], '
        '"per_class": [], "misclassified": []}, "export": {"model": "m", "labels": "l", '
        '"parity_images": 1, "parity_same_class": 1, "parity_max_abs_diff": 0.0, '
        '"parity_ok": true}, "calibration": {"temperature": 1, "ece_before": 0, "ece_after": 0,'
        ' "threshold": 0.5, "neighbour": 1e999, "bank_images": 3, "keep": 0.95, '
        '"val_accepted": 1}}'
    )
    assert RunResults.from_json(text) is None
    assert RunResults.from_json(text.replace("1e999", "5")).calibration.neighbour == 5


def test_stored_predictions_that_inflate_or_are_not_numbers_are_not_read(tmp_path):
    """predictions.npz is pulled from the shared store: a member larger than the validation
    split's rows could be, or of strings, is no predictions (a page reads it every rerun)."""
    from dashboard.runs import ClassScores, ExportCheck, RunResults, SplitScores

    scores = SplitScores(0.5, [[1, 0], [0, 1]], [ClassScores("a", 1, 1, 1, 2)], [])
    r = RunResults(["a", "b"], 0.5, scores, ExportCheck("m", "l", 2, 2, 0.0, True))
    np.savez_compressed(tmp_path / "big.npz", val=np.zeros((100_000, 2)))
    np.savez(tmp_path / "text.npz", val=np.array([["a", "b"], ["c", "d"]]))
    np.savez(tmp_path / "fine.npz", val=np.zeros((2, 2), "float32"))
    assert results._stored(tmp_path / "big.npz", "val", r, 2) is None
    assert results._stored(tmp_path / "text.npz", "val", r, 2) is None
    assert results._stored(tmp_path / "fine.npz", "val", r, 2).shape == (2, 2)
