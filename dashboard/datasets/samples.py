"""Built-in datasets that ship inside installed packages, so they work offline.

Both are deliberately unlike ImageNet: tiny grey digits and small grey face crops, where an
ImageNet backbone's features help far less than on natural photos.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np

from dashboard.i18n import N_
from dashboard.images import to_png, to_rgb_array

# name -> what it holds (English: a page shows `_(text)`). The names are the datasets' names.
SAMPLES = {
    "digits": N_(
        "Handwritten digits (scikit-learn): 1,797 images, 8×8 px, 10 classes. "
        "Unlike ImageNet: tiny, grey, no natural texture."
    ),
    "faces": N_(
        "Faces vs non-faces (scikit-image lfw_subset): 200 images, 25×25 px, 2 classes. "
        "Unlike ImageNet: small grey crops."
    ),
}
# name -> the name as a page says it (`_(SAMPLE_NAMES[name])`)
SAMPLE_NAMES = {"digits": N_("digits"), "faces": N_("faces")}


def images(name: str) -> Iterator[tuple[str, str, bytes]]:
    """(original name, class, PNG bytes) for every image of a built-in dataset."""
    if name == "digits":
        from sklearn.datasets import load_digits

        digits = load_digits()
        for i, (pixels, target) in enumerate(zip(digits.images, digits.target, strict=True)):
            gray = (pixels * (255.0 / 16.0)).astype(np.uint8)  # values are 0..16
            yield f"digit_{i:04d}.png", str(int(target)), to_png(to_rgb_array(gray))
    elif name == "faces":
        from skimage.data import lfw_subset

        faces = lfw_subset()  # the first 100 are faces, the last 100 are not
        for i, pixels in enumerate(faces):
            cls = "face" if i < 100 else "not_face"
            yield f"{cls}_{i:03d}.png", cls, to_png(to_rgb_array(pixels))
    else:
        raise KeyError(f"no built-in dataset {name!r}; known: {', '.join(SAMPLES)}")
