"""The canonical PO line fields every source is mapped onto."""

KEY_FIELDS = ("po_number", "line_number")
FIELDS = (
    "item_code", "supplier_code", "description", "uom", "quantity_ordered", "quantity_received", "unit_price",
    "currency", "order_date", "promised_date", "need_by_date", "status", "buyer", "plant",
)
CANONICAL = frozenset(KEY_FIELDS + FIELDS)
