"""What a newcomer's first look at Explore is measured against: plain Keras in a fresh process
imports, builds the dashboard's default model (MobileNet alpha 0.25 at 128 px with the
ImageNet top, from TLAB_WEIGHTS_DIR) and predicts the same photo (skimage's Chelsea, centre
crop). `python bench/plain_keras.py` prints the top class; bench/first_view.py times it."""

import os
import time

started = time.perf_counter()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import skimage.data  # noqa: E402
from PIL import Image  # noqa: E402

SIZE = 128
model = keras.applications.MobileNet(input_shape=(SIZE, SIZE, 3), alpha=0.25, weights=None)
model.load_weights(os.path.join(os.environ["TLAB_WEIGHTS_DIR"], "mobilenet_2_5_128_tf.h5"))
photo = skimage.data.chelsea()
side = min(photo.shape[:2])
top, left = (photo.shape[0] - side) // 2, (photo.shape[1] - side) // 2
crop = Image.fromarray(photo[top : top + side, left : left + side]).resize((SIZE, SIZE))
batch = keras.applications.mobilenet.preprocess_input(np.asarray(crop, "float32")[None])
scores = model.predict(batch, verbose=0)[0]
print(f"top class {int(scores.argmax())} in {time.perf_counter() - started:.2f} s")
