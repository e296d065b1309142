"""oc-apidoctor: diagnose OpenCart's API permission chain (login -> session start -> api_id check)."""

__version__ = "0.1.0"
