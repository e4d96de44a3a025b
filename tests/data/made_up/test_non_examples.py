"""neuroflow.data.made_up.non_examples: synthetic non-examples from a batch, and the loss that
pushes the model's output towards uniform on them."""

import math

import torch

from neuroflow.data.made_up.non_examples import make_non_examples, scribbles, uniform_loss


def test_non_examples_are_seeded_images_in_range_and_in_the_batchs_memory_format():
    x = torch.rand(8, 1, 28, 28).contiguous(memory_format=torch.channels_last)
    out = make_non_examples(x, 12, torch.Generator().manual_seed(0))
    again = make_non_examples(x, 12, torch.Generator().manual_seed(0))
    assert out.shape == (12, 1, 28, 28) and torch.equal(out, again)
    assert out.min() >= 0 and out.max() <= 1
    assert out.is_contiguous(memory_format=torch.channels_last)


def test_the_uniform_loss_is_lowest_when_the_model_is_unsure():
    unsure = uniform_loss(torch.zeros(4, 10))
    assert math.isclose(float(unsure), math.log(10), rel_tol=1e-6)
    assert float(uniform_loss(torch.eye(10)[:4] * 20)) > float(unsure)


def test_the_scribble_bank_is_bytes_of_strokes_on_black():
    bank = scribbles((28, 28))
    assert bank.dtype == torch.uint8 and bank.shape == (2048, 28, 28)
    ink = (bank > 0).float().mean(dim=(1, 2))
    assert bool((ink > 0.02).all()) and bool((ink < 0.8).all())  # every one a stroke, none a fill
    assert int(bank.max()) == 255 and bool((bank[:, 0, :] == 0).all())  # strokes keep off the edge
