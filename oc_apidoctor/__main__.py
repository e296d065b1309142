"""Entry point for ``python -m oc_apidoctor``."""

from oc_apidoctor.cli import main

main()
