"""`python -m dashboard [streamlit options]`, the README's first command: the `streamlit run
streamlit_app.py` program in this process, with Explore's default model warming up from the
start (`explore.warm_up`), so the first viewer does not wait for it.

It runs Streamlit's command line as `python -m streamlit` would (`runpy`), before anything here
touches Streamlit's API: the glue module's caches then belong to the server's runtime.
`streamlit run streamlit_app.py` works as well, without the warm-up.
"""

import runpy
import sys
import threading
from pathlib import Path

ENTRY = Path(__file__).resolve().parents[1] / "streamlit_app.py"


def warm_up() -> None:
    # Imported here, in this thread: TensorFlow loads while the server starts, not before it.
    from dashboard import explore
    from dashboard.settings import Settings

    explore.warm_up(Settings.from_env())  # the settings every page reads, from this env


threading.Thread(target=warm_up, name="tlab-warm-up", daemon=True).start()
sys.argv = ["streamlit", "run", str(ENTRY), *sys.argv[1:]]
runpy.run_module("streamlit", run_name="__main__", alter_sys=True)
