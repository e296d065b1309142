"""One module per OpenCart family: what it reads and which checks form its chain."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType

from oc_apidoctor import __version__
from oc_apidoctor.checks import Check
from oc_apidoctor.errors import OcApidoctorError
from oc_apidoctor.facts import Facts

Gather = Callable[..., Facts]


@dataclass(frozen=True)
class Flavor:
    family: str
    chain: tuple[Check, ...]
    gather: Gather


def _load(module: ModuleType) -> Flavor:
    return Flavor(family=module.FAMILY, chain=module.CHAIN, gather=module.gather)


def flavor_for(family: str | None, version_label: str) -> Flavor:
    if family == "3.0":
        from oc_apidoctor.flavors import v30

        return _load(v30)
    raise OcApidoctorError(
        f"OpenCart {version_label} (family {family or 'unknown'}) is not supported by "
        f"oc-apidoctor {__version__} yet: it diagnoses OpenCart 3.0.x",
        hint="support for 2.x and 4.x is on the way",
    )
