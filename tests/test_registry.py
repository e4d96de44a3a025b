"""neuroflow.registry: names resolve loosely, aliases work, an unknown name lists the valid ones."""

import pytest

from neuroflow.errors import SpecError, UsageError
from neuroflow.registry import Registry, registry_of


def test_names_resolve_case_space_and_underscore_insensitively():
    reg = registry_of("optimizer", {"adam": 1, "rmsprop": 2})
    assert reg.get("Adam") == 1
    assert reg.resolve(" RMSprop ") == "rmsprop"
    assert "ADAM" in reg and "sgd" not in reg
    assert reg.names() == ["adam", "rmsprop"]


def test_aliases_and_the_decorator_register_entries():
    reg: Registry = Registry("kernel")

    @reg.register("box-blur", aliases=("blur",))
    def box():
        return "box"

    reg.alias("box", "box-blur")
    assert reg.get("blur") is box and reg.get("box_blur") is box and reg.get("BOX") is box


def test_an_unknown_name_lists_the_valid_ones_with_the_registry_error():
    reg = registry_of("layer", {"Dense": 1, "Conv2D": 2}, error=SpecError, hint="or write a spec")
    with pytest.raises(SpecError) as err:
        reg.get("Dens")
    assert str(err.value) == "unknown layer 'Dens'. Choose one of: Dense, Conv2D; or write a spec."
    with pytest.raises(UsageError, match="unknown optimizer 'x'. Choose one of: adam"):
        registry_of("optimizer", {"adam": 1}).get("x")
    with pytest.raises(UsageError, match="an empty optimizer name. Choose one of: adam"):
        registry_of("optimizer", {"adam": 1}).get("  ")


def test_aliases_are_listed_in_the_order_added():
    reg = registry_of("kernel", {"box-blur": 1, "sobel": 2})
    reg.alias("blur", "box-blur")
    reg.register("laplacian", 3, aliases=("edge",))
    assert reg.aliases() == {"blur": "box-blur", "edge": "laplacian"}
    assert reg.names() == ["box-blur", "sobel", "laplacian"]
