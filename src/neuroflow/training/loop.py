"""TEMPORARY until the models branch lands: predict_array moves to models."""

from neuroflow.training.batches import image_scale, predict_logits


def predict_array(network, x, preprocessing, batch_size=1024):
    return predict_logits(network, x, image_scale(preprocessing), batch_size)
