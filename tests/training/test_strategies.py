"""The training step's fast paths compute what the plain ones do: split batches, ReLU after pooling,
the plain optimizer step."""

import subprocess
import sys
import warnings

import pytest
import torch
import torch.nn.functional as F

import neuroflow as nf
from neuroflow.data import load_dataset
from neuroflow.data.made_up.non_examples import uniform_loss
from neuroflow.models.layers import Dropout, dropout_generator
from neuroflow.models.spec import build_network
from neuroflow.training.optimizers import plain_step
from neuroflow.training.strategies import SplitBatch, StepLoss, flushes_denormals

SPEC = {
    "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "MaxPool2D", "pool_size": 2},
        {"type": "Conv2D", "filters": 6, "kernel_size": 3, "padding": "same", "activation": "relu"},
        {"type": "MaxPool2D", "pool_size": 2, "padding": "same"},
        {"type": "Flatten"},
        {"type": "Dense", "units": 16, "activation": "relu"},
        {"type": "Dense", "units": "auto", "activation": "auto"},
    ]
}


def _network(spec=SPEC, shape=(10, 10, 1), seed=0):
    torch.manual_seed(seed)
    return build_network(spec, shape, 3, "classification")[1]


def _layer_by_layer(network, x):
    for layer in network.layers:
        x = layer(x)
    return x


def test_relu_after_max_pool_gives_the_same_outputs_and_gradients():
    net = _network()
    x = torch.randn(8, 1, 10, 10).contiguous(
        memory_format=torch.channels_last
    )  # odd 5×5 maps: the 'same' pool pads
    fast, plain = net(x), _layer_by_layer(net, x)
    assert torch.equal(fast, plain)
    g_fast = torch.autograd.grad(fast.sum(), list(net.parameters()))
    g_plain = torch.autograd.grad(_layer_by_layer(net, x).sum(), list(net.parameters()))
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(g_fast, g_plain, strict=True))


def _split(net, workers, *, loss=None, flush_denormal=False) -> SplitBatch:
    strategy = SplitBatch(workers, flush_denormal=flush_denormal)
    strategy.setup(net, list(net.parameters()), loss or StepLoss(F.cross_entropy), [])
    return strategy


def _parts(net, threads, batch_size, is_image) -> int:
    return SplitBatch().parts(net, threads, batch_size, is_image)


def test_a_split_batch_gives_the_whole_batch_loss_and_gradients():
    net = _network()
    x = torch.rand(37, 1, 10, 10).contiguous(
        memory_format=torch.channels_last
    )  # parts of 19 and 18 rows
    y = torch.randint(0, 3, (37,))
    extra = torch.rand(9, 1, 10, 10).contiguous(memory_format=torch.channels_last)
    runners = [_split(net, w, loss=StepLoss(F.cross_entropy, uniform_loss, 0.5)) for w in (1, 2)]
    try:
        one, split = (r(x, y, extra) for r in runners)
    finally:
        for r in runners:
            r.close()
    assert torch.allclose(one.loss, split.loss, atol=1e-6) and torch.allclose(
        one.data_loss, split.data_loss, atol=1e-6
    )
    assert torch.allclose(one.logits, split.logits, atol=1e-6)
    assert all(torch.allclose(a, b, atol=1e-6) for a, b in zip(one.grads, split.grads, strict=True))
    whole = F.cross_entropy(net(x), y)
    assert torch.allclose(one.data_loss, whole, atol=1e-6)


@pytest.mark.parametrize("workers", [1, 2])
def test_flushing_denormals_reaches_every_step_thread_and_the_mode_is_put_back(workers):
    net = _network()
    runners = [_split(net, workers, flush_denormal=flush) for flush in (True, False)]
    try:
        assert not flushes_denormals()
        with runners[0].steps():
            assert flushes_denormals()
            if workers > 1:
                assert runners[0]._pool.submit(flushes_denormals).result()
        assert not flushes_denormals(), "the caller's thread computes with denormals again"
        torch.set_flush_denormal(
            True
        )  # a caller that flushes already: kept during steps that keep denormals, flushing after
        with runners[1].steps():
            assert not flushes_denormals()
            if workers > 1:
                assert not runners[1]._pool.submit(flushes_denormals).result()
        assert flushes_denormals()
    finally:
        torch.set_flush_denormal(False)
        for r in runners:
            r.close()


def test_batches_split_only_for_image_networks_without_batchnorm():
    net = _network()
    assert _parts(net, 2, 128, is_image=True) == 2
    assert _parts(net, 1, 128, is_image=True) == 1
    assert _parts(net, 2, 32, is_image=True) == 1  # parts of 16 cost more than they gain
    assert _parts(net, 2, 128, is_image=False) == 1
    with_bn = _network(
        {
            "layers": [
                {"type": "Conv2D", "filters": 4, "kernel_size": 3},
                {"type": "BatchNormalization"},
                {"type": "Flatten"},
                {"type": "Dense", "units": "auto"},
            ]
        }
    )
    assert _parts(with_bn, 2, 128, is_image=True) == 1


def test_dropout_masks_come_from_the_thread_generator():
    drop = Dropout(0.5).train()
    x = torch.ones(1000)
    with dropout_generator(torch.Generator().manual_seed(3)):
        a = drop(x)
    with dropout_generator(torch.Generator().manual_seed(3)):
        b = drop(x)
    assert torch.equal(a, b)
    assert set(a.unique().tolist()) == {0.0, 2.0} and 0.4 < (a == 0).float().mean() < 0.6
    assert torch.equal(drop.eval()(x), x)


