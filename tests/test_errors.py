"""neuroflow.errors: one line naming the problem and the fix, and the exit status of each kind."""

import pytest

from neuroflow.errors import (
    CheckFailed,
    DataError,
    ModelFileError,
    NeuroflowError,
    SpecError,
    TrainingStopped,
    UsageError,
)


def test_the_message_and_the_hint_make_one_sentence_each():
    err = DataError("column 'x' is blank.", "remove it or fill it in.")
    assert str(err) == "column 'x' is blank. Remove it or fill it in."
    assert err.message == "column 'x' is blank." and err.hint == "remove it or fill it in."
    assert str(UsageError("no DATA\n   was given")) == "no DATA was given."


def test_bad_input_exits_2_and_a_failed_check_or_stopped_training_1():
    for kind in (DataError, SpecError, ModelFileError, UsageError, NeuroflowError):
        assert kind("x").exit_code == 2
    assert CheckFailed("x").exit_code == 1 and TrainingStopped("x").exit_code == 1


def test_python_callers_read_argument_names_where_the_command_line_reads_flags(cli, tmp_path):
    import neuroflow as nf

    with pytest.raises(nf.NeuroflowError) as raised:
        nf.train("iris", epochs=1, resume=tmp_path, progress="quiet")
    said = str(raised.value)
    assert "out= folder" in said and "--" not in said
    res = cli("train", "iris", "--epochs", "1", "--resume", tmp_path)
    assert res.code == 2 and "--out folder" in res.err


def test_flags_become_python_arguments_switches_and_other_names():
    from neuroflow.errors import UsageError, in_python_words

    err = in_python_words(
        UsageError("--batch-size 0 with --new-head", "use --from FOLDER or --data-dir=DIR, --quiet")
    )
    assert isinstance(err, UsageError)
    assert str(err) == (
        "batch_size= 0 with new_head=True. Use parent= (or base= for a pretrained network) "
        'FOLDER or data_dir=DIR, progress="quiet".'
    )
    plain = UsageError("no flags here")
    assert in_python_words(plain) is plain
