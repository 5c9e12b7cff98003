"""The run store's behaviour, the same on SQLite (the default) and PostgreSQL (team mode):
every test runs on both (`store_url`)."""

import json
import os
import socket
import sqlite3
import threading
import time

import pytest
import sqlalchemy as sa

from dashboard.runs import ExportCheck, RunResults, RunStore, SplitScores, owners, schema

CONFIG = {"dataset_id": "d1", "backbone": "B", "strategy": "linear_head"}
NEWEST = "0003"


def test_runs_epochs_artifacts_roundtrip(tmp_path, store_url):
    store = RunStore(tmp_path, store_url)
    run = store.create(CONFIG, "key1", "flowers")
    assert run.status == "queued" and run.dataset_name == "flowers"
    store.add_epoch(run.id, 1, "head", {"loss": 1.0, "accuracy": 0.5, "val_accuracy": 0.4}, 1.5, 10)
    results = RunResults(
        ["a"], 0.5, SplitScores(0.5, [[1]], [], []), ExportCheck("m", "l", 1, 1, 0.0, True)
    )
    store.update(run.id, status="finished", results=results)
    store.set_artifact(run.id, "model", "/x/model.keras", {"ok": True})
    again = store.get(run.id)
    assert again.results == results and store.find("key1", ("finished",)).id == run.id
    assert store.epochs([run.id])[run.id][0]["val_acc"] == 0.4
    assert store.artifacts(run.id)["model"] == ("/x/model.keras", {"ok": True})
    store.rename(run.id, "my run")
    assert store.get(run.id).name == "my run"
    store.delete(run.id)
    assert store.list() == [] and store.epochs([run.id]) == {run.id: []}


def test_unfinished_runs_of_a_dead_process_become_interrupted(tmp_path, store_url):
    store = RunStore(tmp_path, store_url)
    run = store.create(CONFIG, "k", "d")
    gone = os.getpid() + 10_000_000  # a process id that cannot be alive
    store.update(run.id, status="running", owner=f"{socket.gethostname()}:{gone}")
    store.add_epoch(run.id, 1, "head", {"val_accuracy": 0.7}, 1.0, 8)
    mine = store.create(CONFIG, "k2", "d")  # owned by this (live) process: left alone
    assert RunStore(tmp_path, store_url).mark_interrupted() == 1
    assert store.get(run.id).status == "interrupted"
    assert store.get(mine.id).status == "queued"
    assert len(store.epochs([run.id])[run.id]) == 1  # finished epochs kept


def test_two_writers_at_once_never_see_database_is_locked(tmp_path, store_url):
    stores = [RunStore(tmp_path, store_url), RunStore(tmp_path, store_url)]
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


def test_times_and_metrics_keep_full_precision(tmp_path, store_url):
    """Doubles, not PostgreSQL's 4-byte REAL (which rounds a Unix time to minutes)."""
    store = RunStore(tmp_path, store_url)
    before = time.time()
    run = store.create(CONFIG, "k", "d")
    store.update(run.id, started=before + 0.125, best_val_acc=0.123456789)
    again = store.get(run.id)
    assert abs(again.created - before) < 1.0 and again.started == before + 0.125
    assert again.best_val_acc == 0.123456789


def test_an_epoch_or_artifact_written_again_replaces_the_old_one(tmp_path, store_url):
    store = RunStore(tmp_path, store_url)
    run = store.create(CONFIG, "k", "d")
    store.add_epoch(run.id, 1, "head", {"val_accuracy": 0.1}, 1.0, 8)
    store.add_epoch(run.id, 1, "head", {"val_accuracy": 0.9}, 2.0, 8)
    store.set_artifact(run.id, "model", "/a", {"v": 1})
    store.set_artifact(run.id, "model", "/b", {"v": 2})
    assert [e["val_acc"] for e in store.epochs([run.id])[run.id]] == [0.9]
    assert store.artifacts(run.id) == {"model": ("/b", {"v": 2})}


def test_a_database_is_migrated_to_the_newest_revision(tmp_path, store_url):
    store = RunStore(tmp_path, store_url)
    assert schema.revision(store.engine) == NEWEST


# The store's schema before it had migrations: databases made by earlier versions look so.
PRE_MIGRATION_SCHEMA = """
CREATE TABLE runs (
    id TEXT PRIMARY KEY, name TEXT, created REAL, config_key TEXT, config TEXT,
    dataset_id TEXT, dataset_name TEXT, backbone TEXT, strategy TEXT, device TEXT,
    status TEXT, message TEXT, owner TEXT, started REAL, finished REAL,
    best_val_acc REAL, final_val_acc REAL, test_acc REAL, results TEXT
);
CREATE INDEX runs_key ON runs(config_key);
CREATE TABLE epochs (
    run_id TEXT, epoch INTEGER, phase TEXT, loss REAL, acc REAL, val_loss REAL, val_acc REAL,
    seconds REAL, images_seen INTEGER, PRIMARY KEY (run_id, epoch)
);
CREATE TABLE artifacts (run_id TEXT, kind TEXT, path TEXT, meta TEXT, PRIMARY KEY (run_id, kind));
INSERT INTO runs VALUES ('old', 'an old run', 1.0, 'k', '{}', 'd1', 'flowers', 'B', 'linear_head',
    'CPU', 'finished', '', 'gone:1', 1.0, 2.0, 0.5, 0.5, NULL, '{}');
INSERT INTO epochs VALUES ('old', 1, 'head', 1.0, 0.4, 1.1, 0.5, 0.3, 40);
"""


