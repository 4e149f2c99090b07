"""Reading, checking and reporting a CSV import, without Slack or the API."""

from __future__ import annotations

import gc

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.coupontools import InvalidInput
from bot.coupontools.models import Card
from bot.errors import UserError
from bot.imports.check import check
from bot.imports.columns import field_for
from bot.imports.csvfile import Table, decode, read_table
from bot.imports.run import ChunkFailure, Report, Throttle, chunk_reason, report_csv
from bot.views.imports import preview_modal, progress_message, report_message
from localstack.slack import validate_blocks, validate_view

CARD = Card(id=7, code="abc", name="Coffee Club", type="stamp")


def rows_of(text: str) -> list[dict[str, str]]:
    return list(check(read_table(text)).members())


@pytest.mark.parametrize(("header", "field"), [
    ("First name", "first_name"), ("firstname", "first_name"), ("Given Name", "first_name"),
    ("Last name", "last_name"), ("SURNAME", "last_name"), ("E-mail", "email"), ("Email address", "email"),
    ("Phone", "phone"), ("mobile", "phone"), ("Telephone", "phone"), ("Street", "address"),
    ("Postal code", "zip"), ("postcode", "zip"), ("Zip", "zip"), ("Town", "city"), ("Custom 1", "custom_1"),
    ("custom_8", "custom_8"), (" \ufeffEmail ", "email"),
])
def test_headers_map_to_api_fields_whatever_their_case_and_spacing(header: str, field: str) -> None:
    assert field_for(header) == field


@pytest.mark.parametrize("header", ["Notes", "custom_9", "", "Name"])
def test_headers_that_name_no_field_map_to_nothing(header: str) -> None:
    assert field_for(header) is None


def test_utf8_bom_and_crlf_are_read() -> None:
    data = "\ufeffFirst name,Email\r\nAda,ada@example.com\r\n".encode()
    assert rows_of(decode(data)) == [{"first_name": "Ada", "email": "ada@example.com"}]


def test_windows_1252_and_utf16_files_are_read() -> None:
    assert rows_of(decode("First name\nZoë\n".encode("cp1252"))) == [{"first_name": "Zoë"}]
    assert rows_of(decode("First name\nZoë\n".encode("utf-16"))) == [{"first_name": "Zoë"}]


def test_semicolons_quotes_and_blank_lines() -> None:
    text = 'First name;Address;City\n\n"Ada";"Street 1; flat 2";"Lon""don"\n  \n;;\nGrace;"Line one\nline two";NYC\n'
    table = read_table(text)
    assert [line for line, _values, _extra in table.rows] == [3, 7]
    assert list(check(table).members()) == [
        {"first_name": "Ada", "address": "Street 1; flat 2", "city": 'Lon"don'},
        {"first_name": "Grace", "address": "Line one\nline two", "city": "NYC"},
    ]


def test_tab_separated_text_is_read() -> None:
    assert rows_of("First name\tEmail\nAda\tada@example.com\n") == [{"first_name": "Ada", "email": "ada@example.com"}]


@pytest.mark.parametrize(("text", "words"), [
    ("", "empty"), ("   \n\n", "empty"), ("First name,Email\n", "no rows"), ("First name,Email\n,\n\n", "no rows"),
    ("Notes,Favourite\nx,y\n", "None of the CSV's columns"),
])
def test_nothing_to_import_is_said_plainly(text: str, words: str) -> None:
    with pytest.raises(UserError, match=words):
        read_table(text)


@pytest.mark.parametrize("data", [
    bytes(range(256)), b"\x01\x02\x03 First name\n", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR", b"PK\x03\x04\x14\x00",
])
def test_binary_garbage_is_refused(data: bytes) -> None:
    with pytest.raises(UserError, match="not"):
        read_table(decode(data))


def test_too_many_rows_are_refused() -> None:
    with pytest.raises(UserError, match="more than 3 rows"):
        read_table("Email\n" + "".join(f"a{n}@example.com\n" for n in range(4)), max_rows=3)


