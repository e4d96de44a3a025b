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
# # Lesson 01 — What deep learning is
#
# In this notebook you will
#
# - work out what **one artificial neuron** computes, on paper and with neuroflow,
# - draw the **activation functions** a neuron can use,
# - see how neurons stacked in **layers** make a deep network,
# - decide which problems deep learning **suits** (and which it does not),
# - walk through the **ten steps** of a deep-learning project, each with the neuroflow function or command that does it,
# - and check that everything you need is **installed**.
#
# Run the cells from top to bottom (Shift+Enter). Cells marked **Exercise** wait for your answer;
# the cell after each one tells you whether it is right. A solution sits in a collapsed cell below
# it: open it only when you are stuck.

# %%
import matplotlib.pyplot as plt
import numpy as np

import lesson_tools as lt
import neuroflow as nf

FILES = lt.start(1, "what deep learning is")

# %% [markdown]
# ## Learning from examples
#
# A program normally follows rules that a person wrote down. **Machine learning** turns this round:
# the computer is shown many examples — pictures with what is on them, measurements with the answer
# that goes with them — and adjusts numbers inside a model until its answers match. Machine learning
# is one corner of **artificial intelligence**, the wider effort to have computers do things we
# would call intelligent.
#
# **Neural networks** are one family of machine-learning models, and **deep learning** means neural
# networks with many layers. Their building block is small enough to compute by hand, so let's do that.
#
# ## One neuron
#
# A neuron receives a few numbers (its *inputs*). It multiplies each by a *weight*, adds the
# products up, adds one more number (its *bias*), and passes the total through an *activation
# function*. The popular **ReLU** activation keeps positive totals and turns negative ones into 0:
# `relu(z) = max(z, 0)`.
#
# Take inputs **x = (0, 0.5, 1)**, weights **w = (−1, −0.5, 0.5)**, bias **b = 1**, and ReLU.

# %%
x = [0, 0.5, 1]
w = [-1, -0.5, 0.5]
b = 1

products = [xi * wi for xi, wi in zip(x, w, strict=True)]
weighted_sum = sum(products)
total = weighted_sum + b
by_hand = max(total, 0)
print("products:     ", products)
print("weighted sum: ", weighted_sum)
print("plus the bias:", total)
print("after ReLU:   ", by_hand)

# %% [markdown]
# neuroflow does the same arithmetic and keeps every intermediate number, so you can compare it with
# yours line by line. (`neuroflow neuron --inputs 0 0.5 1 --weights -1 -0.5 0.5 --bias 1` prints the
# same in a terminal.)

# %%
neuron = nf.neuron_output(x, w, bias=b, activation="relu")
print("\n".join(neuron.steps()))
assert neuron.output == by_hand == 1.25

# %% [markdown]
# Bad input gets one line that says what is wrong and how to fix it — here one weight is missing:

# %%
with lt.nf_says():
    nf.neuron_output([0, 0.5, 1], [-1, -0.5], bias=1)

# %% [markdown]
# ### Exercise 1 — a neuron of your own
#
# Inputs **(1, 2, −1)**, weights **(0.5, −0.25, 1)**, bias **0.5**, ReLU. What does the neuron output?
# Work it out on paper first, then type the number in place of `...`.

# %%
exercise_1 = ...  # your answer, a number

# %%
def check_exercise_1(answer):
    if not lt.answered(answer, "the neuron's output"):
        return
    right = nf.neuron_output([1, 2, -1], [0.5, -0.25, 1], bias=0.5, activation="relu").output
    return lt.check(
        lt.close(answer, right),
        f"the weighted sum is -1, plus the bias -0.5, and ReLU turns that into {right:g}",
        f"{answer} is not it; write out the three products, add them and the bias, then apply max(z, 0)",
    )


check_exercise_1(exercise_1)

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution: 1*0.5 + 2*(-0.25) + (-1)*1 = -1; plus the bias 0.5 gives -0.5; max(-0.5, 0) = 0.
exercise_1 = 0
check_exercise_1(exercise_1)

# %% [markdown]
# ## Activation functions
#
# ReLU is one choice of many. The activation is what lets a network bend: without one, any stack of
# layers would still only compute a weighted sum of its inputs. Here are the activations neuroflow
# knows, each computed by `nf.neuron_output` for a single input with weight 1 and bias 0, so the
# output is the activation of `z` itself.

