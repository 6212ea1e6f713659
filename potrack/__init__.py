"""potrack: nightly ingestion of ERP purchase-order lines, with a run monitor."""

__version__ = "0.1.0"
