import numpy as np

from dashboard import images
from dashboard.explore import charts
from models import catalog
from models.imagenet import Prediction


def test_colorize_and_overlay():
    ramp = images.colorize(np.array([0.0, 1.0]))
    assert tuple(ramp[0]) == (68, 1, 84) and tuple(ramp[1]) == (253, 231, 37)
    image = np.zeros((20, 30, 3), np.uint8)
    assert images.overlay(image, np.ones((2, 3)), alpha=1.0).shape == (20, 30, 3)


def test_top5_bar_is_best_first_from_the_top():
    preds = [Prediction(i, "n0", f"class_{i}", s) for i, s in enumerate([0.6, 0.3, 0.1])]
    bar = charts.top5_bar(preds).data[0]
    assert list(bar.y) == ["class 2", "class 1", "class 0"]  # plotly draws bottom-up


def test_catalog_scatter_marks_the_human_level():
    fig = charts.catalog_scatter(catalog.MODEL_LIST)
    assert len(fig.data[0].x) == len(catalog.MODEL_LIST)
    assert fig.layout.shapes[0].y0 == 100 - catalog.HUMAN_TOP5_ERROR


def test_tile_grid_layout():
    grid = charts.tile_grid(np.zeros((10, 3, 3, 3)), columns=4, pad=1, scale=2)
    assert grid.shape == (3 * 7 + 1, 4 * 7 + 1, 3)
