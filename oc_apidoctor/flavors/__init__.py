"""One module per OpenCart family: what it reads and which checks form its chain.

A flavor module defines FAMILY, CHAIN (an ordered tuple of checks), gather(db, files,
version, inputs) -> Facts, and optionally effective_version(define, files) for families
whose VERSION define is ambiguous (spec §2.1).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass

from oc_apidoctor import __version__
from oc_apidoctor.checks import Check
from oc_apidoctor.errors import OcApidoctorError
from oc_apidoctor.facts import Facts
from oc_apidoctor.shop.files import ShopFiles
from oc_apidoctor.shop.version import OcVersion

Gather = Callable[..., Facts]
EffectiveVersion = Callable[
    [OcVersion | None, ShopFiles | None], tuple[OcVersion | None, tuple[str, ...]]
]

# family -> module in this package; families absent here are not supported yet.
MODULES = {
    "2.0": "v20",
    "2.1": "v21",
    "2.2": "v22",
    "2.3": "v23",
    "3.0": "v30",
    "4.0": "v40",
    "4.1": "v41",
}


@dataclass(frozen=True)
class Flavor:
    family: str
    chain: tuple[Check, ...]
    gather: Gather
    effective_version: EffectiveVersion


def _as_written(
    define: OcVersion | None, _files: ShopFiles | None
) -> tuple[OcVersion | None, tuple[str, ...]]:
    return define, ()


def flavor_for(family: str | None, version_label: str) -> Flavor:
    module_name = MODULES.get(family or "")
    if module_name is None:
        supported = ", ".join(sorted(MODULES))
        raise OcApidoctorError(
            f"OpenCart {version_label} (family {family or 'unknown'}) is not supported by "
            f"oc-apidoctor {__version__} yet: it diagnoses families {supported}",
        )
    module = importlib.import_module(f"oc_apidoctor.flavors.{module_name}")
    return Flavor(
        family=module.FAMILY,
        chain=module.CHAIN,
        gather=module.gather,
        effective_version=getattr(module, "effective_version", _as_written),
    )
