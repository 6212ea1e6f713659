"""AdventureWorks purchasing data as a real ERP exposes it, mutated night by night, and what potrack must make of it.

- `realdata_dir()` finds the third-party data (POTRACK_REALDATA, else `shared/realdata` beside a parent of the
  repository, else /work/shared/realdata); without it the test is skipped (failed under POTRACK_REQUIRE_SERVICES=1).
- `AwErp` builds a SQLite ERP from the tab-separated files with the original schema's declared types (so SQLite's
  type affinity turns '3.00' into 3 and '50.2600' into 50.26, and keeps DATETIME values as their text), plus the
  `SELECT *` view a DBA would write; its methods change the ERP's tables the way the purchasing office would.
- `night_2` .. `night_4` are the mutations of the scenario, deterministic, returning the keys they touched.
- `write_csv` exports the view as a cp1252 CSV file the way an ERP export job writes one.
- `Model` is the independent expectation: plain Python applying potrack's documented rules to the snapshot the test
  itself wrote (never potrack's pipeline code), keeping the state the store must hold after each night.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
import os
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support import services

# ---------------------------------------------------------------------------------------------------------------
# The data and the ERP database
# ---------------------------------------------------------------------------------------------------------------

REPO = Path(__file__).resolve().parents[2]


def realdata_dir() -> Path:
    """The directory holding `adventureworks/`, or the test is skipped (failed when services are required)."""
    candidates: list[Path] = []
    if os.environ.get("POTRACK_REALDATA"):
        candidates.append(Path(os.environ["POTRACK_REALDATA"]))
    else:
        candidates += [parent / "shared" / "realdata" for parent in REPO.parents]
        candidates.append(Path("/work/shared/realdata"))
    for candidate in candidates:
        if (candidate / "adventureworks" / "PurchaseOrderDetail.csv").is_file():
            return candidate / "adventureworks"
    services.unavailable(
        "the AdventureWorks data is not there (looked in "
        f"{', '.join(str(c) for c in candidates)}; set POTRACK_REALDATA)"
    )
    raise AssertionError("unreachable")  # services.unavailable skips or fails


# The purchasing tables with the declared types of the original SQL Server schema (translated to what SQLite
# accepts). Header and detail are clustered on their keys (WITHOUT ROWID), as on SQL Server: an INTEGER key there
# is not a rowid alias, so, as in any SQLite table, a text value the application slipped in stays text.
SCHEMA = {
    "PurchaseOrderHeader": """
        PurchaseOrderID INTEGER NOT NULL, RevisionNumber TINYINT NOT NULL, Status TINYINT NOT NULL,
        EmployeeID INTEGER NOT NULL, VendorID INTEGER NOT NULL, ShipMethodID INTEGER NOT NULL,
        OrderDate DATETIME NOT NULL, ShipDate DATETIME, SubTotal NUMERIC(19,4) NOT NULL, TaxAmt NUMERIC(19,4) NOT NULL,
        Freight NUMERIC(19,4) NOT NULL, TotalDue NUMERIC(19,4) NOT NULL, ModifiedDate DATETIME NOT NULL,
        CONSTRAINT PK_PurchaseOrderHeader PRIMARY KEY (PurchaseOrderID)""",
    "PurchaseOrderDetail": """
        PurchaseOrderID INTEGER NOT NULL, PurchaseOrderDetailID INTEGER NOT NULL, DueDate DATETIME NOT NULL,
        OrderQty SMALLINT NOT NULL, ProductID INTEGER NOT NULL, UnitPrice NUMERIC(19,4) NOT NULL,
        LineTotal NUMERIC(19,4), ReceivedQty NUMERIC(8,2) NOT NULL, RejectedQty NUMERIC(8,2),
        StockedQty NUMERIC(9,2), ModifiedDate DATETIME NOT NULL,
        CONSTRAINT PK_PurchaseOrderDetail PRIMARY KEY (PurchaseOrderID, PurchaseOrderDetailID)""",
    "Product": """
        ProductID INTEGER NOT NULL PRIMARY KEY, Name NVARCHAR(50) NOT NULL, ProductNumber NVARCHAR(25) NOT NULL,
        MakeFlag BIT NOT NULL, FinishedGoodsFlag BIT NOT NULL, Color NVARCHAR(15), SafetyStockLevel SMALLINT NOT NULL,
        ReorderPoint SMALLINT NOT NULL, StandardCost NUMERIC(19,4) NOT NULL, ListPrice NUMERIC(19,4) NOT NULL,
        Size NVARCHAR(5), SizeUnitMeasureCode NCHAR(3), WeightUnitMeasureCode NCHAR(3), Weight NUMERIC(8,2),
        DaysToManufacture INTEGER NOT NULL, ProductLine NCHAR(2), Class NCHAR(2), Style NCHAR(2),
        ProductSubcategoryID INTEGER, ProductModelID INTEGER, SellStartDate DATETIME NOT NULL, SellEndDate DATETIME,
        DiscontinuedDate DATETIME, rowguid UNIQUEIDENTIFIER NOT NULL, ModifiedDate DATETIME NOT NULL""",
    "Vendor": """
        BusinessEntityID INTEGER NOT NULL PRIMARY KEY, AccountNumber NVARCHAR(15) NOT NULL, Name NVARCHAR(50) NOT NULL,
        CreditRating TINYINT NOT NULL, PreferredVendorStatus BIT NOT NULL, ActiveFlag BIT NOT NULL,
        PurchasingWebServiceURL NVARCHAR(1024), ModifiedDate DATETIME NOT NULL""",
    "ProductVendor": """
        ProductID INTEGER NOT NULL, BusinessEntityID INTEGER NOT NULL, AverageLeadTime INTEGER NOT NULL,
        StandardPrice NUMERIC(19,4) NOT NULL, LastReceiptCost NUMERIC(19,4), LastReceiptDate DATETIME,
        MinOrderQty INTEGER NOT NULL, MaxOrderQty INTEGER NOT NULL, OnOrderQty INTEGER,
        UnitMeasureCode NCHAR(3) NOT NULL, ModifiedDate DATETIME NOT NULL,
        CONSTRAINT PK_ProductVendor PRIMARY KEY (ProductID, BusinessEntityID)""",
}

CLUSTERED = {"PurchaseOrderHeader", "PurchaseOrderDetail"}

# The view a DBA writes for an integration: everything of every table (Product before Vendor, so the product's
# name is `Name` and the vendor's `Name:1`), the unit of measure the vendor sells the product in, and the status
# spelled out. It keeps the header's numeric `Status` beside `StatusText`.
VIEW = """
CREATE VIEW po_lines_v AS
SELECT d.*, h.*, p.*, v.*, pv.UnitMeasureCode,
       CASE h.Status WHEN 1 THEN 'pending' WHEN 2 THEN 'approved' WHEN 3 THEN 'rejected' WHEN 4 THEN 'complete'
       END AS StatusText
