"""The names under which a session keeps its choices (`st.session_state`), in one place: several
parts of a page, and the pages among themselves, read what another one wrote."""

from __future__ import annotations

DATASET = "dataset_id"  # the dataset chosen on the Train page (its sections read it)
RUN = "run_id"  # the run shown on the Train page (the advisor's ladder sets it too)
BACKBONE = "train_backbone"  # the backbone for the advisor and the trainer
STRATEGY = "train_strategy"  # the strategy in the training form (the advisor's advice sets it)
COMPARED = "compare_selection"  # the runs Compare shows (its experiments set them)
EXPLORE_TAB = "explore_tab"
MAXIMIZED = "maximized"  # (model, layer, channel) -> activation maximisation, this session's
INGESTED = "ingested_uploads"  # uploads already stored, so a rerun does not store them again
N_CLASSES = "n_classes"  # how many class upload boxes the "images per class" tab shows
WEBCAM_SHOTS = "webcam_shots"  # class -> [(file name, JPEG bytes)]
WEBCAM_SEEN = "webcam_seen"  # file ids of pictures already added (a rerun shows the last again)


def run_choice(dataset_id: str) -> str:
    """The run selectbox's key: one per dataset, so each keeps its own choice."""
    return f"run_select_{dataset_id}"


def picked_image(dataset_id: str) -> str:
    """The image picked on the feature-space map of a dataset."""
    return f"fs_pick_{dataset_id}"


def add_class(dataset_id: str) -> str:
    """The class that images added to a dataset go into (the forecast's buttons set it)."""
    return f"add_cls_{dataset_id}"


def add_shots(dataset_id: str) -> str:
    """Camera pictures taken to add to a dataset: [(class, file name, JPEG bytes)]."""
    return f"add_shots_{dataset_id}"


def learning_curves(dataset_id: str, backbone: str) -> str:
    return f"curves_{dataset_id}_{backbone}"
