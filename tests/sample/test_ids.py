import duckdb
import pytest

from pipelines.sample.ids import SalesforceIdError, checksum_suffix, install_sql_macros, sfid, to15, to18

# The first pair is the example Salesforce documents; the others were worked out by hand (per block of five
# characters, bit i set when character i is upper case: 'a0D30' -> 4 -> E, '00000' -> A, '1n7Pi' -> 8 -> I).
KNOWN = [
    ("001A0000006Vm9r", "001A0000006Vm9rIAC"),
    ("a0D30000001n7Pi", "a0D30000001n7PiEAI"),
    ("00530000003xqAb", "00530000003xqAbAAI"),
]


@pytest.mark.parametrize("id15,id18", KNOWN)
def test_known_pairs(id15, id18):
    assert to18(id15) == id18
    assert to15(id18) == id15
    assert to18(id18) == id18


def test_all_lower_case_and_all_upper_case_blocks():
    assert checksum_suffix("abcdeabcdeabcde") == "AAA"
    assert checksum_suffix("ABCDEABCDEABCDE") == "555"


def test_wrong_suffix_and_length_are_errors():
    with pytest.raises(SalesforceIdError, match="suffix"):
        to18("001A0000006Vm9rAAA")
    with pytest.raises(SalesforceIdError, match="15-character"):
        to18("001A0000006Vm9")


def test_sql_macro_equals_python():
    con = duckdb.connect()
    install_sql_macros(con)
    numbers = [0, 1, 61, 62, 3843, 62**5 + 17, 62**6 * 40 + 123456, 62**9 * 3 + 9]
    got = con.execute("SELECT sfid('a04', n), sfid15('a04', n) FROM unnest(?::BIGINT[]) t(n)", [numbers]).fetchall()
    assert [g[0] for g in got] == [sfid("Call2_vod__c", n) for n in numbers]
    assert all(len(a) == 18 and b == a[:15] and to18(b) == a for a, b in got)
