"""A dataset's manifest: its classes, every image (class, split, size, original name), the
files it skipped and how it was split. Stored as `<id>/manifest.json`."""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field


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

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        raw = json.loads(text)
        raw["images"] = [ImageRecord(**r) for r in raw["images"]]
        raw["skipped"] = [tuple(s) for s in raw["skipped"]]
        return cls(**raw)

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
