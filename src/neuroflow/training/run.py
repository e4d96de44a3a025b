"""A training run as a user starts it: by names (data, recipe, parent model) and an --out folder.

It loads the data the run names, resolves its model folder, records how it was started (so that
--resume can repeat it) and removes folders it made when training fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from neuroflow.errors import UsageError
from neuroflow.files import check_folder
from neuroflow.training.resume import RUN_KEYS, continue_run


@dataclass
class Run:
    dataset: object
    record: dict  # RUN_KEYS → how the run was started
    out: Path | None
    resume: bool
    parent: object = None
    made: list[Path] = field(default_factory=list)  # folders this run created
    loaded: bool = False  # the run loaded its data itself, so nothing outside it holds the arrays

    def remove_made_folders(self) -> None:
        for folder in self.made:
            try:
                if folder.is_dir() and not any(folder.iterdir()):
                    folder.rmdir()
            except OSError:
                pass


def image_size(value) -> tuple[int, int] | None:
    """28, "28", "32x32", (32, 32) → (height, width)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        try:
            parts = [int(p) for p in value.lower().replace("x", ",").split(",")]
        except ValueError:
            raise UsageError(
                f"--image-size {value!r} is not a size", "write e.g. --image-size 28 or 32x32"
            ) from None
    else:
        parts = [value] if isinstance(value, int) else list(value)
    parts = parts * 2 if len(parts) == 1 else parts
    if len(parts) != 2 or not all(isinstance(p, int) and 1 <= p <= 4096 for p in parts):
        raise UsageError(
            f"--image-size {value!r} is out of range",
            "give one or two whole numbers from 1 to 4096",
        )
    return parts[0], parts[1]


def plan(settings: dict, data, parent, out, resume, *, reading: dict | None = None) -> Run:
    """Settings (RUN_KEYS, None = not given) → the Run: resumed, data loaded, out folder ready.

    `reading` (data_in, strict, note) says how an image folder is read; it is not recorded, because
    the trained model does not depend on it.
    """
    from neuroflow.models.store import load_model

    # recorded as text: the record is JSON in every checkpoint
    given = {**settings, "data": str(data) if isinstance(data, str | Path) else None}
    given["from_model"] = str(parent) if isinstance(parent, str | Path) else None
    parent = None if isinstance(parent, str | Path) else parent
    if given.get("base") is None and _names_network(given["from_model"]):
        given["base"], given["from_model"] = str(given["from_model"]), None
    given["image_size"] = image_size(settings.get("image_size"))
    if resume is not None:
        record = continue_run(Path(resume), given, out)
        given = {k: record[k] if given.get(k) is None else given[k] for k in RUN_KEYS}
        out = resume
    given = _checked({k: given.get(k) for k in RUN_KEYS})
    if parent is None and given["from_model"] is not None:
        parent = load_model(given["from_model"])
    if given["base"] is not None:
        _check_base(given, parent)
    if parent is None and (given["freeze"] or given["new_head"]):
        flag = "--freeze" if given["freeze"] else "--new-head"
        raise UsageError(
            f"{flag} applies only when fine-tuning",
            "add --from MODEL_DIR (the model to start from), or leave it out",
        )
    dataset = data if data is not None and not isinstance(data, str | Path) else None
    if dataset is not None and (reading or {}).get("data_in") is not None:
        raise UsageError(
            "data_in chooses how DATA given by name or path is read, and this DATA is a Dataset",
            "leave out data_in, or pass the folder's path",
        )
    loaded = dataset is None
    dataset = dataset or _load(given, parent, reading or {})
    if out is True:  # the default folder, as the command line writes
        out = default_out(dataset, given["model"] or given["base"])
    run = Run(dataset, given, Path(out) if out else None, resume is not None, parent, loaded=loaded)
    if run.out is not None and not run.resume:
        _new_folder(run)
    return run


def _checked(given: dict) -> dict:
    """The run's settings checked before any data loads, with defaults for those not given."""
    given["image_size"] = image_size(given["image_size"])
    if given["epochs"] is not None and given["epochs"] < 1:
        raise UsageError(
            f"--epochs must be at least 1, not {given['epochs']}",
            "give a positive number of epochs",
        )
    if given["augment"] is not None:  # "" or "invert,,rotate=15" fails before the data loads
        from neuroflow.data.pictures.augment import Augmenter

        Augmenter.from_spec(given["augment"])
    defaults = {"seed": 0, "new_head": False, "augment_test": False, "on_nan": "stop"}
    for key, default in defaults.items():
        given[key] = default if given[key] is None else given[key]
    return given


