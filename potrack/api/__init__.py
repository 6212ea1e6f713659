"""The JSON API under /api: one route table (routes.py), one module per resource."""

from potrack.api.routes import register_api

__all__ = ["register_api"]
