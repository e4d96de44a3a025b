# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Lesson 04 — A CNN that reads handwritten digits
#
# MNIST holds 70,000 handwritten digits, each a 28 × 28 grey picture, light ink on a black
# background, with the digit it shows. In this notebook you
#
# 1. build the lesson's convolutional network layer by layer and follow the shape of the data,
# 2. train it (three epochs reach 99% on the test digits, on a laptop CPU),
# 3. read its loss curve and test accuracy,
# 4. give it digits of your own, and see how a picture is prepared for it step by step,
# 5. teach it dark-on-light digits too, by **inverting** training pictures (data augmentation),
# 6. and look inside: the feature maps its layers make of one digit.

# %%
import json

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from PIL import Image

import lesson_tools as lt
import neuroflow as nf

FILES = lt.start(4, "the MNIST CNN")
EPOCHS = lt.pick(3, 1)

# %% [markdown]
# ## The digits
#
# `nf.load_dataset("mnist")` reads the four official files from the folder in `$NEUROFLOW_DATA` (or
# `data_dir=`), or downloads them once (`neuroflow data download mnist`). The official 10,000 test
# digits stay the test split; 5,000 of the 60,000 training digits are held back for validation.

# %%
ds = nf.load_dataset("mnist")
if lt.FAST:  # a small part of MNIST, so this notebook runs in seconds
    ds = lt.subset(ds, 1500, 300, 500)
print(ds.describe())
fig, axes = plt.subplots(1, 10, figsize=(12, 1.6))
for ax, picture, label in zip(axes, ds.x_train[:10], ds.y_train[:10], strict=True):
    ax.imshow(picture[..., 0], cmap="gray")
    ax.set_title(str(label))
    ax.axis("off")
plt.show()
print("pixel values:", ds.x_train.dtype, ds.x_train.min(), "to", ds.x_train.max(), "(scaled to 0..1 as each batch is made)")

# %% [markdown]
# ## The network, layer by layer
#
# The `mnist-cnn` recipe is the lesson's design:
#
# | layer | what it does |
# |---|---|
# | `Conv2D(16, 5, padding="same", activation="relu")` | 16 kernels of 5 × 5, learned; `same` pads so the picture keeps its size |
# | `MaxPool2D(2)` | keeps the largest of each 2 × 2 block: half the width and height |
# | `Conv2D(32, 5, padding="same", activation="relu")` | 32 kernels, each over all 16 maps below it |
# | `MaxPool2D(2)` | halves again |
# | `Flatten()` | the maps become one long row of numbers |
# | `Dense(128, activation="relu")` | 128 neurons, each looking at the whole row |
# | `Dropout(0.4)` | in training, silences a random 40% of those neurons each step, against memorising |
# | `Dense(10, activation="softmax")` | one output per digit: the probabilities |
#
# It trains with cross-entropy and Adam in batches of 128 (neuroflow adds a one-cycle learning-rate
# schedule, which is what makes 3 epochs enough).
#
# ### Exercise 1 — follow the shape
#
# Write the shape each layer outputs for one 28 × 28 × 1 digit, as (height, width, channels) for the
# picture layers and (numbers,) after `Flatten`.

# %%
exercise_1 = [
    (..., ..., ...),  # Conv2D 16
    (..., ..., ...),  # MaxPool2D
    (..., ..., ...),  # Conv2D 32
    (..., ..., ...),  # MaxPool2D
    (...,),  # Flatten
    (...,),  # Dense 128
    (...,),  # Dropout
    (...,),  # Dense 10
]

# %% [markdown]
# ## Training
#
# Every epoch passes once over the training digits; the line for each shows the loss and accuracy on
# them and on the validation digits. `out=` saves the model folder after every epoch.

# %%
# After training, neuroflow fits calibration and an unknown-input check (lesson 05); fast mode skips that.
model = nf.train(ds, model="mnist-cnn", epochs=EPOCHS, out=FILES / "mnist", post_fit=not lt.FAST)

# %%
print(model.summary())


def shapes_in(summary: str) -> list[tuple]:
    """The output shapes of a summary's layers, without the batch dimension (None)."""
    import re

    return [tuple(int(n) for n in m.split(",") if n.strip()) for m in re.findall(r"\(None, ([\d, ]+)\)", summary)]


def check_exercise_1(answer):
    if not lt.answered([v for shape in answer for v in shape], "the shapes"):
        return
    right = shapes_in(model.summary())
    wrong = [i + 1 for i, (a, r) in enumerate(zip(answer, right, strict=False)) if tuple(a) != r]
    if len(answer) != len(right) or wrong:
        return lt.check(False, "", f"look again at layer{'s' * (len(wrong) > 1)} {', '.join(map(str, wrong or ['count']))}: 'same' padding keeps the size, pooling halves it, Flatten multiplies")
    return lt.check(True, "28×28×16 → 14×14×16 → 14×14×32 → 7×7×32 → 1568 → 128 → 128 → 10", "")


