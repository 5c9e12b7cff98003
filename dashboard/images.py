"""Images in, RGB uint8 arrays out: bundled sample photos and uploads of any common format.

Every decoder problem becomes `ImageError` with a sentence a user can act on. Pixel counts are
checked from the header before decoding, so a small file that expands to gigapixels is refused
without being decoded.
"""

from __future__ import annotations

import io
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

from dashboard.i18n import N_, _

# The one list of image file types accepted anywhere: uploads, dataset files, try-it.
UPLOAD_TYPES = ("jpg", "jpeg", "png", "webp", "bmp", "gif", "tif", "tiff")

# label -> skimage.data function name. Photos that ship with scikit-image, so they work offline;
# the first is what Explore opens with. The labels are keys (English); a page shows `_(label)`.
SAMPLES = {
    N_("Cat (Chelsea)"): "chelsea",
    N_("Coffee"): "coffee",
    N_("Astronaut"): "astronaut",
    N_("Rocket"): "rocket",
    N_("Horse (silhouette)"): "horse",
    N_("Camera man (grayscale)"): "camera",
}


class ImageError(ValueError):
    """An image that cannot be used; `str()` says why in plain words, in English (what a
    dataset's list of skipped files keeps); `text()` says it in the reader's language."""

    def __init__(self, template: str, **fields: object):
        super().__init__(template.format(**fields) if fields else template)
        self.template, self.fields = template, fields

    def __reduce__(self):  # pickled with its fields, whatever braces its message holds
        return _image_error, (type(self), self.template, self.fields)

    def text(self) -> str:
        """The message in the reader's language, for a page."""
        return _(self.template).format(**self.fields) if self.fields else _(self.template)


def _image_error(cls: type[ImageError], template: str, fields: dict) -> ImageError:
    return cls(template, **fields)


def load_sample(label: str) -> np.ndarray:
    import skimage.data

    return to_rgb_array(getattr(skimage.data, SAMPLES[label])())


def to_rgb_array(array: np.ndarray) -> np.ndarray:
    """Any skimage-style array (bool, gray, RGB, RGBA; uint8 or float) as (h, w, 3) uint8."""
    a = np.asarray(array)
    if a.dtype == bool:
        a = a.astype("uint8") * 255
    elif a.dtype != np.uint8:
        a = np.clip(a * (255.0 if a.max() <= 1.0 else 1.0), 0, 255).astype("uint8")
    if a.ndim == 2:
        a = np.stack([a] * 3, axis=-1)
    if a.shape[-1] == 4:
        return np.asarray(_flatten_alpha(Image.fromarray(a, "RGBA")))
    return np.ascontiguousarray(a[..., :3])


def _flatten_alpha(img: Image.Image) -> Image.Image:
    """Composite transparency over white, as a viewer shows it, instead of dropping alpha."""
    background = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(background, img.convert("RGBA")).convert("RGB")


def _sixteen_bit_to_rgb(img: Image.Image) -> Image.Image:
    a = np.asarray(img, dtype="float64")
    hi = a.max()
    scale = 255.0 / (65535.0 if hi > 255 else max(hi, 1.0))
    return Image.fromarray(np.clip(a * scale, 0, 255).astype("uint8")).convert("RGB")


def pil_to_rgb(img: Image.Image) -> Image.Image:
    """EXIF rotation applied; grey, palette, CMYK, 16-bit and alpha images as plain RGB."""
    img = ImageOps.exif_transpose(img)
    if img.mode in ("I;16", "I;16B", "I;16L", "I", "F"):
        return _sixteen_bit_to_rgb(img)
    if img.mode in ("RGBA", "LA", "PA") or (img.mode == "P" and "transparency" in img.info):
        return _flatten_alpha(img)
    return img.convert("RGB")


def decode(data: bytes, max_pixels: int = 40_000_000, max_side: int | None = None) -> np.ndarray:
    """Bytes of an image file -> (h, w, 3) uint8. Animated images give their first frame.

    `max_side`: decoded at most that many pixels on its long side, for an image that is only
    shown (a small upload can be a huge picture): a JPEG decodes at a reduced scale from the
    start (`draft`), anything else is reduced right after decoding, so what stays in memory
    is the size shown, not the size of the picture."""
    if not data:
        raise ImageError(N_("The file is empty."))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data))
            w, h = img.size
            if w * h > max_pixels:
                raise ImageError(
                    N_(
                        "The image is {width}×{height} pixels ({megapixels} MP); the limit is "
                        "{limit} MP. Downscale it first."
                    ),
                    width=w,
                    height=h,
                    megapixels=f"{w * h / 1e6:.0f}",
                    limit=f"{max_pixels / 1e6:.0f}",
                )
            img.seek(0)
            if max_side:
                img.draft("RGB", (max_side, max_side))  # JPEG only: DCT scaling, 1/2 to 1/8
            img.load()
            rgb = pil_to_rgb(_reduced(img, max_side) if max_side else img)
            if max_side and max(rgb.size) > max_side:
                rgb.thumbnail((max_side, max_side), Image.BILINEAR)
            return np.asarray(rgb)
    except ImageError:
        raise
    except UnidentifiedImageError:
        raise ImageError(
            N_("This is not an image format we can read (JPEG, PNG, WebP, BMP, GIF, TIFF).")
        ) from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError(N_("The image is too large to decode safely.")) from None
    except (OSError, ValueError, SyntaxError) as exc:
        raise ImageError(
            N_("The image file is damaged or truncated ({error})."), error=str(exc)
        ) from None


