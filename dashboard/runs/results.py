"""A finished run's results, typed: what its evaluation and export found, as the run store
keeps them (JSON in the `results` column). Read and written here only: `to_json` writes the
current schema, `from_json` reads it, and also reads the rows of stores written before the
schema had a version (the same fields, version 1). A row that does not parse into these types
is data that cannot be trusted (a forged or damaged database row): it reads as no results.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict, dataclass, field

log = logging.getLogger(__name__)
SCHEMA = 1


@dataclass(frozen=True)
class ClassScores:
    cls: str  # "class" in JSON and in tables
    precision: float
    recall: float
    f1: float
    support: int

    def row(self) -> dict:
        """A table's row, with the column named as people read it."""
        return {"class": self.cls, **{k: v for k, v in asdict(self).items() if k != "cls"}}


@dataclass(frozen=True)
class SplitScores:
    accuracy: float
    confusion: list[list[int]]  # rows: true class, columns: predicted class
    per_class: list[ClassScores]
    misclassified: list[int]  # indices into the split's records

    @classmethod
    def parse(cls, d: dict) -> SplitScores:
        rows = [
            ClassScores(
                str(r["class"]),
                *(float(r[k]) for k in ("precision", "recall", "f1")),
                int(r["support"]),
            )
            for r in d["per_class"]
        ]
        confusion = [[int(v) for v in row] for row in d["confusion"]]
        wrong = [int(i) for i in d["misclassified"]]
        return cls(float(d["accuracy"]), confusion, rows, wrong)

    def to_dict(self) -> dict:
        return {**asdict(self), "per_class": [r.row() for r in self.per_class]}


@dataclass(frozen=True)
class ExportCheck:
    """The exported `.keras` file and its parity check against the model that was trained."""

    model: str
    labels: str
    parity_images: int
    parity_same_class: int
    parity_max_abs_diff: float
    parity_ok: bool
    served: str = ""  # served.keras: the classifier with the rule on top ("": none, older run)
    parity_unknown_same: int = -1  # images whose unknown flag matched (-1: no rule)

    @classmethod
    def parse(cls, d: dict) -> ExportCheck:
        """The stored check, each field of its type (a forged row fails here, not on a page)."""
        counts = ("parity_images", "parity_same_class")
        return cls(
            model=str(d["model"]),
            labels=str(d["labels"]),
            **{k: int(d[k]) for k in counts},
            parity_max_abs_diff=float(d["parity_max_abs_diff"]),
            parity_ok=bool(d["parity_ok"]),
            served=str(d.get("served", "")),
            parity_unknown_same=int(d.get("parity_unknown_same", -1)),
        )


@dataclass(frozen=True)
class Calibration:
    """The run's temperature scaling and "none of these" rule (`models.unknown`), as fitted on
    its validation images, and what they do there (and on the test images, which they did not
    see). ECE: expected calibration error, before and after the temperature."""

    temperature: float
    ece_before: float
    ece_after: float
    threshold: float  # an image whose score is above it is "none of these"
    neighbour: int  # the score: cosine distance to this nearest training image
    bank_images: int  # training images the score compares with
    keep: float  # the share of validation-like images the threshold is set to accept
    val_accepted: float
    test_accepted: float | None = None
    test_ece_before: float | None = None
    test_ece_after: float | None = None

    @classmethod
    def parse(cls, d: dict | None) -> Calibration | None:
        if d is None:
            return None
        optional = ("test_accepted", "test_ece_before", "test_ece_after")
        return cls(
            **{k: float(d[k]) for k in ("temperature", "ece_before", "ece_after", "threshold")},
            neighbour=int(d["neighbour"]),
            bank_images=int(d["bank_images"]),
            keep=float(d["keep"]),
            val_accepted=float(d["val_accepted"]),
            **{k: None if d.get(k) is None else float(d[k]) for k in optional},
        )


@dataclass(frozen=True)
class RunResults:
    classes: list[str]
    best_val_acc: float
    val: SplitScores
    export: ExportCheck
    test: SplitScores | None = None
    cache_hits: list[bool] = field(default_factory=list)  # per cached pass, in order
    seconds: dict[str, float] = field(default_factory=dict)  # train, features, evaluate_export
    folds: list[float] = field(default_factory=list)  # k-fold accuracies of the head, if asked
    calibration: Calibration | None = None  # None: trained before runs had one
    schema: int = SCHEMA

    def to_json(self) -> str:
        d = asdict(self)
        d["val"] = self.val.to_dict()
        d["test"] = self.test.to_dict() if self.test else None
        return json.dumps(d, sort_keys=True)

    @classmethod
    def from_json(cls, text: str | None) -> RunResults | None:
        """The results in a row, or None: none yet, or a row that does not parse."""
        if not text or text == "{}":
            return None
        try:
            d = json.loads(text)
            test = d.get("test")
            return cls(
                classes=[str(c) for c in d["classes"]],
                best_val_acc=float(d["best_val_acc"]),
                val=SplitScores.parse(d["val"]),
                export=ExportCheck.parse(d["export"]),
                test=SplitScores.parse(test) if test else None,
                cache_hits=[bool(h) for h in d.get("cache_hits", [])],
                seconds={str(k): float(v) for k, v in d.get("seconds", {}).items()},
                folds=[float(a) for a in d.get("folds", [])],
                calibration=Calibration.parse(d.get("calibration")),
                schema=int(d.get("schema", SCHEMA)),
            )
        except (ValueError, TypeError, KeyError, AttributeError, ArithmeticError) as exc:
            log.warning("a run's results do not parse (%s): shown as none", exc)
            return None