# %%
z = np.linspace(-4, 4, 161)
names = ["relu", "sigmoid", "tanh", "step", "linear"]
fig, axes = plt.subplots(1, len(names), figsize=(15, 3), sharey=True)
for ax, name in zip(axes, names, strict=True):
    ax.plot(z, [nf.neuron_output([v], [1.0], bias=0.0, activation=name).output for v in z])
    ax.set_title(name)
    ax.axhline(0, color="grey", lw=0.5)
    ax.axvline(0, color="grey", lw=0.5)
    ax.set_xlabel("z (weighted sum + bias)")
axes[0].set_ylabel("neuron output")
axes[0].set_ylim(-1.5, 4)
fig.tight_layout()
fig.savefig(FILES / "activations.png")
plt.show()

# %% [markdown]
# ## From one neuron to a deep network
#
# Neurons are arranged in **layers**. Every neuron of a *dense* layer takes all the outputs of the
# layer before it, so a layer of 10 neurons over 4 inputs holds 4 × 10 weights and 10 biases. Data
# enters at the input layer, flows through the *hidden* layers and leaves at the output layer, one
# neuron per answer the network can give. A network with many hidden layers is a **deep** network.
#
# The network of lesson 02 takes 4 measurements of a flower and says which of 3 species it is, with
# two hidden layers of 10 neurons each:

# %%
sizes = [4, 10, 10, 3]
fig, ax = plt.subplots(figsize=(7, 4))
for layer, (n, nxt) in enumerate(zip(sizes, sizes[1:] + [0], strict=True)):
    ys = np.linspace(-1, 1, n) * n / 10
    if nxt:
        ys_next = np.linspace(-1, 1, nxt) * nxt / 10
        for y0 in ys:
            for y1 in ys_next:
                ax.plot([layer, layer + 1], [y0, y1], color="lightgrey", lw=0.6, zorder=1)
    ax.scatter([layer] * n, ys, s=140, zorder=2, color=["tab:green", "tab:blue", "tab:blue", "tab:orange"][layer])
ax.set_xticks(range(4), ["input\n4 measurements", "hidden\n10 neurons", "hidden\n10 neurons", "output\n3 species"])
ax.set_yticks([])
ax.set_frame_on(False)
fig.savefig(FILES / "network.png")
plt.show()

# %% [markdown]
# ### Exercise 2 — how many numbers does this network learn?
#
# Count every weight and every bias of the 4 → 10 → 10 → 3 network above.

# %%
exercise_2 = ...  # your answer, a whole number

# %% [markdown]
# The check builds the network with neuroflow (one short epoch of training on the iris flowers,
# only to have it) and counts its parameters.

# %%
iris = nf.load_dataset("iris")
iris_net = nf.train(iris, model="iris-mlp", epochs=1, progress="quiet", post_fit=False)
print(iris_net.summary())


def check_exercise_2(answer):
    if not lt.answered(answer, "the number of weights and biases"):
        return
    right = sum(p.numel() for p in iris_net.network.parameters())
    return lt.check(
        answer == right,
        f"{right} numbers: (4×10 + 10) + (10×10 + 10) + (10×3 + 3)",
        f"{answer} is not it; each layer has (inputs × neurons) weights plus one bias per neuron",
    )


check_exercise_2(exercise_2)

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution: 4*10 + 10 = 50, 10*10 + 10 = 110, 10*3 + 3 = 33; 50 + 110 + 33 = 193.
exercise_2 = 193
check_exercise_2(exercise_2)

# %% [markdown]
# Real deep networks have tens or hundreds of layers and millions of these numbers. That is why they
# need many examples to learn from — and why, until computers became fast enough around 2010, networks
# stayed small.
#
# ## Which problems suit deep learning?
#
# Deep learning shines where the rules are hard to write down but examples are plentiful: recognising
# what is in a picture, transcribing speech, translating text. It is the wrong tool when a simple
# formula does the job, when there are only a handful of examples, or when the question is about
# something the training data never showed.
#
# ### Exercise 3 — would you use deep learning?
#
# For each task, choose one of:
# `"suits"` (a good deep-learning problem), `"wasteful"` (possible, but a simple method does it with a
# fraction of the computing), `"too little data"`, or `"never seen"` (the network is asked about
# something it was not trained on).
#
# 1. Recognising whether or not a picture contains a bird.
# 2. Calculating the median and interquartile range of a dataset.
# 3. Spotting a rare disease in MRI scans when only two example scans exist.
# 4. Finding people in photos with a network trained only on cats and dogs.
# 5. Translating English into French.

# %%
exercise_3 = {1: ..., 2: ..., 3: ..., 4: ..., 5: ...}

