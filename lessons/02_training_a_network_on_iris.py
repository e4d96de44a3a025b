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
# # Lesson 02 — Training a network on the iris flowers
#
# 150 iris flowers were measured with a ruler: the length and width of their sepals and petals. Each
# belongs to one of three species. In this notebook you train the 4 → 10 → 10 → 3 network of
# lesson 01 to tell the species apart from the four measurements:
#
# 1. look at the data and how the species differ,
# 2. split it into training, validation and test flowers,
# 3. build the network and read its summary,
# 4. work out one step of **back-propagation** by hand and check it against PyTorch's autograd,
# 5. train it and watch the loss curve,
# 6. measure it on the test flowers with a confusion matrix,
# 7. and ask it about flowers it has never seen.

# %%
import copy

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import lesson_tools as lt
import neuroflow as nf

FILES = lt.start(2, "training a network on iris")

# %% [markdown]
# ## The data
#
# The measurements ship with scikit-learn, so they need no download. Computers learn from numbers, so
# each species name also has a number: 0 for *setosa*, 1 for *versicolor*, 2 for *virginica*.

# %%
from sklearn.datasets import load_iris

raw = load_iris(as_frame=True)
flowers = raw.frame.rename(columns=lambda c: c.replace(" (cm)", "").replace(" ", "_"))
flowers["species"] = raw.target_names[raw.target]
print(dict(enumerate(raw.target_names.tolist())))
flowers.sample(6, random_state=1)

# %% [markdown]
# A scatter-plot matrix puts every measurement against every other, one colour per species. Look for
# the panels where the colours separate: those measurements are what the network can learn from.

# %%
measures = ["sepal_length", "sepal_width", "petal_length", "petal_width"]
colours = {"setosa": "tab:blue", "versicolor": "tab:orange", "virginica": "tab:green"}
dot_colours = flowers["species"].map(colours)
fig, axes = plt.subplots(4, 4, figsize=(10, 10))
for i, row in enumerate(measures):
    for j, col in enumerate(measures):
        ax = axes[i, j]
        if i == j:  # a measurement against itself: its distribution per species
            ax.hist([flowers.loc[flowers["species"] == name, col] for name in colours], bins=12, color=list(colours.values()),
                    histtype="stepfilled", alpha=0.6, label=list(colours))
        else:
            ax.scatter(flowers[col], flowers[row], s=8, c=dot_colours)
        if i == 3:
            ax.set_xlabel(col)
        if j == 0:
            ax.set_ylabel(row)
axes[0, 0].legend(fontsize=8)
fig.suptitle("Iris measurements (cm), coloured by species")
fig.tight_layout()
fig.savefig(FILES / "scatter_matrix.png")
plt.show()

# %% [markdown]
# *Setosa* stands apart on the petal measurements; *versicolor* and *virginica* overlap a little, so
# expect the few mistakes there.
#
# ## The split
#
# A model must be judged on flowers it never trained on, or we only learn how well it memorises.
# `nf.load_dataset` splits the 150 flowers into **60% training**, **20% validation** (watched during
# training) and **20% test** (kept back until the end), with every species in the same proportion in
# each part. It also **standardises** each measurement: subtracts the training flowers' mean and
# divides by their standard deviation, so all four inputs have a similar range.

# %%
ds = nf.load_dataset("iris")
print(ds.describe())
for split in ("train", "val", "test"):
    x, y = ds.split(split)
    print(f"{split:5s} {len(y):3d} flowers, per species {np.bincount(y).tolist()}")
means = {c["name"]: c["mean"] for c in ds.preprocessing["columns"]}
stds = {c["name"]: c["std"] for c in ds.preprocessing["columns"]}
print("training means:", {k: round(v, 3) for k, v in means.items()})
print("training std:  ", {k: round(v, 3) for k, v in stds.items()})

# %% [markdown]
# ### Exercise 1 — standardise a measurement
#
# A flower has a sepal length of 7.0 cm. What number does the network receive for it? Use `means` and
# `stds` above (computed from the training flowers only).

# %%
exercise_1 = ...  # your answer, a number (two decimals are enough)

