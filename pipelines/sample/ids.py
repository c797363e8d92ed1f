"""Salesforce record ids: 15-character case-sensitive ids and their 18-character case-safe form.

The 18-character form appends three characters computed from the 15-character id: for each block of
five characters, a 5-bit number whose bit i is set when character i of the block is an upper-case
letter, looked up in ``ABCDEFGHIJKLMNOPQRSTUVWXYZ012345``. ``001A0000006Vm9r`` → ``001A0000006Vm9rIAC``.

The generator numbers records per object and turns the number into an id of the shape
``<3-char key prefix><2-char pod><10 base-62 digits>``; :data:`SFID_MACRO_SQL` does the same in DuckDB
so that millions of ids are made without a Python loop.
"""

from __future__ import annotations

SUFFIX_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
BASE62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
POD = "5g"  # instance/pod characters shared by every generated id

# Key prefixes: real ones where Salesforce fixes them, plausible Veeva custom-object prefixes otherwise.
PREFIX = {
    "User": "005",
    "Account": "001",
    "Opportunity": "006",
    "ForecastingQuota": "0J9",
    "DatedConversionRate": "04w",
    "Call2_vod__c": "a04",
    "Coaching_Report_vod__c": "a0X",
}


class SalesforceIdError(ValueError):
    """A string that is not a 15- or 18-character Salesforce id."""


def checksum_suffix(id15: str) -> str:
    """The three case-safe characters Salesforce appends to a 15-character id."""
    if len(id15) != 15:
        raise SalesforceIdError(f"'{id15}' has {len(id15)} characters, a 15-character id was expected")
    out = []
    for block in range(3):
        bits = 0
        for i, ch in enumerate(id15[block * 5 : block * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        out.append(SUFFIX_ALPHABET[bits])
    return "".join(out)


def to18(id15: str) -> str:
    """15-character id → 18-character case-safe id (an 18-character id is checked and returned)."""
    if len(id15) == 18:
        if checksum_suffix(id15[:15]) != id15[15:]:
            raise SalesforceIdError(f"'{id15}' has a wrong case-safe suffix")
        return id15
    return id15 + checksum_suffix(id15)


def to15(id18: str) -> str:
    """18-character id → the 15-character form (as Salesforce reports print it)."""
    if len(id18) == 15:
        return id18
    if len(id18) != 18:
        raise SalesforceIdError(f"'{id18}' has {len(id18)} characters, an 18-character id was expected")
    return id18[:15]


def base62(n: int, width: int = 10) -> str:
    if n < 0 or n >= 62**width:
        raise SalesforceIdError(f"record number {n} does not fit {width} base-62 digits")
    digits = []
    for _ in range(width):
        n, r = divmod(n, 62)
        digits.append(BASE62[r])
    return "".join(reversed(digits))


def sfid(obj: str, n: int) -> str:
    """The 18-character id of record number `n` of object `obj` (a key of PREFIX)."""
    return to18(PREFIX[obj] + POD + base62(n))


# DuckDB macros sfid15(prefix, n) and sfid(prefix, n), identical to sfid() above. The ten base-62 digits are
# two blocks of five (hi = n // 62^5, lo = n % 62^5); a block's checksum bits come from its digit values
# (10..35 are the upper-case letters), so no string is scanned twice and millions of ids stay cheap.
def _digit(x: str, k: int) -> str:
    return f"CAST(({x} // {62**k}) % 62 AS INTEGER)"


def _enc5(x: str) -> str:
    return " || ".join(f"substr('{BASE62}', {_digit(x, k)} + 1, 1)" for k in range(4, -1, -1))


def _bits5(x: str) -> str:
    terms = " + ".join(f"(CASE WHEN {_digit(x, 4 - i)} BETWEEN 10 AND 35 THEN {1 << i} ELSE 0 END)" for i in range(5))
    return f"substr('{SUFFIX_ALPHABET}', {terms} + 1, 1)"


def _bits5_text(s: str) -> str:
    terms = " + ".join(
        f"(CASE WHEN substr({s}, {i + 1}, 1) BETWEEN 'A' AND 'Z' THEN {1 << i} ELSE 0 END)" for i in range(5)
    )
    return f"substr('{SUFFIX_ALPHABET}', {terms} + 1, 1)"


SFID_MACRO_SQL = [
    f"CREATE OR REPLACE MACRO sfid_hi(n) AS n // {62**5}",
    f"CREATE OR REPLACE MACRO sfid_lo(n) AS n % {62**5}",
    f"CREATE OR REPLACE MACRO sfid_enc5(x) AS {_enc5('x')}",
    f"CREATE OR REPLACE MACRO sfid_bits5(x) AS {_bits5('x')}",
    "CREATE OR REPLACE MACRO sfid_head(prefix) AS " + _bits5_text(f"(prefix || '{POD}')"),
    f"CREATE OR REPLACE MACRO sfid15(prefix, n) AS prefix || '{POD}' || sfid_enc5(sfid_hi(n)) || sfid_enc5(sfid_lo(n))",
    "CREATE OR REPLACE MACRO sfid(prefix, n) AS sfid15(prefix, n) || sfid_head(prefix) "
    "|| sfid_bits5(sfid_hi(n)) || sfid_bits5(sfid_lo(n))",
]


def install_sql_macros(con) -> None:
    """Create the sfid macros on a DuckDB connection."""
    for stmt in SFID_MACRO_SQL:
        con.execute(stmt)
