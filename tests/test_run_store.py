import threading

from dashboard.training import RunStore

CONFIG = {"dataset_id": "d1", "backbone": "B", "strategy": "linear_head"}


def test_runs_epochs_artifacts_roundtrip(tmp_path):
    store = RunStore(tmp_path)
    run = store.create(CONFIG, "key1", "flowers")
    assert run.status == "queued" and run.dataset_name == "flowers"
    store.add_epoch(run.id, 1, "head", {"loss": 1.0, "accuracy": 0.5, "val_accuracy": 0.4}, 1.5, 10)
    store.update(run.id, status="finished", results={"a": 1})
    store.set_artifact(run.id, "model", "/x/model.keras", {"ok": True})
    again = store.get(run.id)
    assert again.results == {"a": 1} and store.find("key1", ("finished",)).id == run.id
    assert store.epochs([run.id])[run.id][0]["val_acc"] == 0.4
    assert store.artifacts(run.id)["model"] == ("/x/model.keras", {"ok": True})
    store.rename(run.id, "my run")
    assert store.get(run.id).name == "my run"
    store.delete(run.id)
    assert store.list() == [] and store.epochs([run.id]) == {run.id: []}


def test_unfinished_runs_of_a_dead_process_become_interrupted(tmp_path):
    store = RunStore(tmp_path)
    run = store.create(CONFIG, "k", "d")
    store.update(run.id, status="running", owner="nohost:999999")
    store.add_epoch(run.id, 1, "head", {"val_accuracy": 0.7}, 1.0, 8)
    mine = store.create(CONFIG, "k2", "d")  # owned by this (live) process: left alone
    assert RunStore(tmp_path).mark_interrupted() == 1
    assert store.get(run.id).status == "interrupted"
    assert store.get(mine.id).status == "queued"
    assert len(store.epochs([run.id])[run.id]) == 1  # finished epochs kept


def test_two_writers_at_once_never_see_database_is_locked(tmp_path):
    stores = [RunStore(tmp_path), RunStore(tmp_path)]
    runs = [s.create(CONFIG, f"k{i}", "d") for i, s in enumerate(stores)]
    errors = []

    def write(store, run_id):
        try:
            for epoch in range(150):
                store.add_epoch(run_id, epoch, "train", {"loss": 1.0}, 0.1, epoch)
                store.update(run_id, status="running")
        except Exception as exc:  # pragma: no cover - the failure being tested for
            errors.append(exc)

    threads = [
        threading.Thread(target=write, args=(s, r.id)) for s, r in zip(stores, runs, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    counts = stores[0].epochs([r.id for r in runs])
    assert [len(v) for v in counts.values()] == [150, 150]
