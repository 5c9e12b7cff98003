"""A finished run's model card: what a person or a service needs to use any of its exports
rightly, as JSON (`model_card.json` in every download) and as a table in the HTML report.

It says which classes come out and in what order, what goes in (size, value range, channel
order, layout: the preprocessing is inside the model), how well it did on the validation images
with the interval that figure can carry (Wilson 95%; the head's k-fold accuracies where the run
has them), what it answers for an image of none of its classes (the unknown rule and the
calibration, `models.unknown`), which dataset version it learned from and with what settings.
Built from the run's record on request, nothing stored: a read-only server offers it as it is.
Every value is data (json.dumps), never code or a path.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from dashboard import datasets
from dashboard.i18n import N_, _
from dashboard.runs import Calibration, Run
from dashboard.settings import Settings
from dashboard.significance import wilson

SCHEMA = 1
FILE = "model_card.json"  # its name in every download


@dataclass(frozen=True)
class InputContract:
    """One image as every export takes it."""

    height: int
    width: int
    channels: int = 3
    channel_order: str = "RGB"
    value_range: tuple[float, float] = (0.0, 255.0)  # raw pixels: no scaling by the caller
    dtype: str = "float32"
    layout: str = "NHWC"  # (batch, height, width, channels)
    resize: str = "bilinear, to height x width, no crop"
    preprocessing: str = "inside the model"


@dataclass(frozen=True)
class Figure:
    """An accuracy and what it can tell: its 95% interval on the images it was measured on."""

    name: str
    value: float
    images: int
    low: float
    high: float
    interval: str = "Wilson 95%"

    @classmethod
    def of(cls, name: str, value: float, images: int) -> Figure:
        low, high = wilson(value, images)
        return cls(name, round(value, 4), images, round(low, 4), round(high, 4))


@dataclass(frozen=True)
class DatasetVersion:
    id: str
    name: str
    parent: str  # "" for an upload; else the version it was made from
    images: dict[str, int]  # per split


@dataclass(frozen=True)
class UnknownRule:
    """What every export answers besides the classes (`models.unknown`), and how it was set."""

    neighbour: int
    threshold: float
    bank_images: int
    keep: float  # the threshold is set to accept at least this share of validation-like images
    val_accepted: float
    temperature: float  # the probabilities are softmax(logits / temperature)
    ece_before: float  # expected calibration error on the validation images, before and after
    ece_after: float
    rule: str = (
        "none of these when 1 - the cosine similarity of the image's pooled features to its "
        "neighbour-th nearest of bank_images training images is above threshold"
    )
    output: str = "one row per image: the calibrated probabilities of the classes, in order, then "
    "the score, then the flag (1.0: none of these)"

    @classmethod
    def of(cls, c: Calibration) -> UnknownRule:
        return cls(
            c.neighbour,
            c.threshold,
            c.bank_images,
            c.keep,
            c.val_accepted,
            c.temperature,
            c.ece_before,
            c.ece_after,
        )


NO_RULE = "none: every image gets one of the classes (trained before runs had the rule)"


@dataclass(frozen=True)
class ModelCard:
    run_id: str
    name: str
    backbone: str
    strategy: str
    classes: list[str]  # output index -> class
    input: InputContract
    figures: list[Figure]
    dataset: DatasetVersion
    config: dict
    folds: list[float] = field(default_factory=list)  # the head's k-fold accuracies, if asked
    unknown: UnknownRule | str = NO_RULE
    schema: int = SCHEMA

    def to_json(self) -> str:
        return json.dumps(asdict(self), indent=1, ensure_ascii=False, sort_keys=True)


def card_json(settings: Settings, run: Run) -> str:
    """`model_card.json` for a download: the card, or for a record that cannot make one (a
    damaged or forged row) a card that says why, so the download still comes."""
    try:
        return model_card(settings, run).to_json()
    except ValueError as exc:
        return json.dumps({"schema": SCHEMA, "run_id": str(run.id), "error": str(exc)}, indent=1)


def model_card(settings: Settings, run: Run) -> ModelCard:
    """The card of a finished run (ValueError for a run without results)."""
    r = run.results
    if r is None:
        raise ValueError(f"run {run.id} has no results: only a finished run has a model card")
    size = run.config.get("image_size")  # a stored row is data: checked, not trusted
    if type(size) is not int or size <= 0:
        raise ValueError(f"run {run.id}: its settings name no image size")
    manifest = datasets.get(settings, run.dataset_id)
    counts = {s: len(manifest.records(s)) for s in ("train", "val", "test")}
    figures = [Figure.of(N_("validation accuracy"), r.val.accuracy, counts["val"])]
    if r.test is not None:
        figures.append(Figure.of(N_("test accuracy"), r.test.accuracy, counts["test"]))
    version = DatasetVersion(manifest.id, manifest.name, manifest.parent, counts)
    return ModelCard(
        run_id=run.id,
        name=run.name,
        backbone=run.backbone,
        strategy=run.strategy,
        classes=list(r.classes),
        input=InputContract(size, size),
        figures=figures,
        dataset=version,
        config=dict(run.config),
        folds=list(r.folds),
        unknown=UnknownRule.of(r.calibration) if r.calibration else NO_RULE,
    )


def unknown_sentence(c: Calibration | None) -> str:
    """What the run's exports answer for an image of none of its classes, for people."""
    if c is None:
        return _("gets one of the classes all the same (trained before runs had the rule)")
    return _(
        '"none of these" when its distance to the {k}th nearest of {n} training images is above '
        "{threshold:.3f}: set to accept at least {keep:.0%} of images like the validation ones "
        "({accepted:.0%} of those accepted)"
    ).format(
        k=c.neighbour,
        n=c.bank_images,
        threshold=c.threshold,
        keep=c.keep,
        accepted=c.val_accepted,
    )


def calibration_sentence(c: Calibration) -> str:
    return _(
        "temperature {t:.2f}: expected calibration error {before:.3f} before, {after:.3f} after, "
        "on the validation images it was fitted on"
    ).format(t=c.temperature, before=c.ece_before, after=c.ece_after)
