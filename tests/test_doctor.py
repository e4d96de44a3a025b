from neuroflow.doctor import run_checks


def test_doctor_names_an_unwritable_cache(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("NEUROFLOW_CACHE", str(blocker / "cache"))
    report = run_checks()
    assert not report.healthy
    assert any("not writable" in p for p in report.problems)


def test_doctor_exit_1_when_unhealthy(cli, monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    monkeypatch.setenv("NEUROFLOW_CACHE", str(blocker / "cache"))
    assert cli("doctor").code == 1
