"""`neuroflow serve`: a local page to draw or drop an input, see what the model sees and says, and
train.

FastAPI and uvicorn are imported inside the command, so `neuroflow --help` stays fast.
"""

from __future__ import annotations

import contextlib
import errno
import socket
from pathlib import Path

import typer

from neuroflow.cli.app import app
from neuroflow.errors import UsageError


@app.command()
def serve(
    models: list[str] = typer.Argument(
        None,
        help="Model folders, bundles (.zip) or a folder of model folders, served beside those in "
        "--workdir (always served: the page's new models go there).",
        show_default=False,
    ),
    host: str = typer.Option(
        "127.0.0.1",
        "--host",
        help="Address to listen on; anything but 127.0.0.1 opens the page (no login) to others.",
    ),
    port: int = typer.Option(8000, "--port", help="Port to listen on."),
    workdir: str = typer.Option(
        "models",
        "--workdir",
        help="Folder for uploads and newly trained models (and the models served by default).",
    ),
) -> None:
    """Serve a page to try models (draw, drop a picture, fill a row) and to train new ones."""
    try:
        import fastapi  # noqa: F401
        import uvicorn  # noqa: F401
    except ImportError:
        raise UsageError(
            "neuroflow serve needs FastAPI and uvicorn, which are not installed",
            "install them with: pip install 'neuroflow[serve]'",
        ) from None
    from neuroflow.web.models import find_models

    work = Path(workdir).expanduser()
    if work.exists() and not work.is_dir():
        raise UsageError(
            f"--workdir {work} is a file, not a folder", "give a folder for uploads and new models"
        )
    named = find_models([Path(m).expanduser() for m in models or []])
    if not named and not (work.is_dir() and find_models([work])):
        raise UsageError(
            f"no models found {'in the paths given' if models else f'in {work}'}",
            "train one first (neuroflow train iris --out models/iris) or name model folders",
        )
    if not 0 < port < 65536:
        raise UsageError(f"--port {port} is out of range", "give a port from 1 to 65535")
    sock = _bind(host, port)
    work.mkdir(parents=True, exist_ok=True)
    _run(named, work, sock, host)


def _bind(host: str, port: int) -> socket.socket:
    """The listening socket, bound here so that a port in use is one line, not a uvicorn
    traceback."""
    try:
        family = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0][0]
        # IPPROTO_TCP named, not 0: asyncio sets TCP_NODELAY only on sockets that say they are TCP,
        # and without it each answer's body waits ~40 ms for the client's delayed ACK of its
        # headers.
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
    except socket.gaierror:
        raise UsageError(
            f"--host {host} is not an address of this machine", "use 127.0.0.1 (the default)"
        ) from None
    except OSError as err:
        if err.errno == errno.EADDRINUSE:
            raise UsageError(
                f"port {port} is in use", "choose another with --port, e.g. --port 8001"
            ) from None
        raise UsageError(
            f"cannot listen on {host}:{port} ({err.strerror})",
            "use --host 127.0.0.1 and a free --port",
        ) from None
    sock.listen(128)
    sock.set_inheritable(True)
    return sock


def _run(named: list[Path], work: Path, sock: socket.socket, host: str) -> None:
    import uvicorn

    from neuroflow.web.app import create_app

    port = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    web = create_app(named, work)
    config = uvicorn.Config(web, log_level="warning", access_log=False, timeout_graceful_shutdown=5)
    if host not in ("127.0.0.1", "localhost", "::1"):
        print(
            f"warning: the page has no login; anyone who can reach {host}:{port} can use the "
            f"models and train"
        )
    print(
        f"neuroflow serve: open http://{shown}:{port}/  (API: http://{shown}:{port}/docs; Ctrl-C "
        f"stops)",
        flush=True,
    )
    server = uvicorn.Server(config)
    # a page following a training run ends its stream when Ctrl-C asks the server to stop
    web.state.server = server
    with contextlib.suppress(
        KeyboardInterrupt
    ):  # uvicorn hands Ctrl-C back once it has shut down: the normal end
        server.run(sockets=[sock])
    print("neuroflow serve: stopped", flush=True)
