import json

import neuroflow as nf
from neuroflow.models.writer import save_model, update_card


def test_save_writes_the_folder_and_update_card_records_metrics(tmp_path):
    model = nf.train("iris", model="iris-mlp", epochs=2, progress="quiet")
    folder = save_model(model, tmp_path / "iris")
    assert model.path == folder
    names = {p.name for p in folder.iterdir()}
    assert {"config.json", "model.safetensors", "README.md", "history.json"} <= names
    assert {"loss_curve.png", "detector.safetensors"} <= names
    update_card(model, {"accuracy": 0.123456789})
    config = json.loads((folder / "config.json").read_text())
    assert config["metrics"] == {"accuracy": 0.123457}
    assert "| accuracy | 0.1235 |" in (folder / "README.md").read_text()
    assert nf.load(folder).config["metrics"] == {"accuracy": 0.123457}