def test_unknown_and_repeated_columns_are_reported_and_ignored() -> None:
    table = read_table("Email,Notes,E-mail,Name\na@example.com,hi,b@example.com,Ada\n")
    assert table.fields == ("email",)
    assert table.unknown == ("Notes", "E-mail", "Name")
    assert list(check(table).members()) == [{"email": "a@example.com"}]


def test_rows_are_checked_with_the_add_forms_rules_and_duplicate_emails_are_set_aside() -> None:
    checked = check(read_table(
        "First name,Email,Phone\n"
        "Ada,ada@example.com,+32 470 12 34 56\n"   # line 2: fine
        "Bob,bob(at)example.com,\n"                 # line 3: bad email
        "Cy,,12\n"                                  # line 4: bad phone
        ",,\n"                                      # blank: skipped
        "Di,ADA@example.com,\n"                     # line 6: duplicate of line 2
        ",,,extra\n"                                # line 7: extra value and nobody named
        f"{'x' * 101},,\n"                          # line 8: too long
    ))
    assert [line for line, _values, _extra in checked.ok] == [2]
    assert checked.problem_rows == 4
    by_line = {p.line: p for p in checked.problems}
    assert by_line[3].field == "email"
    assert by_line[3].value == "bob(at)example.com"
    assert by_line[4].field == "phone"
    [duplicate] = checked.duplicates  # not a problem: skipped unless the importer creates it anyway
    assert (duplicate.line, duplicate.field, duplicate.value, duplicate.of) == (6, "email", "ADA@example.com",
                                                                                 "line 2")
    assert [line for line, _cells in checked.to_send(duplicates=True)] == [2, 6]
    assert "more value" in next(p.reason for p in checked.problems if p.line == 7)
    assert by_line[8].field == "first_name"


def test_rows_held_for_an_import_drop_out_of_the_garbage_collectors_view() -> None:
    # 10,000 rows stay alive for a whole import; tracked rows made CPython's full collections come sooner.
    lines = [f"A{n},a{n}@example.com" + (",stray" if n % 2 else "") for n in range(50)]
    checked = check(read_table("First name,Email\n" + "\n".join(lines)))
    gc.collect()
    gc.collect()  # one pass may meet a row before its values tuple has dropped out; the next one drops the row
    assert (len(checked.ok), checked.problem_rows) == (25, 25)  # usual rows and rows with stray cells
    assert not any(gc.is_tracked(row) for row in checked.table.rows)


def test_throttle_allows_one_update_a_second() -> None:
    now = [0.0]
    throttle = Throttle(1.0, clock=lambda: now[0])
    ticks = []
    for step in range(30):
        now[0] = step * 0.25
        ticks.append(throttle.ready())
    assert sum(ticks) == 8  # 0.0, 1.0, …, 7.0


def test_api_row_numbers_in_a_refusal_become_file_lines() -> None:
    error = InvalidInput("row 2: email: not a valid email address (ada@example.com)")
    reason = chunk_reason(error, [10, 11, 12])
    assert "line 11" in reason
    assert "ada@example.com" not in reason


def test_report_csv_has_ids_codes_and_links_only_and_defuses_formulas() -> None:
    report = Report(rows=2, skipped=0, to_send=2, created=[(1, "abc", "https://w/1"), (2, "=cmd", "https://w/2")])
    assert report_csv(report).decode() == "id,code,wallet_link\r\n1,abc,https://w/1\r\n2,'=cmd,https://w/2\r\n"


def test_preview_of_a_huge_bad_file_stays_within_slacks_limits() -> None:
    lines = ["First name,Email,Unknown " + ",".join(f"col{n}" for n in range(40))]
    lines += [f"{'Ada' * 40},{'x' * 300}{n}<!channel>`" for n in range(20_000)]
    checked = check(read_table("\n".join(lines)))
    view = preview_modal(CARD, checked, None).to_dict()
    assert validate_view(view) == []
    assert "and 39,980 more problems" in str(view)
    assert "<!channel>" not in str(view)


