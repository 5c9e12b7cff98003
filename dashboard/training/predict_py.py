"""The `predict.py` of each download: how to run the file it comes with on one photo, in the
runtime that serves it. Every snippet ends the same way (`ANSWER`): the classes' calibrated
probabilities, then the unknown score and flag (`models.unknown`). The one value that varies,
the model's file name, goes in through `repr`; the note to the reader, in the downloading
session's language, goes in as comment lines (`_comment`), so no text can leave the comment.
"""

from __future__ import annotations

import textwrap

from dashboard.i18n import N_, _

# What predict.py says to its reader, in the language of the session that downloads it.
SAVED_MODEL_NOTE = N_(
    "TF Serving: start the server with Docker, then send it images (the model's size, RGB "
    "0-255) as JSON:"
)
TFLITE_NOTE = N_(
    "On a phone: the same file with TensorFlow Lite's Interpreter (Android, iOS, ai-edge-litert)."
)
ONNX_NOTE = N_(
    "Any ONNX runtime; here onnxruntime, with numpy and Pillow and nothing else (pip install "
    "onnxruntime numpy pillow):"
)

SAVED_MODEL_USAGE = """\
#   docker run -p 8501:8501 -v "$PWD/saved_model:/models/clf/1" -e MODEL_NAME=clf \\
#     tensorflow/serving
#   curl -d '{"instances": [<size x size x 3 RGB 0-255>]}' \\
#     http://localhost:8501/v1/models/clf:predict
import json, sys, numpy as np, tensorflow as tf
from PIL import Image

model = tf.saved_model.load("saved_model")
labels = json.load(open("labels.json"))
size = labels["image_size"]
image = Image.open(sys.argv[1]).convert("RGB").resize((size, size), Image.BILINEAR)
out = model.serve(np.asarray(image, "float32")[None]).numpy()[0]
"""

# The model's answer: the classes' calibrated probabilities, then the unknown score and flag.
ANSWER = """\
classes = labels["classes"]
probs = out[: len(classes)]
if len(out) > len(classes) and out[-1] > 0.5:
    print("none of these", float(out[len(classes)]))
else:
    print(classes[int(probs.argmax())], float(probs.max()))
"""

TFLITE_USAGE = """\
import json, sys, numpy as np
from PIL import Image

try:  # LiteRT, TensorFlow Lite's runtime on its own (pip install ai-edge-litert)
    from ai_edge_litert.interpreter import Interpreter
except ImportError:  # else TensorFlow's copy of it
    import tensorflow as tf

    Interpreter = tf.lite.Interpreter

interpreter = Interpreter(model_path=MODEL)
interpreter.allocate_tensors()
inp, output = interpreter.get_input_details()[0], interpreter.get_output_details()[0]
labels = json.load(open("labels.json"))
size = labels["image_size"]
image = Image.open(sys.argv[1]).convert("RGB").resize((size, size), Image.BILINEAR)
interpreter.set_tensor(inp["index"], np.asarray(image, "float32")[None])
interpreter.invoke()
out = interpreter.get_tensor(output["index"])[0]
"""

ONNX_USAGE = """\
import json, sys, numpy as np, onnxruntime
from PIL import Image

session = onnxruntime.InferenceSession(MODEL, providers=["CPUExecutionProvider"])
labels = json.load(open("labels.json"))
size = labels["image_size"]
image = Image.open(sys.argv[1]).convert("RGB").resize((size, size), Image.BILINEAR)
x = np.asarray(image, "float32")[None]
out = session.run(None, {session.get_inputs()[0].name: x})[0][0]
"""


KERAS_USAGE = """\
import json, sys, keras, numpy as np
from PIL import Image

model = keras.saving.load_model("model.keras")
labels = json.load(open("labels.json"))
size = labels["image_size"]
image = Image.open(sys.argv[1]).convert("RGB").resize((size, size), Image.BILINEAR)
out = model.predict(np.asarray(image, "float32")[None], verbose=0)[0]
"""


def script(fmt: str, name: str) -> str:
    """predict.py for `fmt` ("keras" or an export format), whose file is `name`."""
    if fmt == "keras":
        return KERAS_USAGE + ANSWER
    if fmt == "saved_model":
        return _comment(_(SAVED_MODEL_NOTE)) + SAVED_MODEL_USAGE + ANSWER
    note, usage = (ONNX_NOTE, ONNX_USAGE) if fmt == "onnx" else (TFLITE_NOTE, TFLITE_USAGE)
    return _comment(_(note)) + f"MODEL = {name!r}\n" + usage + ANSWER


def _comment(text: str) -> str:
    """`text` as comment lines of a generated file: every line starts with "# "."""
    return "".join(f"# {line}\n" for line in textwrap.wrap(text, 96) or [""])