def _reduced(img: Image.Image, max_side: int) -> Image.Image:
    """A decoded image shrunk by a whole factor towards `max_side`, before any conversion
    copies it at full size (the EXIF rotation applied first, in place, as it would be lost)."""
    factor = max(img.size) // max_side
    if factor < 2:
        return img
    ImageOps.exif_transpose(img, in_place=True)
    try:
        return img.reduce(factor)
    except ValueError:  # a mode reduce() does not take (palette, 1-bit): convert later
        return img


def center_square(rgb: np.ndarray, size: int) -> np.ndarray:
    """Centre crop to a square, then resize to size×size: the usual ImageNet evaluation view."""
    img = Image.fromarray(rgb)
    w, h = img.size
    s = min(w, h)
    left, top = (w - s) // 2, (h - s) // 2
    img = img.crop((left, top, left + s, top + s)).resize((size, size), Image.BICUBIC)
    return np.asarray(img)


def resize_map(values: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """Upsample a 2-D float map to (h, w) smoothly, for overlays."""
    img = Image.fromarray(np.asarray(values, dtype="float32"), mode="F")
    return np.asarray(img.resize((size[1], size[0]), Image.BILINEAR))


def fit_within(rgb: np.ndarray, size: int) -> np.ndarray:
    """At most size×size, aspect kept, never 0 px on a side; tiny images (8×8 digits) are scaled
    up with their pixels kept sharp."""
    img = Image.fromarray(rgb)
    scale = size / max(img.size)
    new = (max(1, round(img.width * scale)), max(1, round(img.height * scale)))
    return np.asarray(img.resize(new, Image.NEAREST if scale > 1 else Image.BILINEAR))


def letterbox(rgb: np.ndarray, max_aspect: float = 1.0) -> np.ndarray:
    """Pad the short side with white until long / short <= `max_aspect`, the image centred.

    Streamlit scales an image to the width it is shown at, rounding its height down: a strip of
    10000×3 px shown 700 px wide would become 0 px high and fail. Every accepted image has to
    render, so the views show strips padded to a sane shape instead.
    """
    h, w = rgb.shape[:2]
    target_h = max(h, int(np.ceil(w / max_aspect)))
    target_w = max(w, int(np.ceil(h / max_aspect)))
    if (target_h, target_w) == (h, w):
        return rgb
    canvas = np.full((target_h, target_w, 3), 255, dtype=np.uint8)
    top, left = (target_h - h) // 2, (target_w - w) // 2
    canvas[top : top + h, left : left + w] = rgb
    return canvas


def thumbnail(rgb: np.ndarray, size: int) -> np.ndarray:
    """A size×size tile: the whole image fitted in and letterboxed, for grids of samples."""
    return letterbox(fit_within(rgb, size), 1.0)


def preview(rgb: np.ndarray, size: int = 480, max_aspect: float = 4.0) -> np.ndarray:
    """An image as a page shows it whole: at most `size` px on its long side (sent at the size it
    is shown), padded to at most `max_aspect` so that any accepted image renders."""
    return letterbox(fit_within(rgb, size), max_aspect)


def to_png(rgb: np.ndarray) -> bytes:
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def prepare_for_storage(data: bytes, max_pixels: int) -> tuple[bytes, str, int, int]:
    """Validate an uploaded image; return (bytes to store, extension, width, height).

    A plain RGB JPEG or PNG with no rotation is stored as uploaded (no quality loss). Anything
    else (grey, palette, alpha, CMYK, 16-bit, WebP, TIFF, GIF, EXIF-rotated) is stored as the
    RGB PNG of what `decode` shows, so the training pipeline only ever reads JPEG and PNG.
    """
    rgb = decode(data, max_pixels)  # raises ImageError with the reason
    h, w = rgb.shape[:2]
    with Image.open(io.BytesIO(data)) as img:
        rotated = img.getexif().get(0x0112, 1) != 1
        if img.mode == "RGB" and not rotated and img.format in ("JPEG", "PNG"):
            return data, "jpg" if img.format == "JPEG" else "png", w, h
    return to_png(rgb), "png", w, h


# Viridis at 6 anchors; enough for maps shown a few hundred pixels wide.
_VIRIDIS = np.array(
    [[68, 1, 84], [65, 68, 135], [42, 120, 142], [34, 168, 132], [122, 209, 81], [253, 231, 37]],
    dtype="float32",
)


def colorize(values01: np.ndarray) -> np.ndarray:
    """A [0, 1] map as viridis RGB uint8."""
    v = np.clip(np.asarray(values01, dtype="float32"), 0, 1) * (len(_VIRIDIS) - 1)
    lo = np.floor(v).astype(int)
    hi = np.minimum(lo + 1, len(_VIRIDIS) - 1)
    t = (v - lo)[..., None]
    return (_VIRIDIS[lo] * (1 - t) + _VIRIDIS[hi] * t).astype("uint8")


def overlay(rgb: np.ndarray, values01: np.ndarray, alpha: float = 0.5) -> np.ndarray:
    """A coarse [0, 1] map upsampled to the image and blended over it."""
    heat = colorize(np.clip(resize_map(values01, rgb.shape[:2]), 0, 1))
    return (rgb.astype("float32") * (1 - alpha) + heat * alpha).astype("uint8")