# %%
def check_exercise_1(answer):
    if not lt.answered(answer, "the standardised sepal length"):
        return
    right = (7.0 - means["sepal_length"]) / stds["sepal_length"]
    return lt.check(lt.close(answer, right, 0.01), f"(7.0 - {means['sepal_length']:.3f}) / {stds['sepal_length']:.3f} = {right:.3f}",
                    f"{answer} is not it; subtract the mean, then divide by the standard deviation")


check_exercise_1(exercise_1)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_1 = (7.0 - means["sepal_length"]) / stds["sepal_length"]
check_exercise_1(exercise_1)

# %% [markdown]
# ## The network
#
# The `iris-mlp` recipe is the network of lesson 01: 4 inputs, two hidden layers of 10 neurons with
# ReLU, and 3 outputs, one per species. The outputs go through **softmax**, which turns them into
# probabilities that add up to 1. The loss is the **cross-entropy**, `-log(probability of the right
# species)`: 0 when the network is sure and right, large when it is sure and wrong. The optimizer is
# **Adam**, a refined gradient descent.
#
# To have a network with its starting (random) weights to look at, train it for a single epoch:

# %%
start = nf.train(ds, model="iris-mlp", epochs=1, progress="quiet", post_fit=False)
print(start.summary())

# %% [markdown]
# ## Back-propagation, one weight by hand
#
# Training nudges every weight in the direction that lowers the loss. How far and which way comes
# from the **gradient**: how much the loss changes when that weight changes a little. Back-propagation
# computes it with the chain rule, from the output back towards the input.
#
# Take the first training flower and compute the network's answer by hand with numpy, layer by layer,
# from the weights neuroflow holds:

# %%
import torch

net = copy.deepcopy(start.network).eval()  # a copy: the model itself stays as it is
W1, b1, W2, b2, W3, b3 = (p.detach().numpy().astype(np.float64) for p in net.parameters())
x, t = ds.x_train[0].astype(np.float64), int(ds.y_train[0])


def relu(v):
    return np.maximum(v, 0)


h1 = relu(W1 @ x + b1)
h2 = relu(W2 @ h1 + b2)
z = W3 @ h2 + b3
p = np.exp(z - z.max()) / np.exp(z - z.max()).sum()
loss = -np.log(p[t])
print("flower:", np.round(x, 3), "species", ds.class_names[t])
print("outputs z:", np.round(z, 4), " softmax p:", np.round(p, 4), f" loss: {loss:.4f}")
print("PyTorch's z:", np.round(net(torch.tensor(x[None], dtype=torch.float32)).detach().numpy()[0], 4))

# %% [markdown]
# Now one weight of the output layer: `W3[k, j]` joins hidden neuron `j` to output `k`. The chain
# rule gives, for softmax with cross-entropy,
#
# $$\frac{\partial\,\text{loss}}{\partial W3_{kj}} = \frac{\partial\,\text{loss}}{\partial z_k}\cdot\frac{\partial z_k}{\partial W3_{kj}} = (p_k - [k = t])\cdot h2_j$$
#
# where `[k = t]` is 1 for the right species and 0 otherwise. Take `k` the right species and `j` the
# most active hidden neuron:

# %%
k, j = t, int(np.argmax(h2))
grad_by_hand = (p[k] - 1.0) * h2[j]
print(f"dloss/dW3[{k},{j}] = (p[{k}] - 1) * h2[{j}] = ({p[k]:.4f} - 1) * {h2[j]:.4f} = {grad_by_hand:.6f}")

# %% [markdown]
# PyTorch's **autograd** does the same chain rule for every weight at once. It must agree:

# %%
net.zero_grad()
logits = net(torch.tensor(x[None], dtype=torch.float32))
torch_loss = torch.nn.functional.cross_entropy(logits, torch.tensor([t]))
torch_loss.backward()
last = list(net.parameters())[-2]  # the output layer's weights, W3
grad_autograd = float(last.grad[k, j])
print(f"autograd: {grad_autograd:.6f}   by hand: {grad_by_hand:.6f}")
assert abs(grad_autograd - grad_by_hand) < 1e-5

# %% [markdown]
# One step of gradient descent moves the weight against its gradient, scaled by the **learning rate**
# `lr`. The gradient is negative (more of this weight raises the right species' output), so the weight
# grows, and the loss for this flower drops:

