def test_the_resume_hint_names_torchrun_when_torchrun_started_the_run(monkeypatch):
    from neuroflow.training.interrupts import resume_hint

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert resume_hint("out") == "continue with: neuroflow train --resume out"
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    hint = resume_hint("out")
    assert "torchrun --nproc-per-node 2 -m neuroflow train --resume out" in hint


def test_the_interrupt_line_counts_its_epochs_and_a_lost_peer_names_the_folder(cli, monkeypatch):
    from neuroflow.training.interrupts import interrupted
    from neuroflow.training.process_group import RUN_FOLDER, peer_lost

    assert "; epoch 1 is saved in run" in str(interrupted("SIGINT", 2, "run", 1))
    assert "; epochs 1–3 are saved in run" in str(interrupted("SIGINT", 4, "run", 3))
    hint = peer_lost(ConnectionError("gone")).hint
    assert RUN_FOLDER in hint and "OUT_FOLDER" not in hint
