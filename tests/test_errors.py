"""neuroflow.errors: one line naming the problem and the fix, and the exit status of each kind."""

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