def test_a_database_from_before_migrations_keeps_its_runs(tmp_path):
    with sqlite3.connect(tmp_path / "runs.db") as db:
        db.executescript(PRE_MIGRATION_SCHEMA)
    store = RunStore(tmp_path)
    assert schema.revision(store.engine) == NEWEST
    assert [(r.name, r.created_by, r.stop_requested) for r in store.list()] == [
        ("an old run", "", False)
    ]
    assert store.epochs(["old"])["old"][0]["val_acc"] == 0.5
    store.add_epoch("old", 2, "head", {"val_accuracy": 0.6}, 0.3, 80)
    assert len(store.epochs(["old"])["old"]) == 2


def test_a_run_on_another_machine_is_interrupted_only_when_its_heartbeat_is_stale(
    tmp_path, store_url
):
    """A store shared by servers on several machines: a process id there means nothing here,
    so the trainer's heartbeat decides."""
    store = RunStore(tmp_path, store_url)
    fresh, stale = store.create(CONFIG, "a", "d"), store.create(CONFIG, "b", "d")
    for run in (fresh, stale):
        store.update(run.id, status="running", owner="other-machine:42")
    store.beat([fresh.id])
    store.update(stale.id, heartbeat=time.time() - owners.STALE_S - 5)
    assert store.mark_interrupted() == 1
    assert store.get(fresh.id).status == "running"
    assert store.get(stale.id).status == "interrupted"


def test_stop_requests_and_who_started_a_run(tmp_path, store_url):
    store = RunStore(tmp_path, store_url)
    a, b = store.create(CONFIG, "a", "d", by="ana@example.com"), store.create(CONFIG, "b", "d")
    assert store.stop_requested([a.id, b.id]) == set()
    store.request_stop(b.id)
    assert store.stop_requested([a.id, b.id]) == {b.id}
    assert (store.get(a.id).created_by, store.get(b.id).created_by) == ("ana@example.com", "")


def test_the_watch_marks_a_run_whose_trainer_died_interrupted_without_a_restart(
    tmp_path, store_url
):
    from dashboard.runs.watch import RunWatch

    store = RunStore(tmp_path, store_url)
    run = store.create(CONFIG, "k", "d")
    gone = os.getpid() + 10_000_000
    store.update(run.id, status="running", owner=f"{socket.gethostname()}:{gone}")
    watch = RunWatch(store, {}, every=0.05, sweep_every=0.1).start()
    try:
        deadline = time.time() + 10
        while store.get(run.id).status == "running" and time.time() < deadline:
            time.sleep(0.05)
    finally:
        watch.stop()
    assert store.get(run.id).status == "interrupted"


def test_a_read_only_store_reads_and_its_database_refuses_writes(tmp_path, store_url):
    writer = RunStore(tmp_path, store_url)
    run = writer.create(CONFIG, "key1", "flowers")
    reader = RunStore(tmp_path, store_url, readonly=True)
    assert [r.id for r in reader.list()] == [run.id]
    for write in (
        lambda: reader.rename(run.id, "x"),
        lambda: reader.create(CONFIG, "key2", "flowers"),
        lambda: reader.record_files({"a": "0" * 64}),
    ):
        with pytest.raises(sa.exc.DBAPIError, match="(?i)read.?only"):
            write()
    assert writer.get(run.id).name == run.name and len(writer.list()) == 1


def test_a_read_only_store_without_a_database_reads_as_empty(tmp_path):
    reader = RunStore(tmp_path / "nothing-here", readonly=True)
    assert reader.list() == [] and reader.file_sha("x") is None
    assert not (tmp_path / "nothing-here").exists()


def test_reading_runs_starts_no_thread(tmp_path, store_url):
    """What the pages and the report do to show runs: the record alone, no trainer, no watch
    (it used to take the job queue, which started both)."""
    from dashboard import runs
    from dashboard.settings import Settings

    settings = Settings.from_env({"TLAB_HOME": str(tmp_path), "TLAB_DB_URL": store_url or ""})
    run = RunStore(tmp_path, store_url).create(CONFIG, "key1", "flowers")
    threads = set(threading.enumerate())
    store = runs.open_runs(settings)
    assert [r.id for r in store.list()] == [run.id] and store.epochs([run.id]) == {run.id: []}
    runs.rename(settings, run.id, "renamed")
    assert store.get(run.id).name == "renamed"
    assert set(threading.enumerate()) == threads


def test_results_written_before_the_schema_version_still_read(tmp_path, store_url):
    """A results row as the store wrote it before `RunResults` (no "schema" key) reads as
    version 1; one that does not parse (damaged, or forged in the database) reads as none."""
    store = RunStore(tmp_path, store_url)
    run = store.create(CONFIG, "key1", "flowers")
    per_class = [{"class": "a", "precision": 1.0, "recall": 1.0, "f1": 1.0, "support": 2}]
    val = {"accuracy": 1.0, "confusion": [[2]], "per_class": per_class, "misclassified": []}
    export = {"model": "m", "labels": "l", "parity_images": 2, "parity_same_class": 2}
    export |= {"parity_max_abs_diff": 0.0, "parity_ok": True}
    old = {"classes": ["a"], "best_val_acc": 1.0, "cache_hits": [True], "val": val}
    old |= {"export": export, "seconds": {"train": 1.0}}
    with store.engine.begin() as db:
        db.execute(schema.runs.update().values(results=json.dumps(old)))
    got = store.get(run.id).results
    assert got.schema == 1 and got.val.per_class[0].cls == "a" and got.test is None
    assert got.export.parity_ok and got.cache_hits == [True]
    with store.engine.begin() as db:
        db.execute(schema.runs.update().values(results=json.dumps({**old, "val": "<script>"})))
    assert store.get(run.id).results is None