# %%
lr = 0.5
W3_after = W3.copy()
W3_after[k, j] -= lr * grad_by_hand
z_after = W3_after @ h2 + b3
p_after = np.exp(z_after - z_after.max()) / np.exp(z_after - z_after.max()).sum()
print(f"W3[{k},{j}]: {W3[k, j]:.4f} -> {W3_after[k, j]:.4f};  loss {loss:.4f} -> {-np.log(p_after[t]):.4f}")

# %% [markdown]
# ### Exercise 2 — another weight
#
# Work out the gradient of the loss for `W3[k2, j]`, the weight from the same hidden neuron `j` to
# a **wrong** species `k2` (below). Use `p` and `h2` from the cells above.

# %%
k2 = (t + 1) % 3
print(f"k2 = {k2} ({ds.class_names[k2]}), j = {j}")
exercise_2 = ...  # your answer, a number

# %%
def check_exercise_2(answer):
    if not lt.answered(answer, "the gradient"):
        return
    right = float(last.grad[k2, j])
    return lt.check(lt.close(answer, right, 1e-4), f"(p[{k2}] - 0) * h2[{j}] = {right:.6f}, as autograd says: positive, so this weight shrinks",
                    f"{answer} is not it; for a wrong species [k = t] is 0")


check_exercise_2(exercise_2)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_2 = (p[k2] - 0.0) * h2[j]
check_exercise_2(exercise_2)

# %% [markdown]
# ## Training
#
# Training repeats that step for every weight, over small batches of training flowers, for many
# **epochs** (an epoch is one pass through all training flowers). The loss should fall; the
# validation loss tells us whether what the network learns also holds for flowers it does not train on.
# `out=` saves the model folder, with its loss curve.

# %%
model = nf.train(ds, model="iris-mlp", epochs=lt.pick(60, 60), out=FILES / "iris-model")

# %%
history = pd.DataFrame(model.history)
fig, ax = plt.subplots(figsize=(7, 4))
ax.plot(history["epoch"], history["loss"], label="training loss")
ax.plot(history["epoch"], history["val_loss"], label="validation loss")
ax.set_xlabel("epoch")
ax.set_ylabel("cross-entropy loss")
ax.legend()
ax.set_title("Loss curve")
plt.show()
print("neuroflow also drew it when it saved the model:")
lt.show(FILES / "iris-model" / "loss_curve.png", width=500)

# %% [markdown]
# ## How good is it?
#
# Now, and only now, the 30 test flowers. The **confusion matrix** counts, for each true species
# (rows), what the network said (columns): right answers sit on the diagonal.

# %%
report = nf.evaluate(model, ds, out=FILES / "evaluation")
print(f"test accuracy {report['accuracy']:.3f}")
matrix = np.array(report["confusion_matrix"])
print(pd.DataFrame(matrix, index=[f"true {n}" for n in ds.class_names], columns=[f"said {n}" for n in ds.class_names]))
lt.show(report["confusion_matrix_png"], width=420)

# %% [markdown]
# ### Exercise 3 — read the confusion matrix
#
# How many of the test flowers did the network get wrong? Compute it from `matrix`.

# %%
exercise_3 = ...  # your answer, a whole number (or an expression using `matrix`)

# %%
def check_exercise_3(answer):
    if not lt.answered(answer, "the number of mistakes"):
        return
    right = int(matrix.sum() - np.trace(matrix))
    return lt.check(answer == right, f"{right} mistake(s): everything off the diagonal", f"{answer} is not it; add up the cells off the diagonal")


check_exercise_3(exercise_3)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_3 = int(matrix.sum() - np.trace(matrix))
check_exercise_3(exercise_3)

# %% [markdown]
# ## New flowers
#
# Three flowers the network has never seen, with the species a botanist gave them. The species
# column is not used for the prediction; it only lets us mark each answer right (✓) or wrong (✗).

# %%
new_flowers = pd.DataFrame(
    [[5.1, 3.3, 1.7, 0.5, "setosa"], [5.9, 3.0, 4.2, 1.5, "versicolor"], [6.9, 3.1, 5.4, 2.1, "virginica"]],
    columns=[*measures, "species"],
)
for p_ in nf.predict(model, new_flowers):
    print(f"{'✓' if p_.correct else '✗'} Prediction is '{p_.label}' ({p_.probability:.1%}), expected '{p_.truth}'")

