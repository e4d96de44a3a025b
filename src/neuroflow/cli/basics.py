"""`neuroflow neuron` and `neuroflow doctor`: the lesson's first exercise and its install check."""

from __future__ import annotations

import json

import typer

from neuroflow.cli.app import app
from neuroflow.errors import CheckFailed, UsageError


def _numbers(values: list[str] | str, flag: str) -> list[float]:
    values = [values] if isinstance(values, str) else values
    out = []
    for value in values:
        for part in value.replace(",", " ").split():
            try:
                out.append(float(part))
            except ValueError:
                raise UsageError(
                    f"{flag} got {part!r}, which is not a number",
                    f"give numbers, e.g. {flag} 0 0.5 1",
                ) from None
    return out


@app.command()
def neuron(
    inputs: str = typer.Option(
        ...,
        "--inputs",
        help="Input values x1 x2 ... (space or comma separated).",
        show_default=False,
    ),
    weights: str = typer.Option(..., "--weights", help="One weight per input.", show_default=False),
    bias: str = typer.Option("0", "--bias", help="The bias b."),
    activation: str = typer.Option(
        "relu", "--activation", help="relu, sigmoid, tanh, linear or step."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Compute one neuron's output step by step: sum of inputs x weights, plus bias, through an
    activation.

    Example (the lesson's exercise): neuroflow neuron --inputs 0 0.5 1 --weights -1 -0.5 0.5 --bias
    1
    """
    from neuroflow.neuron import neuron_output

    result = neuron_output(
        _numbers(inputs, "--inputs"),
        _numbers(weights, "--weights"),
        _numbers([bias], "--bias")[0] if bias.strip() else 0.0,
        activation.lower(),
    )
    if as_json:
        print(
            json.dumps(
                {
                    "output": result.output,
                    "weighted_sum": result.weighted_sum,
                    "pre_activation": result.pre_activation,
                    "products": list(result.products),
                }
            )
        )
        return
    print("\n".join(result.steps()))


@app.command()
def doctor(
    data_dir: str = typer.Option(None, "--data-dir", help="Also look for datasets here."),
    as_json: bool = typer.Option(False, "--json", help="Print the report as JSON."),
) -> None:
    """Check the installation: library versions, torch threads, CPU features, data and cache
    folders."""
    from neuroflow.doctor import run_checks

    report = run_checks(data_dir)
    if as_json:
        print(json.dumps(report.as_dict(), indent=2))
    else:
        print(report.text())
    if (
        not report.healthy
    ):  # the report above lists them all; one line on stderr says the check failed
        more = (
            f" (and {len(report.problems) - 1} more, listed above)"
            if len(report.problems) > 1
            else ""
        )
        raise CheckFailed(f"doctor found a problem: {report.problems[0]}{more}")
