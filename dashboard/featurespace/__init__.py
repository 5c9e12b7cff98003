"""Feature space: a dataset through the backbone's eyes (pretrained beside random weights),
its nearest neighbours, likely label problems and near-duplicates.

Other packages use only the names below; the modules behind them are this package's own.
"""

from dashboard.featurespace import charts
from dashboard.featurespace.embedding import LIMIT, METHODS, embed
from dashboard.featurespace.maps import FeatureMap, feature_map
from dashboard.featurespace.neighbours import NearDuplicate, Suspect, nearest

__all__ = [
    "LIMIT",
    "METHODS",
    "FeatureMap",
    "NearDuplicate",
    "Suspect",
    "charts",
    "embed",
    "feature_map",
    "nearest",
]
