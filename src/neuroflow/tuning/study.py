"""The shared study: where it is stored, and how workers open it, keep their trials alive and never
double up.

SQLite for processes on one machine, a database server (PostgreSQL, MySQL) for several machines;
passwords never printed.
"""

from __future__ import annotations

import contextlib
import threading
import time
import warnings
from pathlib import Path

from neuroflow.errors import UsageError

# A worker killed mid-trial leaves it RUNNING; after GRACE_S without a heartbeat it is failed, so
# others stop waiting.
HEARTBEAT_S, GRACE_S = 10, 60
# The flag that gives each setting a study records, to name it when a continuing command differs.
FLAGS = {
    "data": "DATA", "target": "--target", "task": "--task", "model": "--model", "space": "--space",
    "metric": "--metric", "pruner": "--pruner", "seed": "--seed", "folds": "--folds",
}  # fmt: skip
# Settings recorded since a later version, as the studies begun before it had them.
RECORDED_BEFORE = {"folds": 1}
CONNECT_TIMEOUT_S = 10  # a database server that does not answer is given up after this
DRIVERS = {
    "postgresql": "install it with: pip install 'neuroflow[postgres]' (psycopg) or "
    "pip install psycopg2-binary",
    "mysql": "install it with: pip install PyMySQL, and write the URL as "
    "mysql+pymysql://user:password@host/db",
}


def storage_url(storage: str | None, out_dir: Path | None) -> str | None:
    """A database URL: as given, an SQLite file for a plain path, OUT/study.db by default, None for
    memory."""
    if storage is None:
        return f"sqlite:///{(out_dir / 'study.db').resolve()}" if out_dir is not None else None
    if "://" in storage:
        return storage
    path = Path(storage).expanduser().resolve()
    if not path.parent.is_dir():
        raise UsageError(
            f"folder {path.parent} for the study database does not exist",
            "create it first or give another --storage",
        )
    return f"sqlite:///{path}"


def with_driver(url: str) -> str:
    """postgresql:// means psycopg2 to SQLAlchemy; where only psycopg (3) is installed, use that."""
    import importlib.util

    scheme, _, rest = url.partition("://")
    only_3 = importlib.util.find_spec("psycopg2") is None and importlib.util.find_spec("psycopg")
    if scheme in ("postgresql", "postgres") and only_3:
        return f"postgresql+psycopg://{rest}"
    return "postgresql://" + rest if scheme == "postgres" else url