FROM PurchaseOrderDetail d
JOIN PurchaseOrderHeader h ON h.PurchaseOrderID = d.PurchaseOrderID
JOIN Product p ON p.ProductID = d.ProductID
JOIN Vendor v ON v.BusinessEntityID = h.VendorID
LEFT JOIN ProductVendor pv ON (pv.ProductID = d.ProductID AND pv.BusinessEntityID = h.VendorID)
"""

# The xref maps four products in five (ProductID not a multiple of 5), so some item codes are unmapped.
XREF_QUERY = (
    "SELECT ProductNumber AS Item_Code, 'P-' || ProductID AS Internal_Part_ID FROM Product WHERE ProductID % 5 <> 0"
)

# potrack's renames, written in the ERP's own spelling: canonical field → the view's column.
RENAMES = {
    "po_number": "PurchaseOrderID",
    "line_number": "PurchaseOrderDetailID",
    "item_code": "ProductNumber",
    "supplier_code": "AccountNumber",
    "description": "Name",
    "uom": "UnitMeasureCode",
    "quantity_ordered": "OrderQty",
    "quantity_received": "ReceivedQty",
    "unit_price": "UnitPrice",
    "order_date": "OrderDate",
    "promised_date": "DueDate",
    "status": "StatusText",
    "buyer": "EmployeeID",
}
CUSTOM = {"RejectedQty": "number", "LineTotal": "number"}

# What every run of this configuration must report about its column mapping.
NOTES = {
    "column Status ignored: status comes from StatusText",
    "not provided by the source: currency, need_by_date, plant",
}


def source_toml(name: str, body: str) -> str:
    """A potrack.toml source table with the AdventureWorks renames and custom columns; `body` adds kind etc."""
    columns = ", ".join(f'{k} = "{v}"' for k, v in RENAMES.items())
    custom = ", ".join(f'{k} = "{v}"' for k, v in CUSTOM.items())
    return f"""