def test_same_seed_same_weights_with_split_batches_and_dropout(monkeypatch):
    monkeypatch.setenv("NEUROFLOW_THREADS", "2")  # two parts per batch even on a one-core machine
    ds = load_dataset("digits")
    spec = {
        "layers": [
            *SPEC["layers"][:5],
            {"type": "Dense", "units": 32, "activation": "relu"},
            {"type": "Dropout", "rate": 0.3},
            {"type": "Dense", "units": "auto", "activation": "auto"},
        ],
        "batch_size": 64,
        "lr": 0.01,
    }
    runs = [
        nf.train(ds, model=spec, epochs=2, seed=5, progress="quiet", post_fit=False)
        for _ in range(2)
    ]
    a, b = (r.network.state_dict() for r in runs)
    assert all(torch.equal(a[k], b[k]) for k in a)
    assert runs[0].history[-1]["val_accuracy"] > 0.5


def test_plain_optimizer_step_matches_optimizer_step():
    from neuroflow.training import TrainSettings
    from neuroflow.training.optimizers import make_optimizer

    for name in ("adam", "adamw", "sgd", "rmsprop"):
        params = [torch.nn.Parameter(torch.linspace(-1, 1, 12).reshape(3, 4)) for _ in range(2)]
        opts = [make_optimizer(TrainSettings(optimizer=name).resolved({}), [p]) for p in params]
        for _ in range(3):
            for p in params:
                p.grad = torch.cos(p.detach() * 3)
            opts[0].step()
            plain_step(opts[1])
        assert torch.equal(params[0], params[1]), name


def test_optimizer_step_with_a_schedule_matches_step_without_warnings(monkeypatch):
    from neuroflow.training import TrainSettings
    from neuroflow.training.optimizers import make_optimizer, make_scheduler, optimizer_step

    settings = TrainSettings(optimizer="adam", schedule="onecycle", epochs=2, lr=0.1).resolved({})
    params = [torch.nn.Parameter(torch.linspace(-1, 1, 12).reshape(3, 4)) for _ in range(2)]
    opts = [make_optimizer(settings, [p]) for p in params]
    scheds = [make_scheduler(settings, o, 5) for o in opts]
    for _ in range(10):  # the reference first: its step() imports torch._dynamo
        params[0].grad = torch.cos(params[0].detach() * 3)
        opts[0].step()
        scheds[0].step()
    monkeypatch.delitem(
        sys.modules, "torch._dynamo", raising=False
    )  # as in a process that never imported it
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # e.g. "lr_scheduler.step() before optimizer.step()"
        for _ in range(10):
            params[1].grad = torch.cos(params[1].detach() * 3)
            optimizer_step(opts[1])
            scheds[1].step()
    assert torch.equal(params[0], params[1])
    assert scheds[0].get_last_lr() == scheds[1].get_last_lr()


@pytest.mark.parametrize("schedule", [None, "onecycle"])
def test_training_a_table_does_not_load_torch_dynamo(schedule):
    code = (
        "import sys, neuroflow as nf; from neuroflow.models.recipes import recipe; "
        f"nf.train('iris', model=recipe('iris-mlp') | {{'schedule': {schedule!r}}}, "
        "epochs=3, progress='quiet'); "
        "print('torch._dynamo' in sys.modules)"
    )
    out = subprocess.run(
        [sys.executable, "-W", "error::UserWarning", "-c", code],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert out.stdout.strip() == "False"  # torch.optim's import of it costs more than training Iris


def test_checkpoint_writer_keeps_the_newest_epoch_and_reports_errors(tmp_path, monkeypatch):
    from neuroflow.training import checkpoint as ckpt

    net = _network()
    opt = torch.optim.Adam(net.parameters())
    state = {
        "network": net,
        "optimizer": opt,
        "scheduler": None,
        "generators": {"g": torch.Generator()},
        "best_state": None,
    }
    written = []
    write = ckpt.write_checkpoint
    monkeypatch.setattr(
        ckpt,
        "write_checkpoint",
        lambda run_dir, tensors, meta: (
            written.append(meta["epoch"]),
            write(run_dir, tensors, meta),
        ),
    )
    writer = ckpt.CheckpointWriter(tmp_path, min_interval_s=30)
    for epoch in range(1, 21):  # within the interval: each replaces the one waiting its turn
        writer.save(**state, info={"epoch": epoch, "history": [{"loss": 1.0}] * epoch})
    writer.wait()  # writes the newest now
    assert (
        written[-1] == 20 and len(written) <= 2
    )  # the first epoch the thread found, then the newest
    assert (
        ckpt.read_info(tmp_path)["epoch"] == 20 and len(ckpt.read_info(tmp_path)["history"]) == 20
    )
    writer.save(**state, info={"epoch": 21, "history": []})
    writer.wait()
    assert written[-2:] == [20, 21]

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(ckpt, "write_checkpoint", full)
    writer.save(**state, info={"epoch": 22, "history": []})
    with pytest.raises(OSError, match="No space"):
        writer.close()
    assert ckpt.read_info(tmp_path)["epoch"] == 21  # the last complete checkpoint stays


def test_predicting_an_image_runs_the_network_once():
    from neuroflow.inference.predict import predict_arrays

    ds = load_dataset("digits")
    model = nf.train(ds, model={"layers": SPEC["layers"]}, epochs=1, progress="quiet")
    assert model.config["ood"]["method"] == "energy"
    calls = []
    model.network.layers[0][0].register_forward_hook(
        lambda *a: calls.append(1)
    )  # the first Conv2D itself
    (pred,) = predict_arrays(model, ds.x_test[:1], ["x"])
    assert len(calls) == 1 and pred.score is not None
