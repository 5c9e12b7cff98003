"""Runs on a Ray cluster (TLAB_EXECUTOR=ray): each run is one Ray task in a fresh worker process.

- The server connects with `ray.init(address=TLAB_RAY_ADDRESS, namespace="tlab")` and hands
  each run to a named, detached actor (`tlab-runs`), so runs outlive a Streamlit restart.
- A run's task asks for one GPU where the cluster has GPUs, else one CPU; `max_retries=0`: a
  run that died is not trained again behind the user's back. A worker process per task frees
  its memory (and GPU memory) when the task ends.
- Inside the task the trainer is the same `Trainer` as in the thread executor, with a
  `RunWatch` (heartbeat, stop requests from the store): Stop on any server ends it within a
  second and a batch. The task records its own host:pid as the run's owner.
- The actor watches every task: a worker or node that died (`WorkerCrashedError`,
  `NodeDiedError`, ...) marks the run `interrupted`, its finished epochs kept.

Workers on other machines read datasets and caches from the shared store (TLAB_STORE_URL,
`dashboard.shared_store`) into their own TLAB_HOME, and push the runs' files there.
"""

from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

import ray
from ray import exceptions as ray_errors
from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

from dashboard.runs import (
    BEAT_S,
    RAY_CANCELLED,
    RAY_DIED,
    RunStatus,
    RunStore,
    RunWatch,
    owner_id,
)
from dashboard.settings import Settings
from dashboard.training.batch import job_from_dict
from dashboard.training.config import TrainConfig
from dashboard.training.progress import LiveState

log = logging.getLogger(__name__)
ROOT = Path(__file__).resolve().parents[2]
NAMESPACE = "tlab"
ACTOR = "tlab-runs"
DIED = (
    ray_errors.WorkerCrashedError,
    ray_errors.NodeDiedError,
    ray_errors.LocalRayletDiedError,
    ray_errors.OwnerDiedError,
    ray_errors.ObjectLostError,
)
CANCEL_AFTER_S = 120.0  # a stopped run still running this long after Stop is killed
_connect_lock = threading.Lock()


def connect(settings: Settings) -> None:
    """Join the cluster once per process (a new local cluster when no address is set).
    Workers import this project from ROOT. Ray's environment (`ray_setup.prepare`) was set
    before this module imported Ray."""
    with _connect_lock:
        if ray.is_initialized():
            return
        env = {"PYTHONPATH": str(ROOT), "TF_CPP_MIN_LOG_LEVEL": "2"}
        ray.init(
            # No address: a new local cluster, never a stale one found in /tmp/ray.
            address=settings.ray_address or "local",
            namespace=NAMESPACE,
            runtime_env={"env_vars": env},
            include_dashboard=False,
            log_to_driver=False,
        )


def run_resources() -> dict:
    """One GPU per run where the cluster has GPUs, else one CPU."""
    return {"num_gpus": 1} if ray.cluster_resources().get("GPU", 0) >= 1 else {"num_cpus": 1}


@ray.remote(max_retries=0)
def train_run(settings: Settings, run_id: str, config: dict) -> str:
    """One run, start to finish, in a Ray worker; returns its final status."""
    from dashboard.training.trainer import train  # in the worker: TensorFlow loads here
    from models import devices

    runs = RunStore(settings.home, settings.db_url)
    runs.update(run_id, owner=owner_id())  # this worker process trains it now
    live = LiveState()
    watch = RunWatch(runs, {run_id: live}).start()
    try:
        train(settings, runs, run_id, job_from_dict(config), live)
    finally:
        watch.stop()
        devices.release_freed_memory()
    return live.status.value


