"""`python -m tests.ray_node_death HOME WEIGHTS`, run by tests/test_ray_executor.py in a
process of its own (one Ray driver per process).

A cluster of two nodes on loopback: the head (no CPU slot: only the run tracker lives there)
and a worker node with one slot. A run trains on the worker node; the node is removed; prints
the run's status, message and number of epochs kept as one JSON line.
"""

from __future__ import annotations

import json
import sys
import time

from dashboard.settings import Settings
from dashboard.training import JobManager, ray_setup


def main(home: str, weights: str) -> None:
    ray_setup.prepare(Settings.from_env({}))  # loopback, no usage statistics: before Ray
    import ray
    from ray.cluster_utils import Cluster

    from tests.tiny_training import config, tiny_dataset

    cluster = Cluster(initialize_head=True, head_node_args={"num_cpus": 0})
    worker_node = cluster.add_node(num_cpus=1)
    env = {"TLAB_HOME": home, "TLAB_WEIGHTS_DIR": weights, "TLAB_OFFLINE": "1"}
    settings = Settings.from_env(
        {**env, "TLAB_EXECUTOR": "ray", "TLAB_RAY_ADDRESS": cluster.address}
    )
    jm = JobManager(settings)
    run, _ = jm.submit(config(tiny_dataset(settings), "scratch", epochs=500))
    deadline = time.time() + 240
    while not jm.runs.epochs([run.id])[run.id] and time.time() < deadline:
        time.sleep(0.3)
    cluster.remove_node(worker_node)
    while jm.runs.get(run.id).active and time.time() < deadline + 60:
        time.sleep(0.3)
    ended = jm.runs.get(run.id)
    epochs = len(jm.runs.epochs([run.id])[run.id])
    print(json.dumps({"status": ended.status.value, "message": ended.message, "epochs": epochs}))
    ray.shutdown()  # the driver leaves first: Ray refuses to remove the node it is on
    cluster.shutdown()


if __name__ == "__main__":
    main(*sys.argv[1:3])
