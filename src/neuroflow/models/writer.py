"""Writing the model folder: config.json, model.safetensors, README.md, history.json and
loss_curve.png.

Saving writes a whole new folder and swaps it in, so a half-written folder is never left behind;
`update_card` rewrites the card and config after an evaluation, each file replaced atomically.
"""

from __future__ import annotations

from pathlib import Path

from neuroflow.models.config import DETECTOR, FORMAT, WEIGHTS, saved_config
from neuroflow.models.safety import sha256


def state_tensors(network) -> dict:
    """The network's weights as contiguous tensors (channels_last weights are not)."""
    return {k: v.detach().contiguous() for k, v in network.state_dict().items()}


def save_model(model, path: str | Path, card: bool = True) -> Path:
    """Write the model folder at `path` atomically."""
    from safetensors.torch import save_file

    from neuroflow.files import atomic_folder, check_folder, write_json
    from neuroflow.models.card import model_card
    from neuroflow.plotting.figures import loss_curve

    path = Path(path)
    check_folder(path)
    path.parent.mkdir(parents=True, exist_ok=True)  # as train(out=...) and the command line do
    with atomic_folder(path) as tmp:
        save_file(state_tensors(model.network), str(tmp / WEIGHTS), metadata={"format": FORMAT})
        config = saved_config(model.config, model.network, sha256(tmp / WEIGHTS))
        if model.detector and config.get("ood"):
            import torch

            save_file(
                {k: torch.as_tensor(v).contiguous() for k, v in model.detector.items()},
                str(tmp / DETECTOR),
            )
            config["ood"]["file"], config["ood"]["sha256"] = DETECTOR, sha256(tmp / DETECTOR)
        model.config = config
        write_json(tmp / "history.json", model.history)
        if model.history:
            title = f"Loss curve: {config.get('name', '')}"
            loss_curve(model.history, tmp / "loss_curve.png", title=title)
        if card:
            (tmp / "README.md").write_text(model_card(model), encoding="utf-8")
        write_json(tmp / "config.json", config)
    model.path = path
    return path


def update_card(model, metrics: dict) -> None:
    """Record `metrics` in the saved config.json and README.md of `model`'s folder."""
    from neuroflow.files import write_json, write_text
    from neuroflow.models.card import model_card

    model.config["metrics"] = {k: round(float(v), 6) for k, v in metrics.items()}
    write_text(model.path / "README.md", model_card(model))
    write_json(model.path / "config.json", model.config)
