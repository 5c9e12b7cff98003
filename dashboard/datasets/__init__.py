"""Datasets: bring images in (zip, folder, classes, samples), store them content-addressed,
summarise them, and feed them to training.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.datasets import charts
from dashboard.datasets.ingest import (
    IngestResult,
    Upload,
    ingest_classes,
    ingest_files,
    ingest_sample,
    ingest_zip,
    open_upload,
)
from dashboard.datasets.manifest import Changes, Move
from dashboard.datasets.pipeline import pixel_cache, records_data, training_data
from dashboard.datasets.samples import SAMPLE_NAMES, SAMPLES
from dashboard.datasets.store import (
    DatasetError,
    ImageRecord,
    Manifest,
    delete,
    get,
    image_path,
    list_datasets,
    open_store,
    read_image,
    rename,
)
from dashboard.datasets.summary import Summary, sample_grid, summarize, validation_prior
from dashboard.datasets.versions import (
    Addition,
    Edit,
    diff,
    drop_classes,
    merge_classes,
    new_version,
    versions_of,
)
from dashboard.datasets.words import layout_text, reason_text, split_text

__all__ = [
    "Addition",
    "drop_classes",
    "merge_classes",
    "SAMPLES",
    "SAMPLE_NAMES",
    "Changes",
    "DatasetError",
    "Edit",
    "ImageRecord",
    "IngestResult",
    "Upload",
    "open_upload",
    "Manifest",
    "Summary",
    "charts",
    "delete",
    "diff",
    "get",
    "image_path",
    "ingest_classes",
    "ingest_files",
    "ingest_sample",
    "ingest_zip",
    "layout_text",
    "list_datasets",
    "Move",
    "new_version",
    "open_store",
    "pixel_cache",
    "read_image",
    "reason_text",
    "records_data",
    "rename",
    "sample_grid",
    "split_text",
    "summarize",
    "training_data",
    "validation_prior",
    "versions_of",
]
