"""A dataset's manifest: its classes, every image (class, split, size, original name), the
files it skipped and how it was split. Stored as `<id>/manifest.json`.

A version of another dataset (`versions.py`) names its `parent` and what changed from it
(`Changes`); its records keep the images where they are stored (`ImageRecord.home`, the
dataset whose folder holds the file), so a version copies no image.

A manifest may come from the shared store, where anyone with write access to the bucket can
write one: `from_json` treats it as data and refuses (`UntrustedError`) one whose id or image
file names are not the forms the app writes, or whose fields have the wrong types.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

from dashboard import trust

SPLITS = ("train", "val", "test", "")  # "" only before the split is assigned


@dataclass
class ImageRecord:
    file: str  # relative to the dataset folder
    sha: str
    cls: str
    split: str  # train / val / test
    original: str
    width: int
    height: int
    bytes: int
    home: str = ""  # the dataset whose folder holds the file; "" is the manifest's own


@dataclass(frozen=True)
class Move:
    sha: str
    before: str  # class
    after: str


@dataclass
class Changes:
    """What a version changed from its parent, image by image (by upload hash)."""

    moved: list[Move] = field(default_factory=list)  # relabelled
    left: list[str] = field(default_factory=list)  # excluded
    came: list[str] = field(default_factory=list)  # added

    def __bool__(self) -> bool:
        return bool(self.moved or self.left or self.came)

    @classmethod
    def from_raw(cls, raw: dict) -> Changes:
        return cls([Move(**m) for m in raw["moved"]], list(raw["left"]), list(raw["came"]))


@dataclass
class Manifest:
    id: str
    name: str
    source: str
    layout: str
    classes: list[str]
    images: list[ImageRecord]
    skipped: list[tuple[str, str]] = field(default_factory=list)
    split: dict = field(default_factory=dict)
    created: float = field(default_factory=time.time)
    owner: str = ""  # who added it: the signed-in user when Streamlit auth is configured
    parent: str = ""  # the dataset this is a version of; "" for an upload
    changes: Changes = field(default_factory=Changes)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        raw["images"] = [ImageRecord(**r) for r in raw["images"]]
        raw["skipped"] = [tuple(s) for s in raw["skipped"]]
        raw["changes"] = Changes.from_raw(
            raw.get("changes") or {"moved": [], "left": [], "came": []}
        )
        manifest = cls(**raw)
        manifest.validate()
        return manifest

    def validate(self) -> None:
        """Raises UntrustedError (a ValueError) unless every field has the form and type
        the app writes: a path is built from `id` and each `file`, labels from `classes`."""
        trust.dataset_id(self.id)
        texts = [self.name, self.source, self.layout, self.owner, *self.classes]
        if not all(isinstance(t, str) for t in texts) or len(set(self.classes)) != len(
            self.classes
        ):
            raise trust.UntrustedError("a manifest's names and classes must be distinct texts")
        if self.parent:
            trust.dataset_id(self.parent)
        self._validate_changes()
        known = set(self.classes)
        for r in self.images:
            name = trust.image_file(r.file)
            if r.home:
                trust.dataset_id(r.home)  # a folder name: only the form the app writes
            if r.cls not in known or r.split not in SPLITS or not isinstance(r.original, str):
                raise trust.UntrustedError(f"image {name}: unknown class or split")
            if not all(type(v) is int and v >= 0 for v in (r.width, r.height, r.bytes)):
                raise trust.UntrustedError(f"image {name}: sizes must be whole numbers")

    def _validate_changes(self) -> None:
        c = self.changes
        shas = [m.sha for m in c.moved] + c.left + c.came
        if not all(isinstance(v, str) for v in shas):
            raise trust.UntrustedError("a version's changes must name images by their hash")
        if not all(isinstance(v, str) for m in c.moved for v in (m.before, m.after)):
            raise trust.UntrustedError("a version's relabels must name classes")

    def home(self, record: ImageRecord) -> str:
        """The dataset whose folder holds `record`'s file."""
        return record.home or self.id

    def to_json(self) -> str:
        return json.dumps(asdict(self), ensure_ascii=False, indent=1)

    def records(self, *splits: str) -> list[ImageRecord]:
        """The images of these splits, split by split in the order given (all without any)."""
        if not splits:
            return list(self.images)
        return [r for s in splits for r in self.images if r.split == s]

    def labels(self, records: list[ImageRecord]) -> list[int]:
        """Each record's class as an index into `classes`."""
        index = {c: i for i, c in enumerate(self.classes)}
        return [index[r.cls] for r in records]
