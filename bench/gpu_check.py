"""`python -m bench.gpu_check`: our classifier and strategies training on whatever device Keras
sees, in float32 and mixed float16. Prints one JSON line per case and `CHECK PASS` or `FAIL`.

Checks what must hold on a GPU: under mixed precision the softmax output stays float32 and sums
to 1, the loss stays finite, a pretrained base's BatchNorm statistics do not move during a full
fine-tune (`base(x, training=False)`), and the scratch baseline's BatchNorm does learn. It uses
only `models/` and Keras, so it also runs under Keras' JAX backend (the lent GPU machine has JAX
but no TensorFlow): there, `models/devices.py` and the `tf.data` pipeline are not exercised.
Needs MobileNet α=0.25's no-top weights in TLAB_WEIGHTS_DIR. N images (default 512), random.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import keras
import numpy as np

from models import backbones, catalog, classifier, strategies

CASES = (
    ("full_finetune", "float32"),
    ("full_finetune", "mixed_float16"),
    ("scratch", "mixed_float16"),
)


def run_case(strategy: str, policy: str, x, y, weights_dir: Path) -> dict:
    keras.config.set_dtype_policy(policy)
    try:
        keras.utils.set_random_seed(0)
        s, b = strategies.STRATEGIES[strategy], catalog.get("MobileNet_0.25_224")
        base = backbones.build(
            b,
            include_top=False,
            pretrained=s.pretrained,
            input_size=224,
            weights_dir=weights_dir,
            allow_download=False,
        )
        clf = classifier.build_classifier(b, base, 5, s, 224, augment=False)
        bn = next(la for la in clf.base.layers if isinstance(la, keras.layers.BatchNormalization))
        before = keras.ops.convert_to_numpy(bn.moving_mean).astype("float32")
        clf.train_model.compile(
            optimizer=keras.optimizers.Adam(1e-4), loss="sparse_categorical_crossentropy"
        )
        started = time.perf_counter()
        clf.train_model.fit(x, y, batch_size=64, epochs=1, verbose=0)  # includes compiling
        first = time.perf_counter() - started
        started = time.perf_counter()
        history = clf.train_model.fit(x, y, batch_size=64, epochs=2, verbose=0).history
        seconds = time.perf_counter() - started
        out = clf.model.predict(x[:16], verbose=0)
        after = keras.ops.convert_to_numpy(bn.moving_mean).astype("float32")
        return {
            "case": f"{strategy}/{policy}",
            "first_epoch_s": round(first, 2),
            "images_per_s": round(2 * len(x) / seconds, 1),
            "output_dtype": str(out.dtype),
            "probs_sum_error": float(np.abs(out.sum(axis=1) - 1).max()),
            "bn_moving_mean_changed": bool(not np.allclose(before, after)),
            "loss_finite": bool(np.isfinite(history["loss"]).all()),
        }
    finally:
        keras.config.set_dtype_policy("float32")


def main() -> int:
    weights_dir = Path(os.environ.get("TLAB_WEIGHTS_DIR", "../shared/keras-weights"))
    n = int(os.environ.get("N", "512"))
    print(json.dumps({"backend": keras.backend.backend(), "keras": keras.__version__}))
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 255, (n, 224, 224, 3)).astype("float32")
    y = rng.integers(0, 5, n)
    results = {}
    for strategy, policy in CASES:
        results[(strategy, policy)] = r = run_case(strategy, policy, x, y, weights_dir)
        print(json.dumps(r), flush=True)
    mixed = results[("full_finetune", "mixed_float16")]
    scratch = results[("scratch", "mixed_float16")]
    ok = (
        mixed["output_dtype"] == "float32"
        and not mixed["bn_moving_mean_changed"]
        and scratch["bn_moving_mean_changed"]
        and all(r["loss_finite"] and r["probs_sum_error"] < 1e-3 for r in results.values())
    )
    print("CHECK PASS" if ok else "CHECK FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
