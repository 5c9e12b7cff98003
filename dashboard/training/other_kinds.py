"""Photos of other kinds than a dataset's, from packages (offline): what a "none of these" rule
should reject. scikit-image's bundled photos (each whole and as four 2/3-size corner crops),
its `lfw_subset` faces and scikit-learn's digits, resized as the app resizes an upload
(bilinear, to size x size), RGB 0-255. `python -m bench unknown` and the tests measure the
rule on them; the Train page shows what a run says of a few.
"""

from __future__ import annotations

import numpy as np

PHOTOS = [
    *("astronaut", "brick", "camera", "cat", "chelsea", "clock", "coffee", "coins", "colorwheel"),
    *("grass", "gravel", "horse", "hubble_deep_field", "immunohistochemistry", "logo"),
    *("microaneurysms", "moon", "page", "retina", "rocket", "text"),
]


def photos(size: int, faces: int = 100, digits: int = 100) -> dict[str, np.ndarray]:
    """{kind: (n, size, size, 3) float32 RGB 0-255}: photos, faces and digits."""
    import skimage.data
    from PIL import Image
    from sklearn.datasets import load_digits

    def fit(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a, "float32")
        a = 255 * a / max(float(a.max()), 1.0) if a.max() <= 1.0 else a
        a = np.repeat(a[..., None], 3, -1) if a.ndim == 2 else a[..., :3]
        image = Image.fromarray(a.clip(0, 255).astype("uint8"))
        return np.asarray(image.resize((size, size), Image.BILINEAR), "float32")

    found = []
    for name in PHOTOS:
        try:
            a = np.asarray(getattr(skimage.data, name)())
        except Exception:  # a sample that needs a download: left out here
            continue
        h, w = a.shape[:2]
        found.append(fit(a))
        corners = [(i, j) for i in (0, h // 3) for j in (0, w // 3)]  # 2/3-size crops
        found += [fit(a[i : i + h * 2 // 3, j : j + w * 2 // 3]) for i, j in corners]
    face_images = [fit(f) for f in skimage.data.lfw_subset()[:faces]]
    digit_images = [fit(d / 16.0) for d in load_digits().images[:digits]]
    return {
        "photos": np.stack(found),
        "faces": np.stack(face_images),
        "digits": np.stack(digit_images),
    }
