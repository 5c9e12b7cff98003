"""A dataset's words as a page shows them: split names, layouts, why a file was skipped.

A manifest keeps its words in English (data that every server and session shares): the layout
found and the reason each file was skipped, a template filled in
(`NOT_AN_IMAGE.format(suffix=".txt")`). A page shows them in its reader's language:
`reason_text` finds the template again, translates it and puts the same values back; any other
reason (an image's or a path's fixed sentence) is looked up as it is.
"""

from __future__ import annotations

from dashboard.i18n import N_, StoredText, _

SPLIT_WORDS = {"train": N_("train"), "val": N_("val"), "test": N_("test")}

# Manifest.layout
CLASS_FOLDERS = N_("class folders")
SPLIT_FOLDERS = N_("train/val/test folders above the classes")
PER_CLASS = N_("images per class")

# Manifest.skipped: why a file was not used
MACOSX = N_("ignored: macOS archive metadata (__MACOSX)")
OS_FILE = N_("ignored: operating-system file ({name})")
HIDDEN = N_("ignored: hidden file or folder")
NO_EXTENSION = N_("not an image file (no extension)")
NOT_AN_IMAGE = N_("not an image file ({suffix})")
NO_CLASS_FOLDER = N_("no class folder: put each image in a folder named by class")
EMPTY = N_("empty file")
SYMLINK = N_("symbolic link (not followed)")
RATIO = N_("compression ratio {ratio}:1 is above {limit}:1")
DAMAGED = N_("damaged zip entry ({error})")
# The reasons with values that an image gives (`images.ImageError`, marked there).
IMAGE_TEMPLATES = (
    "The image is {width}×{height} pixels ({megapixels} MP); the limit is {limit} MP. "
    "Downscale it first.",
    "The image file is damaged or truncated ({error}).",
)
# In the order tried: the fixed "no extension" before the template it would also match.
TEMPLATES = (NO_EXTENSION, OS_FILE, NOT_AN_IMAGE, RATIO, DAMAGED, *IMAGE_TEMPLATES)


def split_text(split: str) -> str:
    """A split as a page shows it: "train", "학습"."""
    words = SPLIT_WORDS.get(split)
    return _(words) if words else split


def layout_text(layout: str) -> str:
    """A manifest's layout in the reader's language."""
    return _(layout) if layout else layout


# A stored reason for skipping a file, in the reader's language where it is one of ours.
reason_text = StoredText(TEMPLATES)
