"""Team mode's executor: runs as Ray tasks on a real (local) Ray cluster, started once for the
test module. The job manager's behaviour is the thread executor's: a run trains and lands in
the store, the same settings return the stored run, Stop ends it within a batch, and a worker
that dies leaves its run "interrupted" with its epochs kept."""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import signal
import subprocess
import sys
import time

import pytest

from dashboard import training
from dashboard.settings import Settings
from dashboard.training import JobManager
from tests.conftest import ROOT, wait
from tests.tiny_training import config, tiny_dataset, tiny_settings

# Slow (minutes: servers and clusters of its own): `python -m pytest -m slow` runs it; the
# default run (CI's) leaves it out to stay within its 30 minutes (pyproject.toml).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ray_cluster():
    """A local Ray cluster (2 CPUs here), joined the way the app joins one; shut down after
    this module, so that the one-machine team setup (tests/test_team_servers.py) has the
    machine's Ray to itself."""
    if importlib.util.find_spec("ray") is None:  # found, not imported: Ray reads its env then
        if os.environ.get("CI"):  # .ci/run installs it: a skip there would hide a failure
            pytest.fail("ray is not installed (pip install -r requirements-team.txt)")
        pytest.skip("ray is not installed (pip install -r requirements-team.txt)")
    from dashboard.training import ray_setup

    settings = Settings.from_env({"TLAB_HOME": "/tmp"})
    ray_setup.prepare(settings)  # loopback only, no usage statistics: before Ray's import
    import ray

    from dashboard.training import ray_executor

    ray_executor.connect(settings)
    yield ray
    ray.shutdown()


@pytest.fixture
def on_ray(ray_cluster, tmp_path, weights_dir):
    settings = tiny_settings(tmp_path, weights_dir, TLAB_EXECUTOR="ray")
    manifest = tiny_dataset(settings)
    jm = JobManager(settings)
    yield jm, manifest
    jm.shutdown()


def first_epoch(jm, run_id: str, timeout: float = 180) -> None:
    deadline = time.time() + timeout
    while not jm.runs.epochs([run_id])[run_id] and time.time() < deadline:
        time.sleep(0.3)
    assert jm.runs.epochs([run_id])[run_id], jm.runs.get(run_id)


def test_a_run_trains_in_a_ray_worker_and_a_resubmit_returns_it(on_ray):
    jm, manifest = on_ray
    run, reused = jm.submit(config(manifest, epochs=2), by="ana")
    assert not reused and jm.state(run.id) is None  # not this process's: a Ray task's
    done = wait(jm, run.id)
    assert done.status == "finished", done.message
    assert [e["epoch"] for e in jm.runs.epochs([run.id])[run.id]] == [1, 2]
    assert done.owner != run.owner  # the worker process recorded itself as the trainer
    assert done.results.export.parity_ok and done.created_by == "ana"
    again, reused = jm.submit(config(manifest, epochs=2))
    assert reused and again.id == run.id


def test_a_batch_prediction_runs_in_a_ray_worker(on_ray):
    from dashboard.training import batch, batch_job
    from tests.conftest import coloured
    from tests.hostile_uploads import make_zip

    jm, manifest = on_ray
    run = wait(jm, jm.submit(config(manifest, epochs=2))[0].id)
    photos = [(f"new/red/{i}.png", coloured(800 + i, (220, 30, 30))) for i in range(6)]
    sha = batch.store_upload(jm.settings, make_zip(photos))
    job, _ = jm.submit(batch.BatchConfig(run.id, sha, run.dataset_id, run.backbone, "new.zip"))
    done = wait(jm, job.id)
    assert done.status == "finished", done.message
    assert done.owner != job.owner  # a Ray worker ran it
    found = batch_job.load(jm.settings, job.id)
    assert len(found.rows) == 6 and {r.truth for r in found.rows} == {"red"}


def test_stop_ends_a_ray_run_within_a_batch(on_ray):
    jm, manifest = on_ray
    run, _ = jm.submit(config(manifest, "scratch", epochs=500))
    first_epoch(jm, run.id)
    same, reused = jm.submit(config(manifest, "scratch", epochs=500))
    assert reused and same.id == run.id  # in flight in Ray: returned, not trained twice
    jm.stop(run.id)
    stopped = wait(jm, run.id, timeout=60)
    assert stopped.status == "stopped"
    assert 1 <= len(jm.runs.epochs([run.id])[run.id]) < 500


