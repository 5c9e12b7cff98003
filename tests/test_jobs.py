"""The trainer end to end on a tiny dataset: runs, the cache, resubmission, Stop, the queue,
interruption, and the export parity check. Real threads, real Keras, small images."""

from __future__ import annotations

import io
import time

import keras
import pytest

from dashboard import datasets, training
from dashboard.runs import RunStore, owners
from dashboard.settings import Settings
from tests.conftest import coloured, wait
from tests.hostile_uploads import make_zip
from tests.tiny_training import config, tiny_dataset, tiny_settings


def make_setup(tmp_path, weights_dir, db_url: str | None = None):
    settings = tiny_settings(tmp_path, weights_dir, TLAB_DB_URL=db_url or "")
    return settings, training.JobManager(settings), tiny_dataset(settings)


def _env(settings: Settings) -> dict[str, str]:
    return {
        "TLAB_WEIGHTS_DIR": str(settings.weights_dir),
        "TLAB_OFFLINE": "1",
        "TLAB_DB_URL": settings.db_url or f"sqlite:///{settings.home / 'runs.db'}",
    }


@pytest.fixture
def setup(tmp_path, weights_dir):
    made = make_setup(tmp_path, weights_dir)
    yield made
    made[1].shutdown()


# The trainer's tests that train, on PostgreSQL too, in the slow set: each trains for ~30 s;
# the store's own behaviour on PostgreSQL stays in the default run (tests/test_run_store.py,
# and the restart test below, which trains nothing).
ANY_STORE = pytest.mark.parametrize(
    "store_url", ["sqlite", pytest.param("postgresql", marks=pytest.mark.slow)], indirect=True
)


@pytest.fixture
def setup_any_store(tmp_path, weights_dir, store_url):
    """The same on each database the run store supports (SQLite, PostgreSQL: see ANY_STORE)."""
    made = make_setup(tmp_path, weights_dir, store_url)
    yield made
    made[1].shutdown()  # before its database is dropped


def test_linear_head_run_cache_resubmit_and_export_parity(setup):
    settings, jm, manifest = setup
    run, reused = jm.submit(config(manifest))
    assert not reused
    run = wait(jm, run.id)
    assert run.status == "finished", run.message
    assert [e["epoch"] for e in jm.runs.epochs([run.id])[run.id]] == [1, 2, 3]
    assert run.results.cache_hits == [False, False]  # features computed, then stored
    ex = run.results.export
    assert ex.parity_ok and ex.parity_images == 4 and ex.parity_max_abs_diff <= 1e-5
    # The exported file loads with plain Keras (no custom objects) and takes raw images.
    model = keras.saving.load_model(ex.model)
    assert model.input_shape == (None, 64, 64, 3) and model.output_shape == (None, 2)
    # Same settings again: the stored run, at once, and nothing new trained.
    again, reused = jm.submit(config(manifest))
    assert reused and again.id == run.id and len(jm.runs.list()) == 1
    # Other settings, same backbone, dataset and size: the features come from the cache.
    other = wait(jm, jm.submit(config(manifest, epochs=2))[0].id)
    assert other.results.cache_hits == [True, True]
    # A different image size invalidates them.
    resized = wait(jm, jm.submit(config(manifest, image_size=96))[0].id)
    assert resized.results.cache_hits == [False, False]


def test_finetune_top_trains_its_blocks_on_cached_activations_at_the_cut(setup):
    _, jm, manifest = setup
    run = wait(jm, jm.submit(config(manifest, "finetune_top", epochs=4))[0].id)
    assert run.status == "finished", run.message
    phases = [e["phase"] for e in jm.runs.epochs([run.id])[run.id]]
    assert phases == ["head", "head", "fine-tune", "fine-tune"]
    # pooled features (train, val), then the activations at the cut (train, val): computed
    assert run.results.cache_hits == [False] * 4
    assert run.results.export.parity_ok  # the exported model is the one trained
    again = wait(jm, jm.submit(config(manifest, "finetune_top", epochs=6))[0].id)
    assert again.results.cache_hits == [True] * 4
    chosen = {"flip": 0.0, "rotation": 0.2, "zoom": 0.0, "contrast": 0.1, "translation": 0.1}
    augmented = config(manifest, "finetune_top", augment=True, augmentations=chosen)
    augmented = wait(jm, jm.submit(augmented)[0].id)
    assert augmented.status == "finished" and augmented.results.cache_hits == []
    assert jm.runs.get(augmented.id).config["augmentations"] == chosen  # the run records them


@ANY_STORE
def test_train_again_makes_a_new_run(setup_any_store):
    _, jm, manifest = setup_any_store
    first = wait(jm, jm.submit(config(manifest, epochs=1))[0].id)
    second, reused = jm.submit(config(manifest, epochs=1), again=True)
    assert not reused and second.id != first.id
    assert wait(jm, second.id).status == "finished"


