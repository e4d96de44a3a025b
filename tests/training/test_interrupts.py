def test_the_resume_hint_names_torchrun_when_torchrun_started_the_run(monkeypatch):
    from neuroflow.training.interrupts import resume_hint

    monkeypatch.delenv("WORLD_SIZE", raising=False)
    assert resume_hint("out") == "continue with: neuroflow train --resume out"
    monkeypatch.setenv("WORLD_SIZE", "4")
    monkeypatch.setenv("LOCAL_WORLD_SIZE", "2")
    hint = resume_hint("out")
    assert "torchrun --nproc-per-node 2 -m neuroflow train --resume out" in hint