def test_a_run_stopped_while_queued_in_ray_is_cancelled_there(on_ray):
    """Two long runs take the cluster's 2 CPUs; a third waits in Ray's queue. Stop cancels it
    in Ray (ray.cancel) at the tracker's next beat, instead of leaving it queued until a CPU
    frees."""
    jm, manifest = on_ray
    busy = [jm.submit(config(manifest, "scratch", epochs=500, seed=s))[0] for s in (1, 2)]
    waiting, _ = jm.submit(config(manifest, "scratch", epochs=500, seed=3))
    for run in busy:
        first_epoch(jm, run.id)
    assert jm.runs.get(waiting.id).status == "queued"
    jm.stop(waiting.id)
    stopped = wait(jm, waiting.id, until=("stopped", "failed", "finished"), timeout=30)
    assert stopped.status == "stopped" and "Ray cancelled" in stopped.message
    assert all(jm.runs.get(r.id).status == "running" for r in busy)
    for run in busy:
        jm.stop(run.id)
    for run in busy:
        assert wait(jm, run.id, timeout=60).status == "stopped"


def test_a_killed_ray_worker_leaves_its_run_interrupted_with_epochs_kept(on_ray):
    jm, manifest = on_ray
    run, _ = jm.submit(config(manifest, "scratch", epochs=500, seed=7))
    first_epoch(jm, run.id)
    pid = int(jm.runs.get(run.id).owner.rpartition(":")[2])
    assert pid != os.getpid()
    os.kill(pid, signal.SIGKILL)
    ended = wait(jm, run.id, until=("interrupted", "failed", "finished", "stopped"), timeout=60)
    assert ended.status == "interrupted" and "WorkerCrashedError" in ended.message
    assert len(jm.runs.epochs([run.id])[run.id]) >= 1


def test_a_dataset_added_on_one_server_trains_in_a_ray_worker_that_reads_it_from_s3(
    ray_cluster, s3_endpoint, tmp_path, weights_dir
):
    """Server a adds the dataset and forgets its own copy, so the S3 endpoint holds the only
    one; server b (another TLAB_HOME, the same run database) hands the run to Ray."""
    team = {
        "TLAB_STORE_URL": s3_endpoint.fresh_bucket(),
        "TLAB_STORE_OPTIONS": s3_endpoint.options(),
        "TLAB_DB_URL": f"sqlite:///{tmp_path}/runs.db",
    }
    a = tiny_settings(tmp_path / "a", weights_dir, **team)
    manifest = tiny_dataset(a)
    shutil.rmtree(a.home / "datasets")
    b = tiny_settings(tmp_path / "b", weights_dir, TLAB_EXECUTOR="ray", **team)
    jm = JobManager(b)
    try:
        run, _ = jm.submit(config(manifest, epochs=2))
        assert not (b.home / "datasets").exists()  # b read the manifest only, from S3
        done = wait(jm, run.id)
    finally:
        jm.shutdown()
    assert done.status == "finished", done.message
    assert done.owner != run.owner and done.results.val.accuracy >= 0.5
    pulled = b.home / "datasets" / manifest.id / "images"
    assert len(list(pulled.iterdir())) == len(manifest.images)  # the worker's copy, from S3
    assert sorted(training.results.local_artifacts(a, run.id)) == [
        "labels",
        "model",
        "predictions",
        "results",
        "served",
    ]  # and a shows the run's files, pushed by the worker


@pytest.mark.parametrize(
    ("address", "local"),
    [(None, True), ("127.0.0.1:6379", True), ("localhost:6379", True), ("10.1.2.3:6379", False)],
)
def test_ray_stays_on_loopback_for_a_cluster_on_this_machine(monkeypatch, tmp_path, address, local):
    from dashboard.training import ray_setup

    for name in ("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "RAY_USAGE_STATS_ENABLED", "RAY_AUTH_MODE"):
        monkeypatch.delenv(name, raising=False)
    token = tmp_path / "auth_token"
    token.write_text("secret")
    monkeypatch.setenv("RAY_AUTH_TOKEN_PATH", str(token))
    ray_setup.prepare(Settings.from_env({"TLAB_RAY_ADDRESS": address or ""}))
    assert os.environ["RAY_USAGE_STATS_ENABLED"] == "0"
    assert (os.environ.get("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER") == "0") == local
    assert (os.environ.get("RAY_AUTH_MODE") == "token") == (address is not None)


def test_a_dead_node_leaves_its_run_interrupted_with_epochs_kept(tmp_path, weights_dir):
    """Two simulated nodes (ray.cluster_utils.Cluster, in a child process: one Ray driver per
    process); the node that trains the run is removed mid-run."""
    if importlib.util.find_spec("ray") is None and not os.environ.get("CI"):
        pytest.skip("ray is not installed (pip install -r requirements-team.txt)")
    out = subprocess.run(
        [sys.executable, "-m", "tests.ray_node_death", str(tmp_path / "home"), str(weights_dir)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=420,
    )
    assert out.returncode == 0, out.stderr[-3000:]
    ended = json.loads(out.stdout.strip().splitlines()[-1])
    assert ended["status"] == "interrupted", ended  # by Ray's NodeDiedError or the sweep
    assert "epochs are kept" in ended["message"] and ended["epochs"] >= 1
