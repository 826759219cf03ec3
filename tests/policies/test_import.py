import io

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from policies import imports, services
from policies.choices import LegacyDisposition
from policies.models import LegacyPolicy
from tests.policies import factories

pytestmark = pytest.mark.django_db

HEADER = "标题,发文字号,发文机关,发布日期,处理方式,对应政策文号,备注\n"


@pytest.fixture
def target(staff):
    return factories.published(actor=staff, document_number="温政发〔2014〕50号")


def csv_bytes(*rows: str, encoding: str = "utf-8") -> bytes:
    return (HEADER + "\n".join(rows) + "\n").encode(encoding)


def test_import_saves_good_rows_and_reports_bad_ones_with_line_numbers(staff, target):
    content = csv_bytes(
        "温州市电子商务扶持办法,温商发〔2011〕8号,commerce,2011-05-01,并入,温政发〔2014〕50号,",
        "没有机关的文件,温商发〔2011〕9号,nowhere,2011-05-01,并入,温政发〔2014〕50号,",
        "对应不上的文件,温商发〔2011〕10号,commerce,2011-05-01,废止,温政发〔1999〕1号,",
        "日期有误的文件,温商发〔2011〕11号,commerce,去年,被替代,温政发〔2014〕50号,",
        "温州市网店扶持意见,温商发〔2012〕3号,温州市商务局,2012/03/01,superseded,温政发〔2014〕50号,备注",
    )
    report = services.legacy_import(actor=staff, filename="legacy.csv", content=content)
    assert (report.created, report.updated) == (2, 0)
    assert [line for line, _reason in report.rejected] == [3, 4, 5]
    assert "nowhere" in report.rejected[0][1]
    legacy = LegacyPolicy.objects.get(document_number="温商发〔2012〕3号")
    assert (legacy.disposition, legacy.target, legacy.note) == (LegacyDisposition.SUPERSEDED, target, "备注")


def test_importing_the_same_file_twice_changes_nothing(staff, target):
    content = csv_bytes("温州市电子商务扶持办法,温商发〔2011〕8号,commerce,2011-05-01,merged,温政发〔2014〕50号,")
    services.legacy_import(actor=staff, filename="a.csv", content=content)
    again = services.legacy_import(actor=staff, filename="a.csv", content=content)
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 1, [])
    assert LegacyPolicy.objects.count() == 1


def test_wrong_encoding_is_a_clear_error_and_imports_nothing(staff, target):
    content = csv_bytes(
        "温州市电子商务扶持办法,温商发〔2011〕8号,commerce,2011-05-01,并入,温政发〔2014〕50号,", encoding="gbk"
    )
    with pytest.raises(ValidationError) as exc:
        services.legacy_import(actor=staff, filename="a.csv", content=content)
    assert exc.value.code == "encoding"
    assert "UTF-8" in exc.value.messages[0]
    assert not LegacyPolicy.objects.exists()


def test_missing_columns_are_named(staff, target):
    with pytest.raises(ValidationError) as exc:
        services.legacy_import(actor=staff, filename="a.csv", content="标题,发文字号\n甲,乙\n".encode())
    assert "发文机关" in exc.value.messages[0]
    assert "处理方式" in exc.value.messages[0]


def test_a_file_that_is_not_a_workbook_is_refused(staff, target):
    with pytest.raises(ValidationError) as exc:
        services.legacy_import(actor=staff, filename="a.xlsx", content=b"not a zip")
    assert exc.value.code == "malformed"


def test_xlsx_rows_are_imported_with_their_line_numbers(staff, target):
    book = Workbook()
    sheet = book.active
    sheet.append(["标题", "发文字号", "发文机关", "发布日期", "处理方式", "对应政策文号"])
    sheet.append(
        ["温州市电子商务扶持办法", "温商发〔2011〕8号", "commerce", "2011-05-01", "废止", "温政发〔2014〕50号"]
    )
    sheet.append(["缺字号的文件", "", "commerce", "2011-05-01", "废止", "温政发〔2014〕50号"])
    buffer = io.BytesIO()
    book.save(buffer)
    report = services.legacy_import(actor=staff, filename="legacy.xlsx", content=buffer.getvalue())
    assert report.created == 1
    assert [line for line, _ in report.rejected] == [3]


def test_xlsx_reading_stops_at_the_first_row_past_the_limit(staff, target, monkeypatch):
    monkeypatch.setattr(imports, "MAX_ROWS", 3)
    read = []
    cell = imports._cell
    monkeypatch.setattr(imports, "_cell", lambda value: read.append(value) or cell(value))
    book = Workbook()
    sheet = book.active
    sheet.append(["标题", "发文字号", "发文机关", "发布日期", "处理方式", "对应政策文号"])
    for n in range(200):
        sheet.append([f"文件{n}", f"温商发〔2011〕{n}号", "commerce", "2011-05-01", "废止", "温政发〔2014〕50号"])
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(ValidationError) as exc:
        services.legacy_import(actor=staff, filename="a.xlsx", content=buffer.getvalue())
    assert exc.value.code == "too_many_rows"
    assert len(read) == (1 + 3 + 1) * 6  # the header, three rows and the one too many
    assert not LegacyPolicy.objects.exists()


def test_an_import_file_over_the_upload_limit_is_refused_unread(staff, target, settings):
    settings.UPLOAD_MAX_BYTES = 50
    content = csv_bytes("温州市电子商务扶持办法,温商发〔2011〕8号,commerce,2011-05-01,并入,温政发〔2014〕50号,")
    with pytest.raises(ValidationError) as exc:
        services.legacy_import(actor=staff, filename="a.csv", content=content)
    assert exc.value.code == "too_large"
    assert not LegacyPolicy.objects.exists()


def test_management_command_reports_rejected_rows(staff, target, tmp_path, capsys):
    path = tmp_path / "legacy.csv"
    path.write_bytes(
        csv_bytes(
            "温州市电子商务扶持办法,温商发〔2011〕8号,commerce,2011-05-01,并入,温政发〔2014〕50号,",
            "坏行,温商发〔2011〕9号,commerce,2011-05-01,随便,温政发〔2014〕50号,",
        )
    )
    with pytest.raises(CommandError, match="1 rows rejected"):
        call_command("import_legacy_policies", str(path), "--user", staff.username)
    out = capsys.readouterr().out
    assert "created 1" in out
    assert "line 3:" in out
    assert LegacyPolicy.objects.count() == 1


def test_management_command_refuses_a_malformed_file(tmp_path, db):
    path = tmp_path / "legacy.csv"
    path.write_bytes("标题\n甲\n".encode())
    with pytest.raises(CommandError, match="发文字号"):
        call_command("import_legacy_policies", str(path))
