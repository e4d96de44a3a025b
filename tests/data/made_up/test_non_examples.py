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


def test_the_real_strokes_are_omniglots_training_part_prepared_as_digits_with_their_licence():
    from neuroflow.data.made_up.non_examples import REAL_STROKES, real_strokes

    bank = real_strokes((28, 28))
    assert bank.dtype == torch.uint8 and bank.shape == (1620, 28, 28)
    assert bool((bank.amax(dim=(1, 2)) == 255).all())  # every one a character, light on black
    ink = (bank > 0).float().mean(dim=(1, 2))
    assert bool((ink > 0.01).all()) and bool((ink < 0.6).all())  # strokes, not fills
    licence = REAL_STROKES.with_name("OMNIGLOT-LICENSE").read_text()
    assert "Greek, Korean and Latin" in licence and "MIT License" in licence
    assert real_strokes((14, 14)).shape == (1620, 14, 14)  # other sizes are resized


def test_real_strokes_mirrored_turned_or_widened_are_a_third_of_the_non_examples():
    from neuroflow.data.made_up.non_examples import real_strokes

    x = torch.zeros(4, 1, 28, 28)  # an empty batch: only scribbles, noise and real strokes show
    out = make_non_examples(x, 300, torch.Generator().manual_seed(0))[:, 0]
    bank = real_strokes((28, 28)).float() / 255
    wide = torch.nn.functional.max_pool2d(bank[:, None], 3, stride=1, padding=1)[:, 0]
    variants = torch.cat([v.flip(d) for v in (bank, wide) for d in ((), (1,), (2,), (1, 2))])
    distance = torch.cdist(
        out.flatten(1), variants.flatten(1), compute_mode="donot_use_mm_for_euclid_dist"
    )
    found = distance.min(1).values == 0
    assert 70 <= int(found.sum()) <= 130  # about two in six
    kinds = distance[found].argmin(1) // len(bank)
    assert len(set(kinds.tolist())) == 8  # every way of varying them is used
