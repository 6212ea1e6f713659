"""The canonical PO line fields every source is mapped onto, which of them a row must have, and their limits."""

KEY_FIELDS = ("po_number", "line_number")
FIELDS = (
    "item_code",
    "supplier_code",
    "description",
    "uom",
    "quantity_ordered",
    "quantity_received",
    "unit_price",
    "currency",
    "order_date",
    "promised_date",
    "need_by_date",
    "status",
    "buyer",
    "plant",
)
CANONICAL = frozenset(KEY_FIELDS + FIELDS)
REQUIRED = frozenset(
    (
        "po_number",
        "line_number",
        "item_code",
        "supplier_code",
        "quantity_ordered",
        "quantity_received",
        "unit_price",
        "promised_date",
        "status",
    )
)
NUMBER_FIELDS = frozenset(("quantity_ordered", "quantity_received", "unit_price"))
DATE_FIELDS = frozenset(("order_date", "promised_date", "need_by_date"))
# The store's column widths (potrack/store/models.py): a longer value is rejected, never cut.
TEXT_LIMITS = {
    "po_number": 64,
    "item_code": 64,
    "supplier_code": 64,
    "description": 400,
    "uom": 20,
    "currency": 8,
    "status": 32,
    "buyer": 64,
    "plant": 64,
}
CUSTOM_TEXT_LIMIT = 1000
PART_ID_LIMIT = 64
LINE_NUMBER_MAX = 2_000_000_000  # the store's line_number is a 32-bit integer
NUMBER_DECIMALS = 6  # quantities and prices are stored, compared and batched at 6 decimal places
# Free text may hold tabs and line breaks; codes, keys and the other short fields may not.
MULTILINE_FIELDS = frozenset(("description",))


def custom_key(name: str) -> str:
    """The name a custom column's values are stored and diffed under: its configured name in lower case."""
    return name.strip().lower()
