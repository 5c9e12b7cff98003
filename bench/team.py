"""Team mode: a ladder on a Ray cluster of two simulated nodes against the thread executor.

`python -m bench team` trains the same ten runs twice, on the faces sample with MobileNet
alpha 0.25: five head-only runs (linear head, five seeds) and five full fine-tunes (strategy 4,
five seeds), 96 px. Once through one server's trainer thread (one run at a time), once as Ray
tasks on a `ray.cluster_utils.Cluster` of two nodes with one CPU slot each (two runs at a
time). 3 rounds, the two sides interleaved (thread, Ray, thread, ...), each side in a fresh
TLAB_HOME whose feature and pixel caches are emptied after the latency probe: every run of the
ladder, on both sides, computes its own features (until issue 25 the probe filled the cache, so
each head run was a cache hit, and the sides ran one after the other).

team_ladder_speedup: wall time of the ten runs, thread executor over Ray, per round. Expect
  about the number of worker slots (2) less Ray's overhead; on a 2-core machine both nodes
  share the same two cores, so this is the floor of what more machines give.
team_added_latency_s: submit -> first epoch of one head-only run submitted alone, Ray minus
  thread (the worker process, its imports, the task's scheduling), per round.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from bench.timing import figure

ROOT = Path(__file__).resolve().parents[1]
SHARED_WEIGHTS = ROOT.parent / "shared" / "keras-weights"
BACKBONE = "MobileNet_0.25_224"
SEEDS = range(5)
ROUNDS = 3
ACTIVE = ("queued", "running")


def ladder(manifest_id: str) -> list:
    from dashboard import training

    def run(strategy: str, seed: int, epochs: int):
        base = training.default_config(manifest_id, BACKBONE, strategy)
        return base.with_(image_size=96, batch_size=16, epochs=epochs, seed=seed)

    heads = [run("linear_head", seed, 10) for seed in SEEDS]
    return heads + [run("full_finetune", seed, 3) for seed in SEEDS]


def settings_for(home: Path, executor: str, address: str | None = None):
    from dashboard.settings import Settings

    weights = os.environ.get("TLAB_WEIGHTS_DIR") or str(SHARED_WEIGHTS)
    env = {"TLAB_HOME": str(home), "TLAB_WEIGHTS_DIR": weights, "TLAB_OFFLINE": "1"}
    env.update(TLAB_EXECUTOR=executor, TLAB_RAY_ADDRESS=address or "")
    return Settings.from_env(env)


def wait_all(jm, run_ids: list[str], timeout: float = 1800) -> None:
    deadline = time.time() + timeout
    while any(jm.runs.get(i).status in ACTIVE for i in run_ids):
        if time.time() > deadline:
            raise RuntimeError("the ladder did not finish")
        time.sleep(0.5)
    failed = [r for r in map(jm.runs.get, run_ids) if r.status != "finished"]
    if failed:
        raise RuntimeError(f"runs did not finish: {[(r.id, r.message) for r in failed]}")


def first_epoch_seconds(jm, config) -> float:
    started = time.perf_counter()
    run, _ = jm.submit(config, again=True)
    while not jm.runs.epochs([run.id])[run.id]:
        time.sleep(0.05)
    seconds = time.perf_counter() - started
    wait_all(jm, [run.id])
    return seconds


def one_side(executor: str, address: str | None = None) -> tuple[float, float]:
    """(seconds for the ladder, seconds to the first epoch of a lone run) in a fresh home."""
    from dashboard import datasets
    from dashboard.features import clear_caches
    from dashboard.training import JobManager

    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_for(Path(tmp), executor, address)
        manifest = datasets.ingest_sample(settings, "faces").manifest
        jm = JobManager(settings)
        try:
            configs = ladder(manifest.id)
            latency = first_epoch_seconds(jm, configs[0].with_(epochs=1, seed=99))
            clear_caches(settings)  # the probe's features must not serve the ladder
            started = time.perf_counter()
            ids = [jm.submit(c)[0].id for c in configs]
            wait_all(jm, ids)
            return time.perf_counter() - started, latency
        finally:
            jm.shutdown()


def run() -> list[dict]:
    from dashboard.training import ray_setup

    ray_setup.prepare(settings_for(Path("/tmp"), "ray"))  # loopback only, before Ray's import
    import ray
    from ray.cluster_utils import Cluster

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    cluster.add_node(num_cpus=1)
    thread, ray_side = [], []
    try:
        for _ in range(ROUNDS):
            thread.append(one_side("thread"))
            ray_side.append(one_side("ray", cluster.address))
    finally:
        ray.shutdown()
        cluster.shutdown()
    for (thread_s, thread_latency), (ray_s, ray_latency) in zip(thread, ray_side, strict=True):
        print(f"# team: 10 runs {thread_s:.1f} s on the thread executor, {ray_s:.1f} s on Ray")
        print(f"# first epoch alone: {thread_latency:.1f} s thread, {ray_latency:.1f} s Ray")
    return [
        figure(
            "team_ladder_speedup",
            [t[0] / r[0] for t, r in zip(thread, ray_side, strict=True)],
            "info: ~2 slots less overhead",
        ),
        figure(
            "team_added_latency_s",
            [r[1] - t[1] for t, r in zip(thread, ray_side, strict=True)],
            "info",
        ),
    ]
