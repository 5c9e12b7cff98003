"""Team mode's executor: runs as Ray tasks on a real (local) Ray cluster, started once for the
test session. The job manager's behaviour is the thread executor's: a run trains and lands in
the store, the same settings return the stored run, Stop ends it within a batch, and a worker
that dies leaves its run "interrupted" with its epochs kept."""

from __future__ import annotations

import os
import signal
import time

import pytest

from dashboard.settings import Settings
from dashboard.training import JobManager
from tests.conftest import wait
from tests.tiny_training import config, tiny_dataset, tiny_settings


@pytest.fixture(scope="session")
def ray_cluster():
    """A local Ray cluster (2 CPUs here), joined the way the app joins one."""
    if os.environ.get("CI") is None:
        pytest.importorskip("ray")
    import ray

    from dashboard.training import ray_executor

    ray_executor.connect(Settings.from_env({"TLAB_HOME": "/tmp"}))
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
    assert done.results["export"]["parity_ok"] and done.created_by == "ana"
    again, reused = jm.submit(config(manifest, epochs=2))
    assert reused and again.id == run.id


def test_stop_ends_a_ray_run_within_a_batch(on_ray):
    jm, manifest = on_ray
    run, _ = jm.submit(config(manifest, "scratch", epochs=500))
    first_epoch(jm, run.id)
    jm.stop(run.id)
    stopped = wait(jm, run.id, timeout=60)
    assert stopped.status == "stopped"
    assert 1 <= len(jm.runs.epochs([run.id])[run.id]) < 500


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