def _names_network(value) -> bool:
    """`--from NAME`: a pretrained network's name rather than a model folder (a folder wins)."""
    from neuroflow.models.pretrained import NETWORKS

    if value is None or Path(str(value)).exists():
        return False
    return str(value).strip().lower().replace("-", "_") in NETWORKS


def _check_base(given: dict, parent) -> None:
    from neuroflow.models.pretrained import published

    given["base"] = published(given["base"]).name
    if parent is not None or given["from_model"] is not None:
        raise UsageError(
            "a run starts from a pretrained network or from a model folder, not both",
            "give one --from",
        )
    for key, flag in (("model", "--model"), ("freeze", "--freeze"), ("grayscale", "--grayscale")):
        if given[key]:
            raise UsageError(
                f"{flag} does not go with --from {given['base']}: the network sets it",
                f"leave out {flag}",
            )
    ft = given.get("fine_tune_epochs")
    if ft is not None and not (isinstance(ft, int) and 0 <= ft <= 10_000):
        raise UsageError(f"--fine-tune-epochs must be 0 or more, not {ft!r}", "give e.g. 3")


def base_preparation(name: str, size: tuple[int, int] | None = None) -> dict:
    """How pictures are prepared for a pretrained network: its crop (or `size`, smaller and
    faster, as --image-size asks), the shorter side resized in proportion, mean and spread."""
    from neuroflow.models.pretrained import published

    net = published(name)
    height, width = size or (net.size, net.size)
    resize = round(min(height, width) * net.resize / net.size)
    return {"size": [height, width], "resize": resize, "mean": list(net.mean),
            "std": list(net.std), "network": net.name}  # fmt: skip


def _load(given: dict, parent, reading: dict):
    from neuroflow.data import load_dataset

    if not given["data"]:
        raise UsageError(
            "train needs DATA",
            "e.g. neuroflow train iris, or neuroflow train table.csv --target COLUMN",
        )
    size, grayscale = given["image_size"], given["grayscale"]
    prep = parent.preprocessing if parent is not None else {}
    if size is None and prep.get("type") == "image":
        size = (prep["height"], prep["width"])
        grayscale = prep["channels"] == 1 if grayscale is None else grayscale
    if given.get("base") is not None:
        reading = {**reading, "crop": base_preparation(given["base"], given["image_size"])}
    return load_dataset(
        str(given["data"]),
        target=given["target"],
        task=given["task"],
        data_dir=given["data_dir"],
        seed=given["seed"],
        image_size=size,
        grayscale=grayscale,
        **reading,
    )


def default_out(dataset, model) -> Path:
    """models/NAME, NAME as the model names itself in config.json (DATA-RECIPE, the recipe the
    data's default when none is given: models/iris-mlp)."""
    from neuroflow.models.config import model_name
    from neuroflow.models.recipes import default_recipe

    recipe = Path(model).stem if model else default_recipe(dataset.kind, dataset.name)
    return Path("models") / model_name(dataset.name, recipe)


def pretrained_spec(name: str) -> dict:
    """The network a run --from NAME trains: the published backbone and a new output layer."""
    return {
        "layers": [
            {"type": "Pretrained", "network": name},
            {"type": "Dense", "units": "auto", "activation": "auto"},
        ],
        "name": name,
        "description": f"{name} pretrained on ImageNet, with a new output layer",
        "optimizer": "adam",
        "lr": 0.001,
        "batch_size": 32,
        "epochs": 30,
    }


def _new_folder(run: Run) -> None:
    out = run.out
    check_folder(out)
    ours = (out / "config.json").exists() or (out / "checkpoint").exists()
    if out.exists() and any(out.iterdir()) and not ours:
        raise UsageError(
            f"{out} exists and is not a neuroflow model folder",
            "choose another --out, or empty that folder",
        )
    run.made = [p for p in (out, *out.parents) if not p.exists()]
    out.mkdir(parents=True, exist_ok=True)


def fine_tune_settings(settings, first, epochs: int):
    """Phase two of a pretrained run: every layer trains, `epochs` more, at a tenth of the first
    phase's learning rate so the published features change gently."""
    import dataclasses

    lr = float(first.config["training"]["lr"])
    return dataclasses.replace(settings, epochs=epochs, lr=lr / 10, early_stopping=None)