[[sources]]
name = "{name}"
{body.strip()}
columns = {{ {columns} }}
custom_columns = {{ {custom} }}
retry = {{ attempts = 3, backoff_initial_s = 0.01, backoff_max_s = 0.02 }}
"""


def sql_source_toml(name: str, erp: AwErp) -> str:
    return source_toml(
        name,
        f'kind = "sql"\nurl = "{erp.url}"\nquery = "SELECT * FROM po_lines_v"\nxref = {{ query = "{XREF_QUERY}" }}',
    )


def read_tsv(path: Path) -> list[tuple[str | None, ...]]:
    """A table file: tab-separated, no header, an empty field is NULL."""
    with path.open(encoding="ascii", newline="") as fh:
        return [tuple(None if cell == "" else cell for cell in line.rstrip("\r\n").split("\t")) for line in fh]


Key = tuple[int | str, int]  # an ERP detail key: (PurchaseOrderID, PurchaseOrderDetailID)


@dataclass
class AwErp:
    """The ERP database: AdventureWorks purchasing tables in a SQLite file, and the view potrack reads."""

    path: Path

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"

    @classmethod
    def build(cls, data: Path, path: Path) -> AwErp:
        """Create the tables with their declared types and load the files as they are (text, NULL for empty)."""
        con = sqlite3.connect(path)
        with con:
            for table, columns in SCHEMA.items():
                clustered = " WITHOUT ROWID" if table in CLUSTERED else ""
                con.execute(f"CREATE TABLE {table} ({columns}){clustered}")
                rows = read_tsv(data / f"{table}.csv")
                width = len(con.execute(f"PRAGMA table_info({table})").fetchall())
                assert all(len(r) == width for r in rows), f"{table}.csv: rows of another width than the table"
                con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * width)})", rows)
            con.execute(VIEW)
        con.close()
        return cls(path)

    def _connect(self) -> sqlite3.Connection:
        return sqlite3.connect(self.path)

    def snapshot(self) -> Snapshot:
        """What `SELECT * FROM po_lines_v` returns tonight: the view's column names and its rows."""
        con = self._connect()
        try:
            cursor = con.execute("SELECT * FROM po_lines_v")
            rows = cursor.fetchall()
            columns = [d[0] for d in cursor.description]
            types = {r[1]: r[2] for r in con.execute("PRAGMA table_info(po_lines_v)")}
        finally:
            con.close()
        return Snapshot(columns, [list(r) for r in rows], types=[types.get(c, "") for c in columns])

    def xref(self) -> dict[str, str]:
        """The mapping the xref query gives, computed here from the Product rows (ProductID not a multiple of 5)."""
        con = self._connect()
        try:
            products = con.execute("SELECT ProductID, ProductNumber FROM Product").fetchall()
        finally:
            con.close()
        return {str(code).strip(): f"P-{pid}" for pid, code in products if code is not None and pid % 5 != 0}

    # -- reading and changing the tables ----------------------------------------------------------------------

    def query(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        con = self._connect()
        try:
            return con.execute(sql, params).fetchall()
        finally:
            con.close()

    def execute(self, sql: str, rows: Iterable[Sequence[Any]] = ((),)) -> None:
        con = self._connect()
        with con:
            con.executemany(sql, list(rows))
        con.close()

    def detail_keys(self) -> list[Key]:
        """Every detail row's key, in key order."""
        return sorted(
            self.query("SELECT PurchaseOrderID, PurchaseOrderDetailID FROM PurchaseOrderDetail"),
            key=lambda k: (str(type(k[0])), k),
        )

    def detail(self, key: Key) -> dict[str, Any]:
        con = self._connect()
        con.row_factory = sqlite3.Row
        try:
            row = con.execute(
                "SELECT * FROM PurchaseOrderDetail WHERE PurchaseOrderID = ? AND PurchaseOrderDetailID = ?", key
            ).fetchone()
        finally:
            con.close()
        assert row is not None, f"no detail row {key}"
        return dict(row)

    def update_detail(self, key: Key, **values: Any) -> None:
        sets = ", ".join(f"{c} = ?" for c in values)
        self.execute(
            f"UPDATE PurchaseOrderDetail SET {sets} WHERE PurchaseOrderID = ? AND PurchaseOrderDetailID = ?",
            [(*values.values(), *key)],
        )

    def insert_detail(self, row: dict[str, Any]) -> None:
        self.insert_details([row])

    def insert_details(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert detail rows (all with the columns of the first)."""
        columns = list(rows[0])
        self.execute(
            f"INSERT INTO PurchaseOrderDetail ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            [tuple(r[c] for c in columns) for r in rows],
        )

    def delete_details(self, keys: Iterable[Key]) -> list[dict[str, Any]]:
        """Delete detail rows; returns them as they were, for the ERP to bring back later."""
        wanted = set(keys)
        con = self._connect()
        con.row_factory = sqlite3.Row
        try:
            every = [dict(r) for r in con.execute("SELECT * FROM PurchaseOrderDetail")]
        finally:
            con.close()
        gone = [r for r in every if (r["PurchaseOrderID"], r["PurchaseOrderDetailID"]) in wanted]
        assert len(gone) == len(wanted), "deleting detail rows that do not exist"
        self.execute(
            "DELETE FROM PurchaseOrderDetail WHERE PurchaseOrderID = ? AND PurchaseOrderDetailID = ?",
            [(r["PurchaseOrderID"], r["PurchaseOrderDetailID"]) for r in gone],
        )
        return gone

    def copy_row(self, table: str, where: str, *params: Any, **changes: Any) -> None:
        """Insert a copy of one row of a table with some columns changed (a new product, header...)."""
        con = self._connect()
        con.row_factory = sqlite3.Row
        try:
            row = dict(con.execute(f"SELECT * FROM {table} WHERE {where}", params).fetchone())
        finally:
            con.close()
        row.update(changes)
        self.execute(
            f"INSERT INTO {table} ({', '.join(row)}) VALUES ({', '.join('?' * len(row))})", [tuple(row.values())]
        )


# ---------------------------------------------------------------------------------------------------------------
# The nights
# ---------------------------------------------------------------------------------------------------------------


def later(datetime_text: str, days: int) -> str:
    """A DATETIME text of the ERP moved by some days, in the ERP's own format."""
    moved = dt.datetime.strptime(datetime_text, "%Y-%m-%d %H:%M:%S.%f") + dt.timedelta(days=days)
    return moved.strftime("%Y-%m-%d %H:%M:%S.") + f"{moved.microsecond // 1000:03d}"


def pick(keys: Sequence[Key], residue: int, modulus: int = 100) -> list[Key]:
    """Every key whose position in key order has this residue: a spread, deterministic selection."""
    return [k for i, k in enumerate(keys) if i % modulus == residue]


def slip(erp: AwErp, keys: Iterable[Key], days: int) -> None:
    """The supplier moves the due date of these lines."""
    for key in keys:
        erp.update_detail(key, DueDate=later(erp.detail(key)["DueDate"], days))


def receive(erp: AwErp, keys: Iterable[Key], quantity: float) -> None:
    """Goods received on these lines: ReceivedQty (and StockedQty = received - rejected) rise."""
    for key in keys:
        row = erp.detail(key)
        received = round(row["ReceivedQty"] + quantity, 2)
        erp.update_detail(key, ReceivedQty=received, StockedQty=round(received - (row["RejectedQty"] or 0), 2))


def reprice(erp: AwErp, keys: Iterable[Key], factor: float) -> None:
    """A new unit price on these lines; LineTotal (a computed column on SQL Server) follows."""
    for key in keys:
        row = erp.detail(key)
        price = round(row["UnitPrice"] * factor, 4)
        erp.update_detail(key, UnitPrice=price, LineTotal=round(price * row["OrderQty"], 4))


@dataclass
class Night2:
    """The keys night 2 touched (ERP keys; the stored key is (str(po), line))."""

    slipped: list[Key]
    received: list[Key]
    repriced: list[Key]
    removed: list[dict[str, Any]]  # the deleted detail rows, as they were
    new: list[Key]
    epsilon: Key  # ReceivedQty 3 -> 3.0000001: no change after rounding to 6 decimals
    bad_active: dict[str, Key]  # problem -> an active line whose row is corrupt tonight
    bad_new: dict[str, Key]  # problem -> a new row that is corrupt
    tab_line: Key  # a new line whose description holds a tab (allowed)


LONG_PO = "PO-2022-" + "X" * 62  # 70 characters in an INTEGER column: SQLite keeps the text


def night_2(erp: AwErp) -> Night2:
    """Slips, receipts, price changes, removals, new lines, and every kind of corrupt cell a SQLite view can carry."""
    keys = erp.detail_keys()
    base = erp.detail(keys[0])  # (row templates, taken before any row changes or goes)
    templates = [erp.detail(keys[(n * 53 + 7) % len(keys)]) for n in range(10)]
    slipped = pick(keys, 5)
    received = pick(keys, 11)
    repriced = pick(keys, 17) + pick(keys, 5, 200)  # the second set also slips: two changed fields on one line
    removed = pick(keys, 23)
    slip(erp, slipped, 7)
    receive(erp, received, 1.5)
    reprice(erp, repriced, 1.05)
    gone = erp.delete_details(removed)

    untouched = [k for i, k in enumerate(keys) if i % 100 in (61, 67, 71, 73, 79)]
    epsilon = next(k for k in untouched if erp.detail(k)["ReceivedQty"] == 3)
    erp.update_detail(epsilon, ReceivedQty=3.0000001)

    # Corrupt rows on active lines: each must leave its stored line exactly as it was.
    active_negative, active_baddate, active_thousands = [k for k in untouched if k != epsilon][:3]
    receive(erp, [active_negative], 2)  # a real receipt on the same row: still no batch while the row is rejected
    erp.update_detail(active_negative, OrderQty=-5)
    erp.update_detail(active_baddate, DueDate="next week")
    erp.update_detail(active_thousands, UnitPrice="1,234.50")

    # New lines: on existing POs (next detail ids), some received already, one without a RejectedQty, and a new PO
    # from a vendor with no ProductVendor row for its product (no unit of measure).
    next_id = max(k[1] for k in keys) + 1
    new: list[Key] = []
    for n, template in enumerate(templates):
        po = keys[(n * 37) % len(keys)][0]
        row = {
            **template,
            "PurchaseOrderID": po,
            "PurchaseOrderDetailID": next_id + n,
            "ReceivedQty": [0, 2, 0, 5.5, 0, 1, 0, 0, 3, 0][n],
            "RejectedQty": None if n == 4 else 0,
        }
        erp.insert_detail(row)
        new.append((po, next_id + n))
    next_id += 10
    new_po = max(k[0] for k in keys if isinstance(k[0], int)) + 1
    erp.copy_row(
        "PurchaseOrderHeader",
        "PurchaseOrderID = ?",
        keys[0][0],
        PurchaseOrderID=new_po,
        VendorID=1492,
        Status=2,
        OrderDate="2022-06-01 00:00:00.000",
    )
    erp.insert_detail({**base, "PurchaseOrderID": new_po, "PurchaseOrderDetailID": next_id, "ReceivedQty": 0})
    new.append((new_po, next_id))
    next_id += 1

    def new_product(pid: int, name: str, number: str) -> None:
        erp.copy_row(
            "Product",
            "ProductID = 1",
            ProductID=pid,
            Name=name,
            ProductNumber=number,
            rowguid=f"00000000-0000-0000-0000-{pid:012d}",
        )

    def new_line(product: int | None = None, **values: Any) -> Key:
        nonlocal next_id
        row = {**base, "PurchaseOrderDetailID": next_id, **values}
        if product is not None:
            row["ProductID"] = product
        next_id += 1
        erp.insert_detail(row)
        return (row["PurchaseOrderID"], row["PurchaseOrderDetailID"])

    new_product(1001, "Chainring\x00Bolts", "CB-1001")
    new_product(1002, "Chainring Nut", "CN-\x071002")
    new_product(1003, "Touring Rear Rack, " + "heavy duty steel with adjustable legs; " * 11, "TR-1003")
    new_product(1004, "Touring\tPannier", "TP-1004")  # a tab is allowed in a description
    bad_new = {
        "description NUL": new_line(1001),
        "item_code control": new_line(1002),
        "description long": new_line(1003),
        "line_number big": new_line(PurchaseOrderDetailID=3_000_000_000),
    }
    erp.copy_row("PurchaseOrderHeader", "PurchaseOrderID = ?", keys[0][0], PurchaseOrderID=LONG_PO)
    bad_new["po_number long"] = new_line(PurchaseOrderID=LONG_PO)
    tab_line = new_line(1004, ReceivedQty=1)
    new.append(tab_line)
    return Night2(
        slipped,
        received,
        repriced,
        gone,
        new,
        epsilon,
        {"quantity_ordered": active_negative, "promised_date": active_baddate, "unit_price": active_thousands},
        bad_new,
        tab_line,
    )


@dataclass
class Night3:
    reappeared_higher: list[Key]
    reappeared_same: list[Key]
    fixed: list[Key]
    received: list[Key]
    slipped: list[Key]
    corrected_down: Key  # ReceivedQty lowered (a correction): a change, no batch


def night_3(erp: AwErp, n2: Night2) -> Night3:
    """Some removed lines come back (some received more meanwhile), the corrupt rows are fixed, more receipts, slips
    and one receipt corrected down."""
    back = n2.removed[::2]
    higher = back[: len(back) // 2]
    for row in back:
        extra = 2 if row in higher else 0
        erp.insert_detail({**row, "ReceivedQty": row["ReceivedQty"] + extra})
    keys = erp.detail_keys()
    received = pick(keys, 41)
    slipped = pick(keys, 47)
    receive(erp, received, 4)
    slip(erp, slipped, 14)
    corrected = next(k for k in pick(keys, 83) if erp.detail(k)["ReceivedQty"] >= 3)  # (not a line at 0)
    erp.update_detail(corrected, ReceivedQty=erp.detail(corrected)["ReceivedQty"] - 1)

    neg, baddate, thousands = (n2.bad_active[f] for f in ("quantity_ordered", "promised_date", "unit_price"))
    erp.update_detail(neg, OrderQty=5)
    erp.update_detail(baddate, DueDate="2022-07-15 00:00:00.000")
    erp.update_detail(thousands, UnitPrice=1234.5, LineTotal=round(1234.5 * erp.detail(thousands)["OrderQty"], 4))
    erp.execute("UPDATE Product SET Name = 'Chainring Bolts' WHERE ProductID = 1001")
    erp.execute("UPDATE Product SET ProductNumber = 'CN-1002' WHERE ProductID = 1002")
    erp.execute("UPDATE Product SET Name = 'Touring Rear Rack' WHERE ProductID = 1003")
    big = n2.bad_new["line_number big"]
    fixed_big = (big[0], max(k[1] for k in keys if k[1] < 2_000_000_000) + 1)
    erp.update_detail(big, PurchaseOrderDetailID=fixed_big[1])
    fixed_po = max(k[0] for k in keys if isinstance(k[0], int)) + 1
    long_key = n2.bad_new["po_number long"]
    erp.execute("UPDATE PurchaseOrderHeader SET PurchaseOrderID = ? WHERE PurchaseOrderID = ?", [(fixed_po, LONG_PO)])
    erp.update_detail(long_key, PurchaseOrderID=fixed_po)
    fixed = [
        neg,
        baddate,
        thousands,
        n2.bad_new["description NUL"],
        n2.bad_new["item_code control"],
        n2.bad_new["description long"],
        fixed_big,
        (fixed_po, long_key[1]),
    ]
    return Night3(
        [(r["PurchaseOrderID"], r["PurchaseOrderDetailID"]) for r in higher],
        [(r["PurchaseOrderID"], r["PurchaseOrderDetailID"]) for r in back if r not in higher],
        fixed,
        received,
        slipped,
        corrected,
    )


@dataclass
class Night4:
    received: list[Key]
    reappeared: Key  # a line still removed since night 2 comes back during the baseline, with more received
    removed: Key


def night_4(erp: AwErp, n2: Night2) -> Night4:
    """The same data plus a few receipts, one line back (received more while gone) and one line gone."""
    keys = erp.detail_keys()
    received = pick(keys, 53)
    receive(erp, received, 2.25)
    row = n2.removed[1]  # an odd one: not brought back on night 3
    erp.insert_detail({**row, "ReceivedQty": row["ReceivedQty"] + 7})
    [gone] = erp.delete_details([pick(keys, 59)[0]])
    return Night4(
        received,
        (row["PurchaseOrderID"], row["PurchaseOrderDetailID"]),
        (gone["PurchaseOrderID"], gone["PurchaseOrderDetailID"]),
    )


# ---------------------------------------------------------------------------------------------------------------
# A CSV export of the view
# ---------------------------------------------------------------------------------------------------------------


@dataclass
class Snapshot:
    """Rows as a source gives them: column names, cell values, and for a file each row's line number.

    `problems` marks rows the file cannot give as rows of its header (undecodable bytes, extra cells).
    """

    columns: list[str]
    rows: list[list[Any]]
    types: list[str] = field(default_factory=list)
    lines: list[int] | None = None
    problems: dict[int, str] = field(default_factory=dict)  # row index -> "encoding" | "cells"


_SCALE = re.compile(r"NUMERIC\(\d+,(\d+)\)")


def export_cell(value: Any, declared: str) -> str:
    """A value as an ERP export writes it: NUMERIC(p,s) with its s decimals (unless that would change it), text as
    stored, NULL as an empty cell."""
    if value is None:
        return ""
    scale = _SCALE.fullmatch(declared)
    if scale and isinstance(value, (int, float)) and round(value, int(scale.group(1))) == value:
        return f"{value:.{scale.group(1)}f}"
    if isinstance(value, float):
        return repr(value)
    return str(value)


BAD_BYTES_MARK = "{{0x81}}"


def write_csv(path: Path, snapshot: Snapshot, extra_rows: Sequence[tuple[int, str | None, list[str]]] = ()) -> Snapshot:
    """Export a view snapshot as a cp1252 CSV file (header: the view's column names), with extra rows inserted at
    row positions: (position, None, cells) an ordinary row; (position, "encoding", cells) a row whose
    BAD_BYTES_MARK is written as the raw byte 0x81, which cp1252 does not define; (position, "cells", cells) a row
    with more cells than the header. Returns the file as the model reads it: the cells as text (empty -> NULL),
    each row's line number in the file, and the rows the file cannot give as rows of its header."""
    rows: list[tuple[str | None, list[str]]] = [
        (None, [export_cell(v, t) for v, t in zip(row, snapshot.types, strict=True)]) for row in snapshot.rows
    ]
    for position, kind, cells in sorted(extra_rows, key=lambda e: e[0]):
        rows.insert(position, (kind, cells))
    with path.open("wb") as fh:
        for cells in [snapshot.columns, *(cells for _kind, cells in rows)]:
            text = io.StringIO()
            csv.writer(text).writerow(cells)
            fh.write(text.getvalue().encode("cp1252").replace(BAD_BYTES_MARK.encode(), b"\x81"))
    # No cell holds a line break, so row i is on line i + 2 (the header is line 1).
    assert not any("\n" in c or "\r" in c for _kind, cells in rows for c in cells)
    return Snapshot(
        snapshot.columns,
        [[None if c == "" else c for c in cells] for _kind, cells in rows],
        lines=[i + 2 for i in range(len(rows))],
        problems={i: kind for i, (kind, _cells) in enumerate(rows) if kind is not None},
    )


def write_xref_csv(path: Path, mapping: dict[str, str]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(["item_code", "internal_part_id"])
        writer.writerows(sorted(mapping.items()))


# ---------------------------------------------------------------------------------------------------------------
# The expected model: potrack's rules applied in plain Python
# ---------------------------------------------------------------------------------------------------------------

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
TEXT_LIMITS = {
    "po_number": 64,
    "item_code": 64,
    "supplier_code": 64,
    "buyer": 64,
    "plant": 64,
    "description": 400,
    "uom": 20,
    "currency": 8,
    "status": 32,
}
NUMBERS = {"quantity_ordered", "quantity_received", "unit_price"}
DATES = {"order_date", "promised_date", "need_by_date"}
REQUIRED = {
    "po_number",
    "line_number",
    "item_code",
    "supplier_code",
    "quantity_ordered",
    "quantity_received",
    "unit_price",
    "promised_date",
    "status",
}
MULTILINE = {"description"}  # (and custom text columns): tab, CR and LF allowed
LINE_LIMIT = 2_000_000_000
CONTROL = re.compile(r"[\x00-\x1f]")
CONTROL_BUT_BREAKS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
DATETIME = re.compile(r"(\d{4}-\d{2}-\d{2})([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


class Bad(ValueError):
    """A cell potrack must reject; the message starts with the field's name."""


def norm_text(name: str, value: Any, limit: int, multiline: bool = False) -> str | None:
    """A text field: an int (or integral float) as its digits, stripped, '' -> NULL; a C0 control character (but
    tab, CR and LF where multiline) or more than `limit` characters rejects the row."""
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = value if isinstance(value, str) else str(value)
    if (CONTROL_BUT_BREAKS if multiline else CONTROL).search(text):
        raise Bad(f"{name}: a control character")
    text = text.strip()
    if not text:
        return None
    if len(text) > limit:
        raise Bad(f"{name}: longer than {limit}")
    return text


def blank_as_none(text: str) -> str | None:
    """A cell's text stripped, or None when nothing is left (an empty cell is NULL)."""
    return text.strip() or None


def norm_number(name: str, value: Any) -> float | None:
    """A number field: a float rounded to 6 decimals, -0 as 0; text must be a plain ASCII decimal (no thousands
    separators); negative or not a number rejects the row."""
    if isinstance(value, str):
        text = blank_as_none(value)
        if text is None:
            return None
        if not DECIMAL.fullmatch(text):
            raise Bad(f"{name}: not a number")
        number = float(text)
    elif value is None:
        return None
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
    else:
        raise Bad(f"{name}: not a number")
    if math.isnan(number) or math.isinf(number) or number < 0:
        raise Bad(f"{name}: negative or not finite")
    return round(number, 6) + 0.0  # (+ 0.0 turns -0.0 into 0.0)


def norm_date(name: str, value: Any) -> str | None:
    """A date field as ISO text: the date part of an ISO datetime text, YYYY-MM-DD or YYYYMMDD; else the row is
    rejected."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise Bad(f"{name}: not a date")
    text = blank_as_none(value)
    if text is None:
        return None
    try:
        if len(text) == 8 and text.isdigit():
            return dt.date(int(text[:4]), int(text[4:6]), int(text[6:])).isoformat()
        match = DATETIME.fullmatch(text)
        if match is None:
            raise ValueError(text)
        return dt.date.fromisoformat(match.group(1)).isoformat()
    except ValueError:
        raise Bad(f"{name}: not a date") from None


def norm_line(value: Any) -> int | None:
    """The line number: a whole number from 0 to 2,000,000,000; else the row is rejected."""
    if isinstance(value, str):
        text = blank_as_none(value)
        if text is None:
            return None
        if not re.fullmatch(r"\+?\d+", text):
            raise Bad("line_number: not a whole number")
        number = int(text)
    elif value is None:
        return None
    elif isinstance(value, int) and not isinstance(value, bool):
        number = value
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    else:
        raise Bad("line_number: not a whole number")
    if not 0 <= number <= LINE_LIMIT:
        raise Bad("line_number: over the limit")
    return number


def canonical_text(value: Any) -> str | None:
    """A value as a change event holds it."""
    if value is None:
        return None
    if isinstance(value, float):
        return f"{value:.15g}"
    return str(value)


StoreKey = tuple[str, int]


@dataclass
class Rejection:
    """A row potrack must reject: its key (None when unreadable), the fields it must name, its file line."""

    row_key: str | None
    fields: tuple[str, ...]
    line: int | None = None


@dataclass
class Outcome:
    """Everything one run must produce."""

    status: str
    metrics: dict[str, int]
    events: set[tuple[str, int, str, str | None, str | None, str | None]]
    batches: set[tuple[str, int, float, float]]
    rejections: list[Rejection]
    new_keys: set[StoreKey]
    reappeared: set[StoreKey]
    changed_keys: set[StoreKey]
    removed_keys: set[StoreKey]


@dataclass
class StoredLine:
    """A line as the store must hold it."""

    values: dict[str, Any]  # the 14 fields, internal_part_id and custom (dict or None)
    active: bool
    first_seen_run_id: int
    last_changed_run_id: int


TRACKED = (*FIELDS, "internal_part_id")


@dataclass
class Model:
    """The store's expected state for one source, night after night."""

    lines: dict[StoreKey, StoredLine] = field(default_factory=dict)
    received_went_down: set[StoreKey] = field(default_factory=set)

    def parse(
        self, snapshot: Snapshot, xref: dict[str, str]
    ) -> tuple[dict[StoreKey, dict[str, Any]], list[Rejection], set[StoreKey]]:
        """Valid lines by key, the rejections, and the readable keys of the rejected rows."""
        index = {c: i for i, c in enumerate(snapshot.columns)}
        parsed: list[tuple[StoreKey | None, dict[str, Any] | None, list[str], int]] = []
        for n, row in enumerate(snapshot.rows):
            key = self.key_of(row, index)
            problem = snapshot.problems.get(n)
            if problem is not None:
                parsed.append((key, None, [problem], n))
                continue
            values, bad = self.values_of(row, index)
            parsed.append((key, None if bad else values, bad, n))
        counts = Counter(key for key, *_ in parsed if key is not None)
        valid: dict[StoreKey, dict[str, Any]] = {}
        rejections: list[Rejection] = []
        rejected_keys: set[StoreKey] = set()
        for key, values, bad, n in parsed:
            if key is not None and counts[key] > 1:
                bad = [*bad, "duplicate"]
            if bad or values is None:
                line = snapshot.lines[n] if snapshot.lines else None
                rejections.append(Rejection(None if key is None else f"{key[0]}/{key[1]}", tuple(bad), line))
                if key is not None:
                    rejected_keys.add(key)
                continue
            assert key is not None
            values["internal_part_id"] = xref.get(values["item_code"])
            valid[key] = values
        return valid, rejections, rejected_keys

    @staticmethod
    def key_of(row: Sequence[Any], index: dict[str, int]) -> StoreKey | None:
        try:
            po = norm_text("po_number", row[index[RENAMES["po_number"]]], TEXT_LIMITS["po_number"])
            line = norm_line(row[index[RENAMES["line_number"]]])
        except (Bad, IndexError):
            return None
        return None if po is None or line is None else (po, line)

    @staticmethod
    def values_of(row: Sequence[Any], index: dict[str, int]) -> tuple[dict[str, Any], list[str]]:
        """A row's canonical values, and the fields whose cells must reject it."""
        values: dict[str, Any] = {}
        bad: list[str] = []
        for name in ("po_number", "line_number", *FIELDS):
            column = RENAMES.get(name)
            raw = None if column is None else row[index[column]]  # a field the view does not give is NULL
            try:
                if name == "line_number":
                    value = norm_line(raw)
                elif name in NUMBERS:
                    value = norm_number(name, raw)
                elif name in DATES:
                    value = norm_date(name, raw)
                else:
                    value = norm_text(name, raw, TEXT_LIMITS[name], multiline=name in MULTILINE)
            except Bad:
                bad.append(name)
                continue
            if value is None and name in REQUIRED:
                bad.append(name)
            values[name] = value
        custom: dict[str, Any] = {}
        for name, kind in CUSTOM.items():
            assert kind == "number"
            try:
                value = norm_number(name, row[index[name]])
            except Bad:
                bad.append(name)
                continue
            if value is not None:
                custom[name.lower()] = value
        values["custom"] = custom or None
        for name in ("po_number", "line_number"):
            values.pop(name, None)
        return values, bad

    def apply(self, snapshot: Snapshot, xref: dict[str, str], run_id: int, baseline: bool) -> Outcome:
        """Run one night against the model's state; returns what the run must produce and updates the state."""
        valid, rejections, rejected_keys = self.parse(snapshot, xref)
        active_before = {k for k, line in self.lines.items() if line.active}
        events: set[tuple[str, int, str, str | None, str | None, str | None]] = set()
        batches: set[tuple[str, int, float, float]] = set()
        new_keys: set[StoreKey] = set()
        reappeared: set[StoreKey] = set()
        changed_keys: set[StoreKey] = set()
        for key, values in valid.items():
            stored = self.lines.get(key)
            before = 0.0 if stored is None else stored.values["quantity_received"]
            now = values["quantity_received"]
            if now > before:
                batches.add((*key, round(now - before, 6), now))
            elif now < before:
                self.received_went_down.add(key)
            if key not in active_before:
                new_keys.add(key)
                if stored is not None:
                    reappeared.add(key)
                if not baseline:
                    events.add((*key, "new", None, None, "reappeared" if stored is not None else None))
            else:
                assert stored is not None
                differences = self.differences(stored.values, values)
                if differences:
                    changed_keys.add(key)
                    if not baseline:
                        events |= {(*key, "changed", f, o, n) for f, o, n in differences}
            written = baseline or key in new_keys or key in changed_keys
            if stored is None:
                self.lines[key] = StoredLine(values, True, run_id, run_id)
            elif written:
                stored.values, stored.active, stored.last_changed_run_id = values, True, run_id
        removed = active_before - set(valid) - rejected_keys
        for key in removed:
            self.lines[key].active = False
            self.lines[key].last_changed_run_id = run_id
            if not baseline:
                events.add((*key, "removed", None, None, None))
        field_events = sum(1 for e in events if e[2] == "changed")
        metrics = {
            "lines_processed": len(snapshot.rows),
            "lines_new": len(valid) if baseline else len(new_keys),
            "lines_changed": 0 if baseline else len(changed_keys),
            "lines_removed": len(removed),
            "change_events": 0 if baseline else field_events + len(removed),
            "batches_reconstructed": len(batches),
            "custom_values": sum(len(v["custom"] or {}) for v in valid.values()),
            "xref_gaps": len({v["item_code"] for v in valid.values() if v["internal_part_id"] is None}),
            "errors": len(rejections),
            "retry_attempts": 0,
        }
        return Outcome(
            "partial" if rejections else "success",
            metrics,
            events,
            batches,
            rejections,
            new_keys,
            reappeared,
            changed_keys,
            removed,
        )

    @staticmethod
    def differences(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str | None, str | None]]:
        """(field, old, new) as canonical text for every tracked field that differs."""
        out = [(f, canonical_text(old[f]), canonical_text(new[f])) for f in TRACKED if old[f] != new[f]]
        old_custom, new_custom = old["custom"] or {}, new["custom"] or {}
        for name in sorted(c.lower() for c in CUSTOM):
            if old_custom.get(name) != new_custom.get(name):
                out.append((name, canonical_text(old_custom.get(name)), canonical_text(new_custom.get(name))))
        return out

    def active_count(self) -> int:
        return sum(1 for line in self.lines.values() if line.active)

    def expected_rows(self) -> dict[StoreKey, dict[str, Any]]:
        """Every line as `project(stored row)` must show it."""
        return {
            k: {
                **line.values,
                "active": line.active,
                "first_seen_run_id": line.first_seen_run_id,
                "last_changed_run_id": line.last_changed_run_id,
            }
            for k, line in self.lines.items()
        }


def project(row: dict[str, Any]) -> dict[str, Any]:
    """A stored po_lines row in the model's terms: dates as ISO text, custom decoded, the run ids and active flag."""
    out = {f: row[f].isoformat() if isinstance(row[f], dt.date) else row[f] for f in FIELDS}
    custom = row["custom"]
    out["internal_part_id"] = row["internal_part_id"]
    out["custom"] = json.loads(custom) if isinstance(custom, str) else custom  # (SQLite may give the text)
    out.update(
        active=bool(row["active"]),
        first_seen_run_id=row["first_seen_run_id"],
        last_changed_run_id=row["last_changed_run_id"],
    )
    return out
