"""Every page in Korean, walked through AppTest with the browser's locale `ko-KR`: no English UI
sentence is left. Allowed in Latin letters: model and layer names, file names, units, the
papers' titles, and what the data holds (class, dataset and run names, ImageNet's classes).

Then two sessions at once, one English and one Korean: each sees its own language."""

from __future__ import annotations

import json
import re

import pytest
import streamlit as st
from google.protobuf.json_format import MessageToDict
from streamlit.testing.v1 import AppTest

from dashboard import i18n, model_menu, training, tutorial
from dashboard.i18n import _
from dashboard.training import default_config
from models import catalog
from tests.conftest import ROOT, WEIGHTS_DIR, red_and_blue, wait

# Words that stay in Latin letters in Korean text: names of things, units, formats.
NAMES = frozenset(
    """ImageNet ILSVRC Keras TensorFlow Grad CAM Grad-CAM SNE t-SNE TFLite LiteRT SavedModel ONNX
    Ray PostgreSQL SQLite S3 MobileNet MobileNetV2 ResNet VGG AlexNet GoogLeNet ZFNet Clarifai
    SENet NEC UIUC XRCE Trimps Soushen EfficientNet DenseNet Inception Xception NASNet ConvNeXt
    FC MLP CSV HTML JSON PNG JPEG JPG GIF BMP WEBP TIFF GPU CPU CUDA ReLU BN SGD Adam AdamW
    px MB GB KB ms top top-1 top-5 He Girshick Dollár Russakovsky Zeiler Fergus Yosinski al
    et ICCV IJCV ECCV NeurIPS arXiv predict py keras zip tflite onnx html csv json ok OK
    AUC ECE k-NN kNN NN ID URL OIDC SSO id alpha min max std log lr LR PCA
    digits TF Serving RGB TensorBoard WebP AP Wilson""".split()  # noqa: SIM905 (a list of words reads as one)
)
WORD = re.compile(r"[A-Za-z][A-Za-z'-]*[A-Za-z]|[A-Za-z]")
HANGUL = re.compile(r"[\uac00-\ud7a3]")
ICONS = re.compile(r":material/[a-z_]+:")
NOISE = [
    re.compile(r"https?://\S+"),
    re.compile(r"\S+\.(zip|keras|json|py|csv|html|jpg|jpeg|png|h5|tflite|onnx|md|txt)\b", re.I),
    re.compile(r"\b\w*[_\d]\w*\b"),  # identifiers, layer names, run ids, numbers
    re.compile(r"`[^`]*`"),  # code: folder names to create, commands, paths
    re.compile(r"%\{[^}]*\}|<[^>]+>"),  # plotly's hover fields and its HTML subset
]


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for v in value.values():
            yield from strings(v)
    elif isinstance(value, list):
        for v in value:
            yield from strings(v)


CHART_TEXT = ("text", "name", "hovertemplate", "texttemplate", "title")


def chart_strings(spec: str):
    """What a plotly chart writes on the page: titles, axis titles, annotations, trace names,
    hover texts (not its data arrays)."""

    def visit(value, key=""):
        if isinstance(value, dict):
            for k, v in value.items():
                yield from visit(v, k)
        elif isinstance(value, list):
            for v in value:
                yield from visit(v, key)
        elif isinstance(value, str) and key in CHART_TEXT:
            yield value

    fig = json.loads(spec)
    yield from visit(fig.get("layout", {}))
    for trace in fig.get("data", []):
        yield from visit({k: v for k, v in trace.items() if k in CHART_TEXT})


PROTO_TEXT = {"label", "body", "help", "placeholder", "options", "caption", "value", "text"}


def page_text(at: AppTest) -> list[str]:
    """Every text the page shows, element by element."""
    found = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is None or not hasattr(proto, "DESCRIPTOR"):
            continue
        kind = getattr(node, "type", "")
        if kind == "plotly_chart":
            found += chart_strings(proto.spec)
            continue
        if kind == "arrow_data_frame":
            found += [str(c) for c in node.value.columns]
            continue
        fields = MessageToDict(proto, preserving_proto_field_name=True)
        found += [s for k, v in fields.items() if k in PROTO_TEXT for s in strings(v)]
        if kind == "imgs":
            found += [i.caption for i in proto.imgs]
    return found


def english_left(texts: list[str], data: set[str]) -> list[str]:
    """The texts that still hold English words once names, data and units are taken out."""
    # One pattern for all names, longest first, whole words only: "red" is not in "predict".
    # (A re.sub per name recompiles past re's cache of 512 and took minutes per page.)
    names = "|".join(re.escape(n) for n in sorted(data, key=len, reverse=True))
    data_pattern = re.compile(rf"(?<![A-Za-z])(?:{names})(?![A-Za-z])")
    left = []
    for text in texts:
        stripped = ICONS.sub(" ", text)  # first: an icon's name is not an ImageNet class ("menu")
        stripped = data_pattern.sub(" ", stripped)
        for pattern in NOISE:
            stripped = pattern.sub(" ", stripped)
        words = [w for w in WORD.findall(stripped) if w not in NAMES and w.strip("'-") not in NAMES]
        if words:
            left.append(f"{text!r}: {words}")
    return left


