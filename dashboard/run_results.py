"""After a run has trained: evaluate on the validation (and test) split, export the model with
its parity check, and store predictions, artifacts and results.json."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from dashboard import backbone_features, datasets, evaluation, export
from dashboard.dataset_store import Manifest
from dashboard.run_store import RunStore
from dashboard.settings import Settings
from dashboard.train_config import TrainConfig


def evaluate_and_export(
    settings: Settings,
    runs: RunStore,
    run_id: str,
    manifest: Manifest,
    config: TrainConfig,
    model,
    folder: Path,
    cache_hits: list[bool],
    seconds: dict[str, float],
) -> dict:
    """The run's results (also written to results.json); `seconds` gains evaluate_export."""

    def batches(split: str):
        return datasets.training_data(
            settings, manifest, split, image_size=config.image_size,
            batch_size=config.batch_size, shuffle=False,
        )  # fmt: skip

    results: dict = {"classes": manifest.classes}
    epochs = runs.epochs([run_id])[run_id]
    results["best_val_acc"] = max((e["val_acc"] or 0 for e in epochs), default=0.0)
    results["cache_hits"] = cache_hits
    started = time.perf_counter()
    probs = {}
    for split in ("val", "test"):
        if any(r.split == split for r in manifest.images):
            probs[split] = model.predict(batches(split), verbose=0)
            truth = backbone_features.labels(manifest, split)
            results[split] = evaluation.evaluate(truth, probs[split], manifest.classes)
    np.savez(folder / "predictions.npz", **probs)
    runs.set_artifact(run_id, "predictions", str(folder / "predictions.npz"))
    results["export"] = export.export_with_parity(
        model, manifest.classes, config, folder, probs["val"], batches("val")
    )
    for kind in ("model", "labels"):
        runs.set_artifact(run_id, kind, results["export"][kind])
    results["seconds"] = {**seconds, "evaluate_export": round(time.perf_counter() - started, 3)}
    (folder / "results.json").write_text(json.dumps(results))
    return results
