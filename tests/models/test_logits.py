import numpy as np
import torch

from neuroflow.models.logits import image_scale, predict_logits, softmax, to_input


def test_images_become_scaled_nchw_in_channels_last_memory():
    x = torch.full((2, 3, 4, 1), 255, dtype=torch.uint8)
    out = to_input(x, 1 / 255)
    assert out.shape == (2, 1, 3, 4) and out.dtype == torch.float32
    assert out.is_contiguous(memory_format=torch.channels_last) and float(out.max()) == 1.0


def test_table_rows_pass_through_as_float():
    rows = torch.ones((2, 3), dtype=torch.float64)
    assert to_input(rows, None).dtype == torch.float32
    assert image_scale({"type": "table"}) is None
    assert image_scale({"type": "image"}) == 1 / 255
    assert image_scale({"type": "image", "scale": 0.5}) == 0.5


def test_predict_logits_batches_and_restores_training_mode():
    network = torch.nn.Linear(3, 2)
    network.train()
    x = np.arange(15, dtype=np.float32).reshape(5, 3)
    out = predict_logits(network, x, batch_size=2)
    assert network.training and not out.requires_grad
    assert torch.allclose(out, network(torch.from_numpy(x)).detach())
    assert predict_logits(network, x[:0]).numel() == 0


def test_softmax_with_a_temperature():
    logits = np.array([[2.0, 0.0], [1000.0, 0.0]])
    assert np.allclose(softmax(logits).sum(1), 1) and softmax(logits)[1, 0] == 1.0
    assert softmax(logits, 2.0)[0, 0] < softmax(logits)[0, 0]