def test_progress_and_report_of_a_large_import_stay_within_slacks_limits() -> None:
    failures = [ChunkFailure(n * 100 + 2, n * 100 + 101, 100, "refused: " + "x" * 2000) for n in range(100)]
    report = Report(rows=10_000, skipped=0, to_send=10_000, failures=failures, failed=10_000,
                    stopped_by="The loyalty service is busy right now.", not_sent=0)
    for message in (report_message(CARD, "U1", report), progress_message(CARD, "U1", report, 5_000)):
        payload = message.to_dict()
        assert validate_blocks(payload["blocks"]) == []
    assert "80 more chunks" in str(report_message(CARD, "U1", report).to_dict())


PHONE_LIKE = st.text(alphabet="+0123456789 ()-.x٣²", max_size=40)
EMAIL_LIKE = st.text(alphabet="ab.@ \t\u00a0\u2028é-", max_size=30)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(cells=st.lists(st.tuples(st.sampled_from(["", "Ada", "x" * 101]), st.one_of(EMAIL_LIKE, st.sampled_from(
    ["a@b.co", "A@B.CO", "a@b.co "]
)), PHONE_LIKE, st.integers(0, 2)), min_size=1, max_size=30))
def test_checking_by_columns_finds_what_checking_every_row_finds(cells: list[tuple[str, str, str, int]]) -> None:
    table = Table(fields=("first_name", "email", "phone"), positions=(0, 1, 2), columns=3,
                  rows=[(line, (name, email.strip(), phone.strip()), extra)
                        for line, (name, email, phone, extra) in enumerate(cells, start=2)])
    quick = check(table)
    with pytest.MonkeyPatch.context() as patched:
        patched.setattr("bot.imports.check._suspects", lambda table, _region: set(range(len(table.rows))))
        every_row = check(table)
    assert quick.ok == every_row.ok
    assert quick.duplicates == every_row.duplicates
    assert quick.problems == every_row.problems
    assert (quick.problem_rows, quick.problem_count) == (every_row.problem_rows, every_row.problem_count)



def test_a_phone_repeated_in_the_file_in_another_spelling_is_set_aside_and_good_phones_are_sent_as_e164() -> None:
    checked = check(read_table(
        "First name,Phone\n"
        "Ada,+32 2 555 01 01\n"     # line 2: fine, sent as E.164
        "Bea,003225550101\n"        # line 3: the same number
        "Cy,+32 470 12 34 56\n"     # line 4: fine
    ))
    assert [line for line, _values, _extra in checked.ok] == [2, 4]
    [duplicate] = checked.duplicates
    assert (duplicate.line, duplicate.field, duplicate.of) == (3, "phone", "line 2")
    assert checked.problems == []
    assert [member["phone"] for member in checked.members()] == ["+3225550101", "+32470123456"]
    assert [cells[1] for _line, cells in checked.to_send(duplicates=True)] == [
        "+3225550101", "+3225550101", "+32470123456"]


def test_national_phones_are_read_in_the_configured_region_and_impossible_ones_refused_per_row() -> None:
    text = ("First name,Phone\n"
            "Ada,02 555 01 01\n"        # line 2: a Brussels number, written nationally
            "Bea,+32 2 555 01 01\n"     # line 3: the same number, international
            "Cy,0470 12 34 56\n"        # line 4: a Belgian mobile
            "Di,0470 12\n")             # line 5: too short to exist in Belgium
    belgian = check(read_table(text), "BE")
    assert [member["phone"] for member in belgian.members()] == ["+3225550101", "+32470123456"]
    assert [(d.line, d.of) for d in belgian.duplicates] == [(3, "line 2")]
    [problem] = belgian.problems
    assert (problem.line, problem.field) == (5, "phone")
    assert "cannot exist in BE" in problem.reason
    # Without a region a national number cannot be read: it is sent as typed, and nothing is refused for it.
    anywhere = check(read_table(text))
    assert [member["phone"] for member in anywhere.members()] == [
        "02 555 01 01", "+3225550101", "0470 12 34 56", "0470 12"]
