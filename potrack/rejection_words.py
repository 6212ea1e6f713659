"""How a rejected row's error and its resolution begin: the pipeline writes them with these words and the run cards
count them back by them ('2 bad quantity_ordered, 1 missing supplier_code'; '2 rows written, 1 superseded')."""

MISSING = ": required value is missing"  # after the field's name: a required field without a value
DUPLICATE = "duplicate key "  # before the key: a line that occurs more than once in a snapshot
PASSED = "passed on retry"  # a row retry wrote the row: it passes now
SUPERSEDED = "superseded by run"  # a later snapshot already holds the row's line: not written