@ray.remote(num_cpus=0, max_restarts=-1)
class RunTracker:
    """The named, detached actor that starts every run's task and watches it end."""

    def __init__(self):
        self.pending: dict = {}  # task ref -> (settings, run id)
        self.stop_seen: dict[str, float] = {}  # run id -> when its stop request was first seen
        self.lock = threading.Lock()
        threading.Thread(target=self._collect, name="tlab-ray-collect", daemon=True).start()

    def submit(self, settings: Settings, run_id: str, config: dict, resources: dict) -> None:
        ref = train_run.options(**resources).remote(settings, run_id, config)
        with self.lock:
            self.pending[ref] = (settings, run_id)

    def _collect(self) -> None:
        last_beat = 0.0
        while True:
            with self.lock:
                refs = list(self.pending)
            if not refs:
                time.sleep(0.5)
                continue
            if time.time() - last_beat >= BEAT_S:  # queued in Ray counts as alive too
                self._beat()
                last_beat = time.time()
            done, _ = ray.wait(refs, num_returns=1, timeout=1.0)
            for ref in done:
                with self.lock:
                    settings, run_id = self.pending.pop(ref)
                self.stop_seen.pop(run_id, None)
                self._ended(ref, settings, run_id)

    def _beat(self) -> None:
        by_store: dict = {}
        with self.lock:
            for settings, run_id in self.pending.values():
                by_store.setdefault(settings, []).append(run_id)
        for settings, run_ids in by_store.items():
            try:
                store = RunStore(settings.home, settings.db_url)
                store.beat(run_ids)
                self._cancel_stopped(store, store.stop_requested(run_ids))
            except Exception:  # the next beat retries
                log.exception("heartbeat for %s", run_ids)

    def _cancel_stopped(self, store: RunStore, stopped: set[str]) -> None:
        """Ray's cancel, where the store's stop flag cannot work: a run still queued in Ray
        (waiting for a free GPU or CPU) is cancelled at once; a running one that has not
        ended CANCEL_AFTER_S after its Stop (a trainer stuck outside the batch loop) is
        killed. The flag ends a healthy run within a second and a batch, long before."""
        now = time.time()
        with self.lock:
            by_run = {run_id: ref for ref, (_, run_id) in self.pending.items()}
        for run_id in stopped:
            first = self.stop_seen.setdefault(run_id, now)
            status = store.get(run_id).status
            if status == RunStatus.QUEUED or now - first > CANCEL_AFTER_S:
                ray.cancel(by_run[run_id], force=status != RunStatus.QUEUED)

    @staticmethod
    def _ended(ref, settings: Settings, run_id: str) -> None:
        try:
            ray.get(ref)
        except ray_errors.TaskCancelledError:
            RunStore(settings.home, settings.db_url).update(
                run_id,
                status=RunStatus.STOPPED,
                message=RAY_CANCELLED,  # English in the store: pages show `message_text`
                finished=time.time(),
            )
        except DIED as exc:
            RunStore(settings.home, settings.db_url).update(
                run_id,
                status=RunStatus.INTERRUPTED,
                message=RAY_DIED.format(error=type(exc).__name__),
            )
        except Exception:  # the trainer records its own failures; this is Ray's own trouble
            log.exception("run %s ended with an error from Ray", run_id)


class RayExecutor:
    """The job queue's executor in Ray mode (`executors.Executor`): the tracker actor starts
    each run's task. Nothing trains in this process, so it has no live state of its own;
    Stop reaches a task through the store's flag (the task's `RunWatch`, the tracker's
    cancel), and a run's progress is its epochs in the store."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.live: dict[str, LiveState] = {}  # stays empty: every run trains in a Ray task
        connect(settings)
        # On this server's node: a worker node that goes away must not take the tracker along.
        here = NodeAffinitySchedulingStrategy(ray.get_runtime_context().get_node_id(), soft=True)
        self.tracker = RunTracker.options(
            name=ACTOR, lifetime="detached", get_if_exists=True, scheduling_strategy=here
        ).remote()

    def submit(self, run_id: str, config: TrainConfig) -> None:
        resources = run_resources()
        ray.get(self.tracker.submit.remote(self.settings, run_id, config.to_dict(), resources))

    def stop(self, run_id: str) -> None:
        """Nothing to do here: the job queue's stop request in the store reaches the task."""

    def position(self, run_id: str) -> int:
        return 0  # Ray keeps the line

    def shutdown(self, timeout: float) -> None:
        """Nothing to do: the runs belong to the detached tracker and outlive this server."""
