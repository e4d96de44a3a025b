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
# # Lesson 03 — Kernel convolution
#
# The iris network needed someone with a ruler. Pictures need no one: a camera turns the world into a
# grid of numbers, one per pixel. The idea at the heart of image networks is **kernel convolution**:
# slide a small grid of weights, the *kernel*, over the picture, and at every position multiply the
# pixels under it by the weights and add them up. In this notebook you
#
# 1. apply a kernel to a picture,
# 2. work out the first pixels of the result in numbers,
# 3. decide what happens at the picture's edges,
# 4. see sharpening, blurring and edge detection before and after,
# 5. and look at the kernels a trained network found for itself.

# %%
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from PIL import Image

import lesson_tools as lt
import neuroflow as nf

FILES = lt.start(3, "kernel convolution")

# %% [markdown]
# ## A picture is a grid of numbers
#
# A photo that ships with scikit-learn, turned grey: each pixel is a brightness from 0 (black) to
# 255 (white).

# %%
from importlib.util import find_spec

# scikit-learn ships two sample photos; reading the file directly spares importing all of scikit-learn.
china = Path(find_spec("sklearn").origin).parent / "datasets" / "images" / "china.jpg"
photo = Image.open(china).convert("L")
photo = photo.resize((photo.width // 2, photo.height // 2))
photo.save(FILES / "photo.png")
pixels = np.asarray(photo)
print(f"{pixels.shape[1]} x {pixels.shape[0]} pixels; the top-left corner in numbers:")
print(pixels[:5, :5])
plt.imshow(pixels, cmap="gray")
plt.axis("off")
plt.show()

# %% [markdown]
# To work by hand we take a tiny picture of 5 × 5 pixels:

# %%
small = np.array([
    [105, 102, 100, 97, 96],
    [103, 99, 103, 101, 102],
    [101, 98, 104, 102, 100],
    [99, 101, 106, 104, 99],
    [104, 104, 104, 100, 98],
], dtype=np.uint8)
Image.fromarray(small).save(FILES / "small.png")
small = small.astype(int)
print(small)

# %% [markdown]
# ## The kernel and the first pixel
#
# The **sharpen** kernel takes five times a pixel and subtracts its four neighbours: where a pixel
# differs from its surroundings, the difference grows.
#
# Lay the kernel's centre on the pixel at column x = 1, row y = 1 (counting from 0): its 3 × 3
# neighbourhood is the top-left corner of the picture. Multiply each pixel by the weight on top of it
# and add up the nine products:

# %%
kernel = np.array([[0, -1, 0], [-1, 5, -1], [0, -1, 0]])
first = small[0:3, 0:3]
print("neighbourhood:\n", first, "\nproducts:\n", first * kernel)
first_value = int((first * kernel).sum())
print("sum:", first_value)

# %% [markdown]
# Then slide one pixel to the right, to x = 2, y = 1, and do it again:

# %%
second = small[0:3, 1:4]
second_value = int((second * kernel).sum())
print("neighbourhood:\n", second, "\nproducts:\n", second * kernel, "\nsum:", second_value)

# %% [markdown]
# `neuroflow convolve --explain X,Y` shows the same arithmetic for any pixel of any picture, so you
# can check your own:

# %%
lt.run(f"convolve {FILES / 'small.png'} --kernel sharpen --explain 1,1")
explained = [lt.run_json(f"convolve {FILES / 'small.png'} --kernel sharpen --explain {x},1")["explain"][0]["result"] for x in (1, 2)]
print("neuroflow:", explained, " by hand:", [first_value, second_value])
assert explained == [first_value, second_value]

# %% [markdown]
# ### Exercise 1 — the third pixel
#
# Slide once more, to x = 3, y = 1. What value does the sharpened picture have there?

# %%
exercise_1 = ...  # your answer, a whole number

# %%
def check_exercise_1(answer):
    if not lt.answered(answer, "the value at x = 3, y = 1"):
        return
    right = lt.run_json(f"convolve {FILES / 'small.png'} --kernel sharpen --explain 3,1")["explain"][0]["result"]
    return lt.check(answer == right, f"5 × 101 − 97 − 103 − 102 − 102 = {right}",
                    f"{answer} is not it; the neighbourhood is rows 0–2, columns 2–4")


check_exercise_1(exercise_1)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_1 = int((small[0:3, 2:5] * kernel).sum())
check_exercise_1(exercise_1)

# %% [markdown]
# Doing this at every pixel gives the whole filtered picture:

# %%
lt.run(f"convolve {FILES / 'small.png'} --kernel sharpen --grid")

# %% [markdown]
# ## What happens at the edges?
#
# At the pixel x = 0, y = 0 the kernel hangs over the edge: there are no pixels above or to the
# left. Either we invent them, by padding the picture with a border, or we skip the pixels where the
# kernel does not fit, and the result shrinks. Each padding mode invents the border differently; here
# is the top-left corner of the padded picture for each, made with numpy (whose names for the modes
# differ, as listed):

# %%
numpy_name = {"reflect": "symmetric", "mirror": "reflect", "nearest": "edge", "wrap": "wrap", "constant": "constant"}
corners = {}
for mode, np_mode in numpy_name.items():
    padded = np.pad(small, 1, mode=np_mode)
    corners[mode] = int((padded[0:3, 0:3] * kernel).sum())
    print(f"{mode:9s} (numpy {np_mode!r:11s}) under the kernel: {padded[0:3, 0:3].tolist()} -> {corners[mode]}")

# %% [markdown]
# neuroflow's `--mode` takes the same names, plus `valid`, which pads nothing:

# %%
for mode in [*numpy_name, "valid"]:
    after = lt.run_json(f"convolve {FILES / 'small.png'} --kernel sharpen --mode {mode} --grid")["grid"][0]["after"]
    after = [[v for v in row if v is not None] for row in after if any(v is not None for v in row)]  # valid: only what is left
    note = "" if mode == "valid" else f"  (by hand {max(0, min(255, corners[mode]))}, clipped to 0..255)"
    print(f"{mode:9s} {len(after)}x{len(after[0])} result, first row {after[0]}{note}")
    if mode != "valid":
        assert after[0][0] == max(0, min(255, corners[mode]))

# %% [markdown]
# `constant` pads with zeros: black beyond the edge makes the edge pixels much brighter after
# sharpening (clipped at 255) — a bright frame that was never in the picture. `reflect`, `mirror` and
# `nearest` repeat what is near the edge, which is usually the least surprising. `valid` gives a
# smaller picture: 3 × 3 from 5 × 5.
#
# ### Exercise 2 — the corner with `nearest`
#
# With `nearest`, every pixel beyond the edge copies the closest edge pixel. Work out the sharpened
# value at x = 0, y = 0 by hand.

# %%
exercise_2 = ...  # your answer, a whole number

# %%
def check_exercise_2(answer):
    if not lt.answered(answer, "the corner value"):
        return
    right = lt.run_json(f"convolve {FILES / 'small.png'} --kernel sharpen --mode nearest --explain 0,0")["explain"][0]["result"]
    return lt.check(answer == right, f"5 × 105 − 105 (above, copied) − 105 (left, copied) − 102 − 103 = {right}",
                    f"{answer} is not it; the missing neighbours above and to the left are copies of 105")


check_exercise_2(exercise_2)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_2 = 5 * 105 - 105 - 105 - 102 - 103
check_exercise_2(exercise_2)

# %% [markdown]
# ## Before and after
#
# The same sliding arithmetic with other weights does very different things: **sharpen** (above),
# **blur** (a weighted average of the neighbourhood) and **edge detection** (Sobel: the difference
# between one side and the other, bright where the brightness changes).

# %%
for name, options in [("sharpen", ""), ("gaussian-blur", "--size 7"), ("sobel", "--gray")]:
    lt.run(f"convolve {FILES / 'photo.png'} --kernel {name} {options} --compare {FILES / (name + '.png')}")
    lt.show(FILES / f"{name}.png", width=700)

# %% [markdown]
# ### Exercise 3 — make your own edge detector
#
# Write a 3 × 3 kernel that responds to **vertical** edges (dark on the left, light on the right, or
# the other way round) and gives 0 on flat areas and on horizontal edges. The check runs it on two
# test pictures.

# %%
exercise_3 = [
    [..., ..., ...],
    [..., ..., ...],
    [..., ..., ...],
]

# %%
def check_exercise_3(answer):
    from scipy import ndimage

    if not lt.answered([v for row in answer for v in row], "nine weights"):
        return
    k = np.array(answer, dtype=float)
    if k.shape != (3, 3):
        return lt.check(False, "", f"the kernel is {k.shape[0]} × {k.shape[1]}; give three rows of three")
    vertical = np.tile(np.r_[np.full(8, 50.0), np.full(8, 200.0)], (16, 1))
    on_vertical = ndimage.correlate(vertical, k, mode="nearest")
    on_horizontal = ndimage.correlate(vertical.T, k, mode="nearest")
    strong = np.abs(on_vertical[:, 7:9]).min() >= 100
    flat = np.abs(on_vertical[:, :5]).max() < 1e-6 and np.abs(on_vertical[:, 11:]).max() < 1e-6
    blind = np.abs(on_horizontal).max() < 1e-6
    hint = ("it does not respond strongly to the vertical edge" if not strong else
            "it is not 0 on flat areas: the weights must add up to 0" if not flat else
            "it also responds to horizontal edges: make each row's pattern the same")
    return lt.check(strong and flat and blind, "your kernel finds vertical edges only; sobel-x and prewitt-x are two such kernels", hint)


check_exercise_3(exercise_3)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_3 = [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]]  # sobel-x
check_exercise_3(exercise_3)

# %% [markdown]
# ## Kernels a network learns
#
# People designed the kernels above. A **convolutional neural network** (CNN) treats each kernel
# weight as one more weight to learn: back-propagation finds kernels that help it tell digits apart.
# Train the CNN of lesson 04 on MNIST's handwritten digits (briefly: the first kernels settle early)
# and look at the 16 kernels of 5 × 5 weights its first layer learned.

# %%
digits = nf.load_dataset("mnist")
if lt.FAST:
    digits = lt.subset(digits, 1000, 200, 200)
cnn = nf.train(digits, model="mnist-cnn", epochs=lt.pick(1, 1), out=FILES / "mnist-cnn", post_fit=False)

# %%
learned = lt.run_json(f"filters {FILES / 'mnist-cnn'} --out {FILES / 'filters'}")
lt.show(FILES / "filters" / "kernels.png", width=700)

# %% [markdown]
# Next to the hand-made kernels (bright: positive weight, dark: negative). Learned kernels are
# rarely as tidy, but some are edge or blob detectors too; where one is alike a hand-made kernel
# (cosine similarity of the weights 0.8 or more), its title names it. A minus sign means the same
# pattern with the opposite sign.

# %%
hand_made = {  # as `neuroflow convolve --list` prints them
    "sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "gaussian-blur": np.array([[1, 2, 1], [2, 4, 2], [1, 2, 1]]) / 16,
    "laplacian": [[0, -1, 0], [-1, 4, -1], [0, -1, 0]],
    "sobel-x": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "sobel-y": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
}
learned_kernels = [np.loadtxt(k["files"][0], delimiter=",", ndmin=2) for k in learned["kernels"]]
fig, axes = plt.subplots(3, 8, figsize=(14, 6))
for ax in axes.ravel():
    ax.axis("off")
for ax, (name, weights) in zip(axes[0], hand_made.items(), strict=False):
    ax.imshow(weights, cmap="gray")
    ax.set_title(name, fontsize=9)
for ax, (info, weights) in zip(axes[1:].ravel(), zip(learned["kernels"], learned_kernels, strict=True), strict=False):
    ax.imshow(weights, cmap="gray")
    alike = info.get("cosine", 0) >= 0.8  # as `neuroflow filters` says "like hand-made kernels"
    ax.set_title(f"learned {info['index']}" + (f"\n~ {info['looks_like']} ({info['cosine']:.2f})" if alike else ""), fontsize=9)
fig.suptitle("Hand-made kernels (top row) and the kernels the CNN learned")
fig.savefig(FILES / "hand_made_and_learned.png")
plt.show()

# %% [markdown]
# A learned kernel is a kernel like any other: apply the first one to the photo.

# %%
lt.run(f"convolve {FILES / 'photo.png'} --kernel {learned['kernels'][0]['files'][0]} --rescale --compare {FILES / 'learned_01.png'}")
lt.show(FILES / "learned_01.png", width=700)

# %% [markdown]
# A misspelt kernel name is told in one line, with the names that exist:

# %%
with lt.nf_says():
    lt.run(f"convolve {FILES / 'photo.png'} --kernel sharpness --out {FILES / 'x.png'}")

# %% [markdown]
# ## Key points
#
# - A kernel is a small grid of weights; convolution lays it on every pixel, multiplies and adds.
# - Edges need a rule: pad (reflect, mirror, nearest, wrap, constant) or shrink (valid).
# - Different weights sharpen, blur or find edges.
# - A CNN learns its kernels' weights by back-propagation, like any other weight.