@ANY_STORE
def test_stop_keeps_the_finished_epochs(setup_any_store):
    _, jm, manifest = setup_any_store
    run, _ = jm.submit(config(manifest, "scratch", epochs=500))
    deadline = time.time() + 120
    while not jm.runs.epochs([run.id])[run.id] and time.time() < deadline:
        time.sleep(0.2)
    jm.stop(run.id)
    stopped = wait(jm, run.id)
    epochs = jm.runs.epochs([run.id])[run.id]
    assert stopped.status == "stopped" and 1 <= len(epochs) < 500
    assert stopped.message.startswith(f"Stopped by the user after {len(epochs)} epoch")
    assert jm.runs.artifacts(run.id)["model"][0].endswith("model.keras")


@ANY_STORE
def test_a_run_is_stopped_from_another_server_sharing_the_store(setup_any_store, tmp_path):
    """Two servers, one store (SQLite here, PostgreSQL in team mode): the one that does not
    train the run stops it through the store, within the watcher's second and a batch."""
    settings, trainer_side, manifest = setup_any_store
    other = training.JobManager(Settings.from_env({**_env(settings), "TLAB_HOME": str(tmp_path)}))
    run, _ = trainer_side.submit(config(manifest, "scratch", epochs=500), by="ana")
    deadline = time.time() + 120
    while not trainer_side.runs.epochs([run.id])[run.id] and time.time() < deadline:
        time.sleep(0.2)
    seen = other.runs.get(run.id)
    assert seen.status == "running" and seen.created_by == "ana" and other.state(run.id) is None
    same, reused = other.submit(config(manifest, "scratch", epochs=500))
    assert reused and same.id == run.id  # in flight on the other server: not trained twice
    other.stop(run.id)
    stopped = wait(other, run.id, timeout=60)
    assert stopped.status == "stopped"
    assert 1 <= len(other.runs.epochs([run.id])[run.id]) < 500
    other.shutdown()


def test_second_job_waits_in_the_queue(setup):
    _, jm, manifest = setup
    first, _ = jm.submit(config(manifest, "full_finetune", epochs=3))
    wait(jm, first.id, until=("running", "finished"))
    second, _ = jm.submit(config(manifest, "mlp_head", epochs=2))
    assert jm.position(second.id) == 1
    assert jm.runs.get(second.id).status == "queued"
    assert wait(jm, first.id).status == "finished"
    assert wait(jm, second.id).status == "finished"
    assert jm.position(second.id) == 0


def test_a_restart_marks_unfinished_runs_interrupted(setup_any_store):
    settings, jm, manifest = setup_any_store
    store = RunStore(settings.home, settings.db_url)
    crashed = store.create(config(manifest).to_dict(), "crashed-key", "tiny")
    stale = time.time() - owners.STALE_S - 5  # a server elsewhere that stopped beating
    store.update(crashed.id, status="running", owner="gone-host:4242", heartbeat=stale)
    store.add_epoch(crashed.id, 1, "head", {"val_accuracy": 0.5}, 1.0, 16)
    training.JobManager(settings).shutdown()  # what a server restart does
    after = store.get(crashed.id)
    assert after.status == "interrupted" and "epochs are kept" in after.message
    assert len(store.epochs([crashed.id])[crashed.id]) == 1


def test_missing_weights_fail_with_the_message(tmp_path):
    settings = Settings.from_env({"TLAB_HOME": str(tmp_path / "h"), "TLAB_OFFLINE": "1"})
    entries = [(f"{c}/{i}.png", coloured(i, (i * 20, 0, 0))) for c in "ab" for i in range(3)]
    manifest = datasets.ingest_zip(settings, io.BytesIO(make_zip(entries)), "t").manifest
    jm = training.JobManager(settings)
    run = wait(jm, jm.submit(config(manifest))[0].id)
    assert run.status == "failed" and "mobilenet_2_5_224_tf_no_top.h5" in run.message


def test_both_executors_offer_the_whole_executor_contract():
    """The queue calls only the contract (submit, stop, position, shutdown, live); Ray's
    executor stands beside the thread executor instead of being a branch in the queue."""
    import inspect

    from dashboard.training.executors import Executor, ThreadExecutor
    from dashboard.training.ray_executor import RayExecutor

    wanted = {n for n, _ in inspect.getmembers(Executor, inspect.isfunction) if n[0] != "_"}
    assert wanted == {"submit", "stop", "position", "shutdown"}
    for executor in (ThreadExecutor, RayExecutor):
        for name in wanted:
            mine = inspect.signature(getattr(executor, name)).parameters
            assert list(mine) == list(inspect.signature(getattr(Executor, name)).parameters)


def test_a_database_hiccup_before_a_run_does_not_end_the_trainer(monkeypatch):
    """The stop flag is read from the store before a run starts; a failing read counts as no
    stop (the run's watch reads it again every second) instead of ending the worker thread."""
    from types import SimpleNamespace

    from dashboard.training import trainer
    from dashboard.training.progress import LiveState

    ran = []
    monkeypatch.setattr(
        trainer, "Trainer", lambda *a: SimpleNamespace(execute=lambda: ran.append(a[2]))
    )

    class LockedStore:
        def stop_requested(self, run_ids):
            raise OSError("database is locked")

    trainer.train(None, LockedStore(), "run-1", None, LiveState())
    assert ran == ["run-1"]