# %% [markdown]
# The same from a terminal, with the flowers in a CSV file:

# %%
new_flowers.to_csv(FILES / "new_flowers.csv", index=False)
lt.run(f"predict {FILES / 'iris-model'} {FILES / 'new_flowers.csv'}")

# %% [markdown]
# A row that lacks a measurement the network needs gets one line that says which:

# %%
with lt.nf_says():
    nf.predict(model, [{"sepal_length": 5.0, "sepal_width": 3.0}])

# %% [markdown]
# ### Exercise 4 — invent a *virginica*
#
# Write down measurements (sepal length, sepal width, petal length, petal width, in cm) of a flower
# that the trained network calls *virginica* with at least 90% probability. The scatter-plot matrix
# shows where *virginica* lies.

# %%
exercise_4 = [..., ..., ..., ...]

# %%
def check_exercise_4(answer):
    if not lt.answered(answer, "four measurements"):
        return
    with lt.nf_says() as said:
        guess = nf.predict(model, [list(answer)])[0]
    if said.line:
        return lt.check(False, "", "give four numbers")
    return lt.check(guess.label == "virginica" and guess.probability >= 0.9,
                    f"the network says {guess.label} ({guess.probability:.1%})",
                    f"the network says {guess.label} ({guess.probability:.1%}); virginica has the longest, widest petals")


check_exercise_4(exercise_4)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_4 = [7.2, 3.0, 6.1, 2.3]
check_exercise_4(exercise_4)

# %% [markdown]
# ## Which measurements matter
#
# A network's answer comes from its inputs, but not from all of them equally. Two ways to ask which
# measurements it leans on:
#
# - **for one flower**, `nf.explain` shares the network's answer out over the four measurements
#   (integrated gradients: how much each one moved the answer's logit away from an average flower);
# - **for the whole test split**, `nf.importances` shuffles one column at a time and measures how
#   much the accuracy drops (*permutation importance*): a column the network ignores costs nothing
#   when shuffled.

# %%
(why,) = nf.explain(model, new_flowers.head(1))
print(f"{why.name}: '{why.label}' ({why.probability:.1%}); completeness gap {why.completeness_gap:.2%}")
for column, share in why.columns.items():
    print(f"  {column:<13} {share:+.3f}")
found = nf.importances(model)
print(f"\nPermutation importance on the {found['data']}:")
for column, drop in found["importances"].items():
    print(f"  {column:<13} accuracy drops by {drop:.3f} when shuffled")

# %% [markdown]
# The attributions of one flower add up to how far its logit lies from the average flower's (the
# completeness gap says how closely). The same from a terminal, with a bar chart per flower:

# %%
lt.run(f"explain {FILES / 'iris-model'} {FILES / 'new_flowers.csv'} --out {FILES / 'why'}")
lt.show(FILES / "why" / "row_3.png", width=420)

# %% [markdown]
# ### Exercise 5 — the measurement that matters most
#
# Read the permutation importances above: which column does the network need most on the test
# split? Give its name in quotes, as printed.

# %%
exercise_5 = ...  # a column name, in quotes

# %%
def check_exercise_5(answer):
    if not lt.answered(answer, "a column name"):
        return
    ranked = list(found["importances"])
    return lt.check(str(answer).strip() == ranked[0],
                    f"{ranked[0]}: shuffling it costs {found['importances'][ranked[0]]:.0%} of the accuracy",
                    f"{answer} is not the top one; the list is sorted, largest drop first")


check_exercise_5(exercise_5)

# %% tags=["solution"] jupyter={"source_hidden": true}
exercise_5 = list(found["importances"])[0]
check_exercise_5(exercise_5)

# %% [markdown]
# ## Key points
#
# - Keep test data apart from training data; the validation split watches training without spoiling the test.
# - Inputs are standardised with numbers fitted on the training split only; they travel with the model.
# - Back-propagation is the chain rule: for the output layer, `(p_k − [k = t]) · h_j`; autograd does it for every weight.
# - The loss curve shows learning; the confusion matrix shows which classes are mixed up.
# - `nf.explain` shares one answer out over the inputs; `nf.importances` shows which columns the network needs overall.
