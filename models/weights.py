"""Where a backbone's ImageNet weights come from.

Order: 1) the offline folder (`TLAB_WEIGHTS_DIR`, files named as Keras names them),
2) Keras' own cache (`$KERAS_HOME/models`, default `~/.keras/models`), 3) a download through
Keras (`weights="imagenet"`), which is the normal path on a machine with internet.
Offline and missing gives `WeightsUnavailable` with a message that says what to do.

A blocked network (a company proxy, a firewall) must look exactly like offline: before the
first download the host is probed once per process with a short timeout, and the answer is
remembered; a download that fails is remembered too, so nothing waits on the network twice.
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path

from models.words import N_

CLASS_INDEX_FILE = "imagenet_class_index.json"
CLASS_INDEX_URL = (
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
)
KERAS_WEIGHTS_URL = "https://storage.googleapis.com/tensorflow/keras-applications/"
PROBE_TIMEOUT_S = 10.0

_lock = threading.Lock()
_host_answers: dict[str, bool] = {}  # the probe's answer, once per process
_failed_downloads: dict[str, str] = {}  # file name -> why its download failed, this process


Sentence = tuple[str, dict[str, str]]  # a template marked with N_, and its fields' values


class WeightsUnavailable(RuntimeError):
    """The weights are neither on disk nor downloadable; `str()` is a message for the user, in
    English. `sentences` holds the same words as (template, fields), for a page to show in its
    reader's language (`dashboard.model_menu.unavailable_text`); empty for a message made whole.
    """

    def __init__(self, message: str, sentences: tuple[Sentence, ...] = ()):
        super().__init__(message)
        self.sentences = tuple(sentences)

    def __reduce__(self):  # pickled with its sentences (an error that crosses to a Ray driver)
        return type(self), (str(self), self.sentences)

    @classmethod
    def of(cls, *sentences: Sentence) -> WeightsUnavailable:
        """The error that says `sentences`, its message in English."""
        return cls(english(sentences), sentences)


def english(sentences) -> str:
    return " ".join(template.format(**fields) for template, fields in sentences)


# What WeightsUnavailable says; the page translates each sentence where it shows it.
CLASS_NAMES = "the ImageNet class names"  # `what` for the class index file
NOT_HERE = N_(
    "The ImageNet weights for {what} are not on this machine and cannot be downloaded here."
)
CLASS_NAMES_NOT_HERE = N_(
    "The ImageNet weights for the ImageNet class names are not on this machine and cannot be "
    "downloaded here."
)
NEEDED = N_("Needed file: `{file}`.")
NEEDED_SIZED = N_("Needed file: `{file}` (about {mb} MB).")
PUT_IT_IN = N_(
    "Keras publishes it under {url}; download it on a machine with internet and put it in "
    "`{folder}`."
)
PUT_IT_IN_EITHER = N_(
    "Keras publishes it under {url}; download it on a machine with internet and put it in "
    "`{folder}` or `{other}`."
)
SET_WEIGHTS_DIR = N_("Set `TLAB_WEIGHTS_DIR` to a folder of weight files to use one.")
FAILED_EARLIER = N_("Its download failed earlier ({error}).")
NO_ANSWER = N_(
    "The download host did not answer within {seconds} s: the network looks blocked, so the "
    "app works as offline (TLAB_OFFLINE=1)."
)


@dataclass(frozen=True)
class WeightsSource:
    """Resolved weights: a local file, or `download` meaning Keras will fetch them."""

    filename: str
    path: Path | None

    @property
    def on_disk(self) -> bool:
        return self.path is not None

    @property
    def keras_arg(self) -> str:
        """What to pass as `weights=` to a `keras.applications` builder."""
        return str(self.path) if self.path else "imagenet"


def keras_cache_dir() -> Path:
    """Keras' download cache for application weights (`get_file(cache_subdir="models")`)."""
    home = os.environ.get("KERAS_HOME") or os.path.join(os.path.expanduser("~"), ".keras")
    return Path(home) / "models"


def search_dirs(weights_dir: Path | None) -> list[Path]:
    return [d for d in (weights_dir, keras_cache_dir()) if d is not None]


def find_local(filename: str, weights_dir: Path | None) -> Path | None:
    for folder in search_dirs(weights_dir):
        candidate = folder / filename
        if candidate.is_file() and candidate.stat().st_size > 0:
            return candidate
    return None