def data_names(*extra: str) -> set[str]:
    """What the data holds: the catalog's model labels, ImageNet's classes, the test's names."""
    models = catalog.MODEL_LIST
    names = {b.label for b in models} | {b.key for b in models} | {b.builder for b in models}
    names |= {b.paper for b in models} | {b.family for b in models}
    index = json.loads((WEIGHTS_DIR / "imagenet_class_index.json").read_text())
    names |= {label for _, label in index.values()} | {
        label.replace("_", " ") for _, label in index.values()
    }
    names |= {r.title for f in tutorial.FIGURES.values() for r in f.references}
    names |= {name for _, name, _ in tutorial.ILSVRC_WINNERS}
    names |= {"Rethinking ImageNet Pre-training"}  # He et al.'s title, as Compare cites it
    # The language box speaks both languages on purpose: each language is named in its own.
    names |= {"Language · 언어", *i18n.LANGUAGES.values()}
    return names | set(extra)


@pytest.fixture
def korean_runs(shared_weights_env, tmp_path, monkeypatch):
    """A fresh home with a 2-class dataset, a finished linear-head run and a scratch run."""
    settings, manifest = red_and_blue(tmp_path, monkeypatch, 8)
    jm = training.manager(settings)
    ids = []
    for strategy, epochs in (("linear_head", 2), ("scratch", 2)):
        cfg = default_config(manifest.id, "MobileNet_0.25_224", strategy)
        ids.append(
            wait(jm, jm.submit(cfg.with_(image_size=64, batch_size=8, epochs=epochs))[0].id).id
        )
    st.cache_data.clear()
    st.cache_resource.clear()
    runs = [jm.runs.get(i) for i in ids]
    return manifest, runs


def korean_app() -> AppTest:
    at = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    at.context["locale"] = "ko-KR"
    return at


def ko(message: str) -> str:
    with i18n.speaking("ko"):
        return _(message)


def assert_korean(at: AppTest, data: set[str], where: str) -> None:
    assert not at.exception, [e.value for e in at.exception]
    texts = page_text(at)
    assert any(HANGUL.search(t) for t in texts), f"{where}: no Korean at all"
    left = english_left(texts, data)
    assert not left, f"{where}: English left on the page:\n" + "\n".join(left[:40])


def test_explore_in_korean(shared_weights_env):
    st.cache_data.clear()
    st.cache_resource.clear()
    at = korean_app().run()
    assert at.session_state["_tlab_language"] == "ko"  # from the browser's language
    data = data_names()
    assert_korean(at, data, "Explore")
    for tab in ("Feature maps", "Filters", "Grad-CAM", "Architecture"):
        at.session_state["explore_tab"] = ko(tab)
        assert_korean(at.run(), data, f"Explore, {tab}")


def test_train_and_compare_in_korean(korean_runs):
    manifest, runs = korean_runs
    data = data_names(manifest.name, *manifest.classes, *(r.name for r in runs))
    data |= {c.backbone.label for c in model_menu.backbone_choices(training_settings())}
    at = korean_app().run()
    at.switch_page("pages/train.py").run()
    at.session_state["dataset_id"] = manifest.id
    at.selectbox(key="train_backbone").set_value("MobileNet_0.25_224").run()
    assert_korean(at, data, "Train, a dataset chosen")
    at.button(key=f"advise_{manifest.id}").click().run()
    assert_korean(at, data, "Train, the advisor's advice")
    at.button(key=f"fs_go_{manifest.id}").click().run()
    assert_korean(at, data, "Train, the feature space")
    for run in runs:  # the results of each strategy's run
        at.session_state["run_id"] = run.id
        at.session_state[f"run_select_{manifest.id}"] = run.id
        assert_korean(at.run(), data, f"Train, the results of {run.strategy}")
    at.switch_page("pages/compare.py").run()
    assert_korean(at, data, "Compare")


def training_settings():
    from dashboard.settings import Settings

    return Settings.from_env()


def test_two_sessions_at_once_each_see_their_own_language(shared_weights_env):
    st.cache_data.clear()
    st.cache_resource.clear()
    english = AppTest.from_file(str(ROOT / "streamlit_app.py"), default_timeout=300)
    english.context["locale"] = "en-US"
    korean = korean_app()
    english.run()
    korean.run()
    english.run()  # the English session again, after the Korean one ran
    assert "Top-5 ImageNet classes" in " ".join(page_text(english))
    assert ko("Top-5 ImageNet classes") in " ".join(page_text(korean))
    assert not HANGUL.search(" ".join(page_text(english)).replace("언어", ""))
    # The sidebar switches a session's language; the other stays as it was.
    korean = korean_app().run()
    korean.sidebar.selectbox(key="_tlab_language_box").set_value("en").run()
    assert "Top-5 ImageNet classes" in " ".join(page_text(korean))
    english.run()
    assert "Top-5 ImageNet classes" in " ".join(page_text(english))


def test_the_check_finds_english_but_not_names_in_a_korean_sentence():
    data = {"red", "golden retriever"}
    assert english_left(["빨강 red 클래스, golden retriever 예측"], data) == []
    assert english_left(["predict.py 파일과 MobileNet 모델"], data) == []
    left = english_left(["학습이 끝났습니다. Training finished"], data)
    assert left and "Training" in left[0] and "finished" in left[0]
    assert english_left(["predicted 빨강"], data)  # "red" inside a word is no name
