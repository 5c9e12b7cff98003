"""A model's layers as rows, for the architecture table."""

from __future__ import annotations

import keras
import numpy as np


def _shape(layer: keras.layers.Layer) -> str:
    try:
        out = layer.output
    except (AttributeError, ValueError):
        return "?"
    shapes = [o.shape for o in out] if isinstance(out, list | tuple) else [out.shape]
    return ", ".join(
        "(" + ", ".join("None" if d is None else str(d) for d in s) + ")" for s in shapes
    )


def layer_rows(model: keras.Model, stages: tuple[str, ...] = ()) -> list[dict]:
    """One dict per layer: index, name, type, output shape, parameters, stage (1-based or None)."""
    stage_of = {name: i + 1 for i, name in enumerate(stages)}
    return [
        {
            "#": i,
            "name": layer.name,
            "type": type(layer).__name__,
            "output shape": _shape(layer),
            "parameters": layer.count_params(),
            "ends stage": stage_of.get(layer.name),
        }
        for i, layer in enumerate(model.layers)
    ]


def totals(model: keras.Model) -> dict[str, int]:
    trainable = sum(int(np.prod(w.shape)) for w in model.trainable_weights)
    total = model.count_params()
    return {
        "layers": len(model.layers),
        "parameters": total,
        "trainable": trainable,
        "non-trainable": total - trainable,
    }
