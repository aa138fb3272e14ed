"""Tests for qskew.datasets._io: option checks and name helpers shared by the loaders."""

import pytest

from qskew.datasets._io import check_option, clean_names, did_you_mean, short_list


@pytest.mark.parametrize(
    "word, expected",
    [("label", ["Label", "Lable"]), ("Lbel", ["Label", "Lable"]), ("Amont", ["Amount"]),
     ("zzz", [])],
)
def test_did_you_mean_puts_case_matches_first(word, expected):
    assert did_you_mean(word, ["Lable", "Label", "Amount"]) == expected


def test_check_option_message():
    check_option("f", "mode", "a", ("a", "b"))
    with pytest.raises(ValueError, match=r"^f: mode must be one of 'a', 'b'; got 3\. "
                                         r"Pass one of them\.$"):
        check_option("f", "mode", 3, ("a", "b"))


def test_clean_names_strips_spaces_and_byte_order_marks():
    assert clean_names(["\ufeff id", " Label "]) == ["id", "Label"]
    assert clean_names(["\u00ef\u00bb\u00bfTime", "V1"]) == ["Time", "V1"]
    assert clean_names([0, "a"]) == ["0", "a"]


def test_short_list():
    assert short_list(["a", "b"]) == "['a', 'b']"
    assert short_list(list("abcde"), limit=2) == "['a', 'b', ... (3 more)]"