check_exercise_1(exercise_1)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_1 = [(28, 28, 16), (14, 14, 16), (14, 14, 32), (7, 7, 32), (1568,), (128,), (128,), (10,)]
check_exercise_1(exercise_1)

# %% [markdown]
# ## The loss curve and the test accuracy

# %%
history = pd.DataFrame(model.history)
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(history["epoch"], history["loss"], "o-", label="training loss")
ax.plot(history["epoch"], history["val_loss"], "o-", label="validation loss")
ax.set_xlabel("epoch")
ax.set_xticks(history["epoch"])
ax.legend()
plt.show()
history.round(4)

# %%
report = nf.evaluate(model, ds, out=FILES / "evaluation")
accuracy = report["accuracy"]
print(f"test accuracy {accuracy:.4f} on {len(ds.y_test):,} digits the network never saw")
(FILES / "results.json").write_text(json.dumps({"epochs": EPOCHS, "test_accuracy": accuracy, "fast": lt.FAST}))
if not lt.FAST:
    lt.check(accuracy >= 0.99, "99% or more, as the lesson promises", f"{accuracy:.2%} is below 99%; train again, or for an epoch more")
lt.show(FILES / "evaluation" / "most_confident_wrong.png", width=700)

# %% [markdown]
# The pictures above are the test digits it got wrong while most sure of itself. Many are hard for
# people too.
#
# ## Your own digits
#
# Write digits on paper and photograph them, or draw them in any paint program, and save them as PNG
# or JPEG files. Here the notebook draws ten for you, dark ink on lit paper with a phone photo's
# grain, and a folder of them goes to the network. (Replace the files in `lesson04-files/my_digits/`
# with your own and run the cells again; a file called `7.png` is marked right or wrong as a 7.)

# %%
own = FILES / "my_digits"
for d in range(10):
    lt.draw_digit(d, own / f"{d}.png", slant=(-8, 5, -3, 9, 0, -6, 4, -9, 7, 2)[d])
fig, axes = plt.subplots(1, 10, figsize=(12, 1.6))
for ax, d in zip(axes, range(10), strict=True):
    ax.imshow(Image.open(own / f"{d}.png"))
    ax.axis("off")
plt.show()

# %% [markdown]
# ### How a picture is prepared
#
# A photo is not an MNIST digit: it is large, dark on light, off-centre, with uneven light. MNIST's
# makers fitted each digit into 20 × 20 pixels and centred it by its mass in 28 × 28, light on black.
# neuroflow prepares your pictures the same way. The steps, done by hand on the 3:

# %%
from scipy import ndimage

steps = {}
grey = np.asarray(Image.open(own / "3.png").convert("L"), np.float32)
steps["1 grey"] = grey
paper = np.median(np.r_[grey[0], grey[-1], grey[:, 0], grey[:, -1]])  # the border is paper
light_on_dark = 255 - grey if paper > grey.mean() else grey
steps["2 light ink on dark"] = light_on_dark
ink = np.clip(light_on_dark - np.percentile(light_on_dark, 60), 0, None)  # the paper's own level becomes 0
ink[ink < 0.25 * ink.max()] = 0  # what is not clearly ink becomes black
rows, cols = np.nonzero(ink)
crop = ink[rows.min() : rows.max() + 1, cols.min() : cols.max() + 1]
steps["3 paper black, cropped to the ink"] = crop
scale = 20 / max(crop.shape)
size = (max(1, round(crop.shape[1] * scale)), max(1, round(crop.shape[0] * scale)))
small = np.asarray(Image.fromarray(crop).resize(size, Image.LANCZOS))
steps["4 fitted in 20×20"] = small
cy, cx = ndimage.center_of_mass(small)
top, left = int(round(14 - cy)), int(round(14 - cx))
by_hand = np.zeros((28, 28), np.float32)
by_hand[top : top + small.shape[0], left : left + small.shape[1]] = small
steps["5 centred by mass in 28×28"] = by_hand
fig, axes = plt.subplots(1, 5, figsize=(14, 3))
for ax, (title, picture) in zip(axes, steps.items(), strict=True):
    ax.imshow(picture, cmap="gray")
    ax.set_title(title, fontsize=10)
fig.savefig(FILES / "preparation.png")
plt.show()

# %% [markdown]
# neuroflow does these steps a little more carefully (it follows uneven light, drops specks of dirt,
# and thickens a thin pen line to MNIST's stroke width). `--show` draws each picture as the network
# received it:

# %%
lt.run(f"predict {FILES / 'mnist'} {own} --show {FILES / 'seen.png'}")
lt.show(FILES / "seen.png", width=700)

# %% [markdown]
# ## Without the preparation: why augmentation matters
#
# The lesson's own network was handed the photos as they were — only shrunk to 28 × 28, still dark on
# light, while every training digit was light on dark. `raw=True` (`--no-preprocess` on the command
# line) does the same here. Print the lesson's table of percentages for each picture:

# %%
def table(predictions) -> pd.DataFrame:
    rows = {p.name: {**{k: f"{v:.0%}" for k, v in p.probabilities.items()}, "says": p.label, "right": "✓" if p.correct else "✗"}
            for p in predictions}
    return pd.DataFrame(rows).T


raw_plain = nf.predict(model, own, raw=True)
print(f"resized only: {sum(p.correct for p in raw_plain)} of 10 right")
table(raw_plain)

# %% [markdown]
# The cure the lesson uses is **data augmentation**: add an inverted copy (255 − pixel) of every
# training digit, so the network also sees dark-on-light digits. `augment="invert"` does it
# (`--augment invert` on the command line). Each epoch now holds twice the pictures.
#
# ### Exercise 2 — invert a picture
#
# Complete `invert` so that it returns the inverted copy of a uint8 picture (0 becomes 255, 255
# becomes 0).

# %%
def invert(picture: np.ndarray) -> np.ndarray:
    return ...  # your code


# %%
def check_exercise_2(fn):
    sample = ds.x_train[0]
    result = fn(sample)
    if not lt.answered(result, "the inverted picture"):
        return
    result = np.asarray(result)
    ok = result.shape == sample.shape and np.array_equal(result.astype(int), 255 - sample.astype(int))
    return lt.check(ok, "255 − pixel: black becomes white, white becomes black",
                    "the result should have the same shape, with each pixel p replaced by 255 − p")


check_exercise_2(invert)

# %% tags=["solution"] jupyter={"source_hidden": true}
def invert(picture: np.ndarray) -> np.ndarray:
    return 255 - picture


check_exercise_2(invert)
fig, axes = plt.subplots(1, 2, figsize=(4, 2))
for ax, picture in zip(axes, [ds.x_train[0], invert(ds.x_train[0])], strict=True):
    ax.imshow(picture[..., 0], cmap="gray", vmin=0, vmax=255)
    ax.axis("off")
plt.show()

# %%
lt.run(f"augment preview mnist --augment invert --out {FILES / 'augment_preview.png'}")
lt.show(FILES / "augment_preview.png", width=600)

# %%
inverted_model = nf.train(ds, model="mnist-cnn", epochs=EPOCHS, augment="invert", out=FILES / "mnist-invert", post_fit=not lt.FAST)
print(f"test accuracy with inverted copies: {nf.evaluate(inverted_model, ds)['accuracy']:.4f}")

# %% [markdown]
# Now the same raw pictures through both networks, and through both with neuroflow's preparation:

# %%
raw_inverted = nf.predict(inverted_model, own, raw=True)
prepared_plain = nf.predict(model, own)
prepared_inverted = nf.predict(inverted_model, own)
comparison = pd.DataFrame(dtype=object, data={
    "resized only, plain": [p.label for p in raw_plain],
    "resized only, +inverted": [p.label for p in raw_inverted],
    "prepared, plain": [p.label for p in prepared_plain],
    "prepared, +inverted": [p.label for p in prepared_inverted],
}, index=[p.name for p in raw_plain])
comparison.loc["right of 10"] = [sum(p.correct for p in ps) for ps in (raw_plain, raw_inverted, prepared_plain, prepared_inverted)]
comparison

# %%
table(raw_inverted)

# %% [markdown]
# Inverted copies teach the network that a digit is a digit whichever way round its colours are.
# Your own numbers will differ from run to run and from picture to picture; digits that look least
# like MNIST's (a stylised 1, a 7 with a bar, a thin 9) stay hardest. More kinds of augmentation
# (`--augment "invert,rotate=15,noise=0.1"`), more epochs and more varied training pictures help.
#
# ## Inside the network: feature maps
#
# Each kernel of the first layer makes a *feature map* of the digit: bright where the picture
# matches the kernel. Pooling shrinks the maps, and the second layer combines them.

# %%
maps = lt.run_json(f"filters {FILES / 'mnist'} {own / '3.png'} --out {FILES / 'filters'}")
for layer in maps["feature_maps"][:2]:
    print(f"{layer['layer']} ({layer['kind']}): {layer['shape'][2]} maps of {layer['shape'][0]}×{layer['shape'][1]}")
    lt.show(layer["file"], width=700)