# %%
def check_exercise_3(answer):
    if not lt.answered(answer, "one of the four choices for each task"):
        return
    right = {1: "suits", 2: "wasteful", 3: "too little data", 4: "never seen", 5: "suits"}
    why = {1: "plenty of labelled pictures exist", 2: "two lines of arithmetic give the exact answer",
           3: "two examples cannot teach millions of weights", 4: "it only knows cats and dogs, so people become one of them",
           5: "huge collections of translated text exist"}
    wrong = [k for k in right if str(answer.get(k, "")).strip().lower() != right[k]]
    if wrong:
        return lt.check(False, "", f"look again at task{'s' * (len(wrong) > 1)} {', '.join(map(str, wrong))}")
    return lt.check(True, "; ".join(f"{k}: {right[k]} ({why[k]})" for k in right), "")


check_exercise_3(exercise_3)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_3 = {1: "suits", 2: "wasteful", 3: "too little data", 4: "never seen", 5: "suits"}
check_exercise_3(exercise_3)

# %% [markdown]
# ## The ten steps of a deep-learning project
#
# Every project in these lessons follows the same ten steps. neuroflow has one function and one
# command for each, so you always know where you are:
#
# | step | what you do | in Python | on the command line |
# |---|---|---|---|
# | 1 | say what the network should tell you | — | `neuroflow inspect DATA` |
# | 2 | decide the inputs and outputs | `ds.describe()` | `neuroflow inspect DATA` |
# | 3 | prepare the data: numbers, scaled, split | `nf.load_dataset(...)` | `neuroflow data ...`, `neuroflow augment preview` |
# | 4 | take a trained model or build one | `nf.train(..., model="iris-mlp")`, `parent=` | `neuroflow models`, `--model`, `--from` |
# | 5 | choose a loss and an optimizer | a recipe or spec (`optimizer`, `lr`) | `--optimizer`, `--lr` |
# | 6 | train, watching the loss curve | `nf.train(...)` | `neuroflow train` |
# | 7 | predict | `nf.predict(model, inputs)` | `neuroflow predict` |
# | 8 | measure how well it does on held-back data | `nf.evaluate(model)` | `neuroflow evaluate` |
# | 9 | tune the settings | `nf.tune(...)` | `neuroflow tune` |
# | 10 | share the model | `model.save(...)`, `nf.load(...)` | `neuroflow bundle`, `neuroflow export` |
#
# Steps 1 and 2 for the iris flowers of lesson 02, by neuroflow:

# %%
lt.run("inspect iris")

# %% [markdown]
# ### Exercise 4 — which command?
#
# Name the `neuroflow` command (one word) that does each step.

# %%
exercise_4 = {"train": ..., "measure performance": ..., "predict": ..., "tune": ..., "share as one file": ...}

# %%
def check_exercise_4(answer):
    if not lt.answered(answer, "a command name for each step"):
        return
    right = {"train": "train", "measure performance": "evaluate", "predict": "predict", "tune": "tune", "share as one file": "bundle"}
    wrong = [k for k in right if str(answer.get(k, "")).strip().lower().removeprefix("neuroflow ") != right[k]]
    if wrong:
        return lt.check(False, "", f"not {', '.join(repr(str(answer.get(k))) for k in wrong)} for {', '.join(wrong)}; `neuroflow --help` lists the commands")
    return lt.check(True, ", ".join(f"{k}: neuroflow {v}" for k, v in right.items()), "")


check_exercise_4(exercise_4)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_4 = {"train": "train", "measure performance": "evaluate", "predict": "predict", "tune": "tune", "share as one file": "bundle"}
check_exercise_4(exercise_4)

# %% [markdown]
# ## Is everything installed?
#
# `neuroflow doctor` checks each library neuroflow needs, the number of CPU cores it may use, and the
# folders it writes to. Every line should start with `ok`.

# %%
report = lt.output("doctor")
print(report)
lt.check("Everything needed is installed" in report, "neuroflow and everything it needs work on this computer",
         "a line above names what is missing and how to install it")

# %% [markdown]
# The versions this notebook runs with:

# %%
from importlib.metadata import version

for name in ["neuroflow", "torch", "scikit-learn", "matplotlib", "numpy", "Pillow"]:
    print(f"{name:13s} {version(name)}")

# %% [markdown]
# ## Key points
#
# - A neuron multiplies its inputs by weights, adds a bias, and applies an activation function.
# - Layers of neurons make a network; many layers make a deep network, with many numbers to learn.
# - Those numbers are learned from examples, so deep learning needs plenty of data like the data it
#   will be asked about.
# - Every project goes through the same ten steps, from stating the problem to sharing the model;
#   each is one neuroflow function and one command.
# - Test a model on data it never trained on, or you do not know how good it is.
