"""The server's warm-up (`python -m dashboard`): Explore's default model is loaded and run once
before the first viewer asks, into the cache every session reads."""

from __future__ import annotations

from dashboard import explore, model_menu
from dashboard.explore import warm
from dashboard.settings import Settings


def test_the_warm_up_loads_the_model_the_first_viewer_asks_for(shared_weights_env, tmp_path):
    env = {"TLAB_HOME": str(tmp_path), "TLAB_WEIGHTS_DIR": str(shared_weights_env)}
    settings = Settings.from_env({**env, "TLAB_OFFLINE": "1"})
    warm.MODELS.clear()
    key = explore.warm_up(settings)
    assert key == model_menu.default_model_key(settings) == "MobileNet_0.25_128"
    # The page asks with the server's settings, read from the same environment: the same key.
    again = Settings.from_env({**env, "TLAB_OFFLINE": "1"})
    made = explore.loaded_model(again, key, lambda: None)
    assert made is not None and made.backbone.key == key


def test_a_warm_up_that_cannot_load_leaves_the_server_to_say_why(tmp_path, capsys):
    empty = tmp_path / "no-weights"
    empty.mkdir()
    settings = Settings.from_env(
        {"TLAB_HOME": str(tmp_path), "TLAB_WEIGHTS_DIR": str(empty), "TLAB_OFFLINE": "1"}
    )
    warm.MODELS.clear()
    assert explore.warm_up(settings) is None
    assert explore.WARM_UP_DONE not in capsys.readouterr().out
