"""neuroflow.data.non_examples: synthetic non-examples from a batch, and the loss that pushes the
model's output towards uniform on them."""

import math

import torch

from neuroflow.data.non_examples import make_non_examples, uniform_loss


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