# %% [markdown]
# ### Exercise 3 — where are the weights?
#
# Which layer holds most of the network's weights? Give its name as the summary prints it (for
# example `conv2d_1`).

# %%
exercise_3 = ...  # a layer name, in quotes

# %%
def check_exercise_3(answer):
    if not lt.answered(answer, "a layer name"):
        return
    counts = {line.split()[0]: int(line.split()[-1].replace(",", "")) for line in model.summary().splitlines() if "(None," in line}
    right = max(counts, key=counts.get)
    return lt.check(str(answer).strip() == right, f"{right}: {counts[right]:,} of {sum(counts.values()):,} weights — 1568 inputs × 128 neurons",
                    f"{answer} is not it; read the Param # column of the summary")


check_exercise_3(exercise_3)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_3 = "dense_6"
check_exercise_3(exercise_3)

# %% [markdown]
# A picture that is missing gets neuroflow's one line, not a traceback:

# %%
with lt.nf_says():
    nf.predict(model, FILES / "my_digits" / "eleven.png")

# %% [markdown]
# ## Why this answer: which pixels made it
#
# Feature maps show what each kernel sees; they do not say which part of the picture made the
# answer. **Integrated gradients** do: they follow the network's gradient along a straight path from
# a black picture to the digit and share the change in the answer's logit out over the pixels. The
# shares add up to that change (the *completeness gap* says how closely), and a pixel left black
# gets none. `nf.explain` returns one explanation per picture, with the picture as the network saw
# it (`.input`) and the shares (`.attributions`, the same shape).

# %%
(why_3,) = nf.explain(model, [own / "3.png"])
print(f"{why_3.name}: '{why_3.label}' ({why_3.probability:.1%}), completeness gap {why_3.completeness_gap:.2%}")
print("input", why_3.input.shape, "attributions", why_3.attributions.shape)

# %% [markdown]
# The command line draws the picture as the network saw it with the heatmap over it. The dog of
# lesson 05 goes in too: the network calls it a digit all the same, and the heatmap shows which of
# the prepared picture's blobs made it say so. `--method` picks another way to look: `saliency`
# (the gradient's size), `gradcam` (where in the last convolution's maps), `occlusion` (cover a
# patch, see the answer drop).

# %%
lt.draw_dog(FILES / "dog.png")
lt.run(f"explain {FILES / 'mnist'} {own / '3.png'} {FILES / 'dog.png'} --out {FILES / 'why'}")
lt.show(FILES / "why" / "3.png", width=420)
lt.show(FILES / "why" / "dog.png", width=420)

# %% [markdown]
# ### Exercise 4 — blank what mattered
#
# If the heatmap is right, blanking the pixels it marks should hurt the answer most. Complete
# `blank_top` so that it returns a copy of `e.input` with the 10% of pixels whose attributions are
# largest set to 0 (black). The check runs the network on your picture.

# %%
def blank_top(e, fraction: float = 0.1) -> np.ndarray:
    return ...  # your code


# %%
def check_exercise_4(fn):
    result = fn(why_3)
    if not lt.answered(result, "the blanked picture"):
        return
    result = np.asarray(result, np.float32)
    k = round(0.1 * why_3.attributions.size)
    right = why_3.input.copy().ravel()
    right[np.argsort(why_3.attributions.ravel())[-k:]] = 0
    if result.shape != why_3.input.shape or not np.allclose(result.ravel(), right):
        return lt.check(False, "", f"keep the shape {why_3.input.shape} and set the {k} pixels with the largest attributions to 0")
    k_class = model.class_names.index(why_3.label)
    after = model.probabilities(np.round(result * 255).astype(np.uint8)[None])[0, k_class]
    return lt.check(True, f"'{why_3.label}' falls from {why_3.probability:.1%} to {after:.1%} once those {k} pixels are black", "")


check_exercise_4(blank_top)

# %% tags=["solution"] jupyter={"source_hidden": true}
def blank_top(e, fraction: float = 0.1) -> np.ndarray:
    k = round(fraction * e.attributions.size)
    blanked = e.input.copy().ravel()
    blanked[np.argsort(e.attributions.ravel())[-k:]] = 0
    return blanked.reshape(e.input.shape)


check_exercise_4(blank_top)

# %% [markdown]
# ## Key points
#
# - Convolution and pooling layers turn a picture into maps of features; dense layers classify them.
# - Three epochs of the lesson's CNN reach 99% on MNIST's test digits, on a laptop CPU.
# - A network only knows what it was shown: own pictures must be prepared like the training data, or
#   the training data must be augmented to cover them (here, inverted copies).
# - Feature maps show what each kernel responds to in a picture; integrated gradients show which
#   pixels made the answer, and blanking those pixels hurts it most.
