"""The backbones a user can pick, on Explore (with the ImageNet classifier top) and on Train (the
feature extractor without it), each marked by whether its weights are already on disk."""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.i18n import _
from dashboard.settings import Settings
from models import catalog, weights
from models.catalog import Backbone

# What the pages need from the catalog, so that pages import dashboard only.
WeightsUnavailable = weights.WeightsUnavailable
families = catalog.families
all_backbones = catalog.MODEL_LIST


@dataclass(frozen=True)
class ModelChoice:
    backbone: Backbone
    on_disk: bool

    @property
    def status(self) -> str:
        """Where its weights are, in the reader's language (made when shown, never stored)."""
        if self.on_disk:
            return _("weights on disk")
        return _("downloads {mb} MB on first use").format(mb=f"{self.backbone.download_mb:.0f}")


def unavailable_text(exc: WeightsUnavailable) -> str:
    """A WeightsUnavailable's message in the reader's language; a message made whole (no
    sentences to translate) as it is."""
    sentences = getattr(exc, "sentences", ())
    if not sentences:
        return str(exc)
    return " ".join(_(template).format(**fields) for template, fields in sentences)


def model_choices(settings: Settings, include_top: bool = True) -> list[ModelChoice]:
    """Every catalog model, marked by whether its weights are local: with the classifier top
    (Explore) or without it (the backbone features that Train uses)."""
    return [
        ModelChoice(
            b,
            weights.find_local(
                b.weights_top if include_top else b.weights_notop, settings.weights_dir
            )
            is not None,
        )
        for b in catalog.MODEL_LIST
    ]


def default_model_key(settings: Settings, include_top: bool = True) -> str:
    """The most accurate model whose weights are already on disk, else MobileNetV2."""
    local = [c.backbone for c in model_choices(settings, include_top) if c.on_disk]
    return max(local, key=lambda b: b.top1).key if local else catalog.FALLBACK_DEFAULT


def backbone_choices(settings: Settings) -> list[ModelChoice]:
    """For training: marked by whether the no-top (feature) weights are on disk."""
    return model_choices(settings, include_top=False)


def default_backbone(settings: Settings) -> str:
    return default_model_key(settings, include_top=False)


def catalog_rows(settings: Settings) -> list[dict]:
    """The catalog as table rows for the Explore page, headed in the reader's language."""
    return [
        {
            _("model"): c.backbone.label,
            _("family"): c.backbone.family,
            _("year"): c.backbone.year,
            _("params (M)"): round(c.backbone.params / 1e6, 2),
            _("depth"): c.backbone.depth,
            _("input"): c.backbone.input_size,
            _("top-1 %"): c.backbone.top1,
            _("top-5 %"): c.backbone.top5,
            _("weights"): c.status,
        }
        for c in model_choices(settings)
    ]