def redact(url: str) -> str:
    """The URL without its password, fit to print and to record in summary.json and the model
    card. Everything between the user name and the last '@' is hidden, so a password that holds
    an unescaped '@' is hidden whole too."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    userinfo, host = rest.rsplit("@", 1)
    user, colon, _ = userinfo.partition(":")
    return f"{scheme}://{user}{':***' if colon else ''}@{host}"


def _check_userinfo(url: str) -> None:
    """A password with an unescaped '@' is read as part of the host: say how to write it."""
    rest = url.partition("://")[2]
    if rest.count("@") > 1 and ":" in rest.split("@", 1)[0]:
        raise UsageError(
            f"--storage {redact(url)}: the password holds an '@' that is not escaped",
            "write each @ in the password as %40",
        )


def open_study(url: str | None, name: str, direction: str, pruner, signature: dict):
    """(RDBStorage or None, study), created or loaded; a study begun with other data, model or
    metric is refused."""
    import optuna

    rdb = _storage(url) if url is not None else None
    study = optuna.create_study(
        storage=rdb, study_name=name, direction=direction, pruner=pruner, load_if_exists=True
    )
    recorded = study.user_attrs.get("neuroflow")
    if recorded is None:
        study.set_user_attr("neuroflow", signature)
    record = {**RECORDED_BEFORE, **(recorded or signature)}
    differ = [
        f"{FLAGS.get(key, key)} was {_part(record[key], given)!r} there, not "
        f"{_part(given, record[key])!r}"
        for key, given in signature.items()
        if key in record and record[key] != given
    ]
    if differ:
        raise UsageError(
            f"study {name!r} goes on with the settings it was begun with, and " + "; ".join(differ),
            "give the recorded values, or start another study with --study NAME or another --out",
        )
    if study.direction.name.lower() != direction:
        raise UsageError(
            f"study {name!r} is set to {study.direction.name.lower()}, but {signature['metric']} "
            f"needs {direction}",
            "give another --study NAME",
        )
    return rdb, study


def _storage(url: str):
    """Optuna's database storage for `url`, with heartbeats; a bad URL or driver is one line."""
    import optuna
    import sqlalchemy.exc

    _check_userinfo(url)
    kwargs = (
        {"connect_args": {"timeout": 60}} if url.startswith("sqlite") else {"pool_pre_ping": True}
    )
    if url.startswith("postgres"):  # a server that does not answer: say so, never wait for ever
        kwargs["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT_S}
    for attempt in range(6):  # workers starting together can race to create the tables
        try:
            return optuna.storages.RDBStorage(
                with_driver(url),
                engine_kwargs=kwargs,
                heartbeat_interval=HEARTBEAT_S,
                grace_period=GRACE_S,
            )
        except ImportError:  # optuna's message does not name the module, so name the usual one
            fix = DRIVERS.get(
                url.split(":", 1)[0].split("+")[0], "install the Python driver of that database"
            )
            raise UsageError(
                f"the database driver for {redact(url)} is not installed", fix
            ) from None
        except sqlalchemy.exc.ArgumentError:
            raise UsageError(
                f"--storage {redact(url)} is not a database URL",
                "give e.g. study.db, sqlite:///study.db or postgresql://user:password@host/db",
            ) from None
        except (sqlalchemy.exc.SQLAlchemyError, optuna.exceptions.StorageInternalError) as err:
            if attempt == 5:
                first = " ".join(str(getattr(err, "orig", None) or err).split())[:160]
                raise UsageError(
                    f"cannot open the study database {redact(url)}: {first}",
                    "check the URL, that the server runs and that you may write there",
                ) from None
            time.sleep(0.3 * (attempt + 1))


def _part(value, other):
    """Of a recorded space (a dict), the entries that differ from the other one; anything else
    whole."""
    if isinstance(value, dict) and isinstance(other, dict):
        return {k: v for k, v in value.items() if other.get(k) != v}
    return value


def stand_down(study, trial, trials: int) -> bool:
    """Two workers that count N-1 at the same instant both ask for a trial: the database numbered
    them, so the later one stands down (marked failed and 'surplus', left out of every count and
    table) and N stays exact."""
    from optuna.trial import TrialState

    live = (TrialState.COMPLETE, TrialState.PRUNED, TrialState.RUNNING)
    ahead = sum(
        1
        for t in study.get_trials(deepcopy=False, states=live)
        if t.number < trial.number and not t.user_attrs.get("surplus")
    )
    if ahead < trials:
        return False
    trial.set_user_attr("surplus", True)
    study.tell(trial, state=TrialState.FAIL)
    return True


class Heartbeat:
    """Records every HEARTBEAT_S that the worker running this trial is alive (database studies
    only)."""

    def __init__(self, rdb, trial):
        self.rdb, self.trial_id, self.stop = rdb, trial._trial_id, threading.Event()

    def __enter__(self):
        if self.rdb is not None:
            self.rdb.record_heartbeat(self.trial_id)
            self.thread = threading.Thread(target=self._beat, daemon=True)
            self.thread.start()
        return self

    def _beat(self):
        while not self.stop.wait(HEARTBEAT_S):
            with contextlib.suppress(Exception):  # a busy database: the next beat will do
                self.rdb.record_heartbeat(self.trial_id)

    def __exit__(self, *exc):
        self.stop.set()
        if self.rdb is not None:
            self.thread.join()


def quiet_optuna() -> None:
    """Optuna's own log lines and notes would interleave with ours; errors still reach the user as
    one line."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
    warnings.filterwarnings(
        "ignore", message="Heartbeat of storage is supposed to be used with Study.optimize"
    )


__all__ = [
    "GRACE_S",
    "HEARTBEAT_S",
    "Heartbeat",
    "open_study",
    "quiet_optuna",
    "redact",
    "stand_down",
    "storage_url",
]