def missing_sentences(
    what: str, filename: str, size_mb: float | None, weights_dir: Path | None
) -> list[Sentence]:
    """What to say when `filename` is not here: what it is, where it comes from, where it goes."""
    said = [(CLASS_NAMES_NOT_HERE, {}) if what == CLASS_NAMES else (NOT_HERE, {"what": what})]
    if size_mb:
        said.append((NEEDED_SIZED, {"file": filename, "mb": f"{size_mb:.0f}"}))
    else:
        said.append((NEEDED, {"file": filename}))
    folders = [str(d) for d in search_dirs(weights_dir)]
    if len(folders) == 2:
        put = (PUT_IT_IN_EITHER, {"folder": folders[0], "other": folders[1]})
    else:
        put = (PUT_IT_IN, {"folder": folders[0]})
    said.append((put[0], {"url": KERAS_WEIGHTS_URL, **put[1]}))
    if not weights_dir:
        said.append((SET_WEIGHTS_DIR, {}))
    return said


def missing_message(
    what: str, filename: str, size_mb: float | None, weights_dir: Path | None
) -> str:
    return english(missing_sentences(what, filename, size_mb, weights_dir))


def download_host_answers() -> bool:
    """Whether the host Keras downloads from answers at all (any HTTP status counts), through
    the proxy the environment sets; probed once per process within `PROBE_TIMEOUT_S`."""
    with _lock:
        if "answer" not in _host_answers:
            _host_answers["answer"] = _probe(KERAS_WEIGHTS_URL, PROBE_TIMEOUT_S)
        return _host_answers["answer"]


def _probe(url: str, timeout: float) -> bool:
    import urllib.error
    import urllib.request

    try:
        urllib.request.urlopen(urllib.request.Request(url, method="HEAD"), timeout=timeout).close()
    except urllib.error.HTTPError:
        return True  # the host answered (403 and 404 included)
    except (OSError, ValueError):  # URLError, timeouts, refused connections, bad proxies
        return False
    return True


def download_failed(filename: str, why: str) -> None:
    """Remember that `filename` could not be downloaded: later asks fail at once."""
    with _lock:
        _failed_downloads[filename] = why


def why_no_download(filename: str) -> Sentence | None:
    """Why `filename` cannot be downloaded in this process, or None when it may be tried."""
    with _lock:
        failed = _failed_downloads.get(filename)
    if failed is not None:
        return FAILED_EARLIER, {"error": failed}
    if not download_host_answers():
        return NO_ANSWER, {"seconds": f"{PROBE_TIMEOUT_S:.0f}"}
    return None


def resolve(
    filename: str,
    *,
    what: str,
    size_mb: float | None,
    weights_dir: Path | None,
    allow_download: bool,
) -> WeightsSource:
    """Find `filename` locally, else allow a Keras download, else raise `WeightsUnavailable`."""
    path = find_local(filename, weights_dir)
    if path is not None:
        return WeightsSource(filename, path)
    missing = missing_sentences(what, filename, size_mb, weights_dir)
    if not allow_download:
        raise WeightsUnavailable.of(*missing)
    blocked = why_no_download(filename)
    if blocked:
        raise WeightsUnavailable.of(*missing, blocked)
    return WeightsSource(filename, None)


def load_class_index(weights_dir: Path | None, allow_download: bool) -> list[tuple[str, str]]:
    """ImageNet's 1,000 (wordnet id, name) pairs, in class order, from disk or through Keras."""
    source = resolve(
        CLASS_INDEX_FILE,
        what=CLASS_NAMES,
        size_mb=None,
        weights_dir=weights_dir,
        allow_download=allow_download,
    )
    path = source.path
    if path is None:
        import keras

        try:
            path = Path(
                keras.utils.get_file(CLASS_INDEX_FILE, CLASS_INDEX_URL, cache_subdir="models")
            )
        except Exception as exc:  # any network failure means "offline" to the user
            download_failed(CLASS_INDEX_FILE, f"{type(exc).__name__}: {exc}")
            raise WeightsUnavailable.of(
                *missing_sentences(CLASS_NAMES, CLASS_INDEX_FILE, None, weights_dir)
            ) from exc
    raw = json.loads(path.read_text())
    return [tuple(raw[str(i)]) for i in range(len(raw))]
