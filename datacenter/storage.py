# ruff: noqa: S608
# The SQL here is assembled from table names built from integer ids and from schema field names that
# services.clean_schema restricts to [a-z][a-z0-9_]; every value from a user is a parameter.
"""Each data set's records live in a table of their own, one typed column per schema field.

As CKAN's DataStore keeps one table per resource: the columns are PostgreSQL types (a date is a
date, an amount numeric), so a load is a typed insert and indicators aggregate columns, not JSON.
The table is `dc_records_<data set id>`; besides the fields it has the load's provenance in
columns starting with `_` (field names start with a letter, so they never collide):
`_job` (the ingestion job that last wrote the row), `_line` (its line in that file), `_loaded_at`
and `_updated_at`. The natural key has a unique index; the credit-code column, when there is one,
an index of its own for the enterprise profile. A schema change adds columns and never drops data:
a field whose type changed keeps its old values in a column renamed aside.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, overload

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from .choices import FALSE_WORDS, TRUE_WORDS, FieldType

SQL_TYPES: dict[str, str] = {
    FieldType.TEXT: "text",
    FieldType.INTEGER: "bigint",
    FieldType.DECIMAL: "numeric",
    FieldType.DATE: "date",
    FieldType.BOOLEAN: "boolean",
    FieldType.ENUM: "text",
    FieldType.CREDIT_CODE: "text",
}
# Byte order for text: keys sort and index several times faster than under a linguistic collation,
# and a natural key needs equality, not dictionary order.
TEXT_COLLATION = ' COLLATE "C"'
# Each record's provenance, after the fields' columns: the job that wrote it, its line in that job's file, when.
PROVENANCE_TYPES = {"_job": "bigint", "_line": "integer", "_loaded_at": "timestamptz", "_updated_at": "timestamptz"}
PROVENANCE = tuple(PROVENANCE_TYPES)


def table(dataset_id: int) -> str:
    return f"dc_records_{int(dataset_id)}"


def ident(name: str) -> str:
    """A column name as a quoted identifier (names are checked by clean_schema; the quotes are belt and braces)."""
    return '"' + name.replace('"', '""') + '"'


def column_type(ftype: str) -> str:
    sql = SQL_TYPES[ftype]
    return sql + TEXT_COLLATION if sql == "text" else sql


def holds_records(cursor: Any, dataset_id: int) -> bool:
    """Whether the data set's record table exists and has a row."""
    cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [table(dataset_id)])
    if not cursor.fetchone()[0]:
        return False
    cursor.execute(f"SELECT EXISTS (SELECT FROM {table(dataset_id)})")
    return bool(cursor.fetchone()[0])


def code_field(fields: list[dict[str, Any]]) -> str | None:
    """The schema's credit-code field: its records link to the enterprise master through it."""
    return next((f["name"] for f in fields if f["type"] == FieldType.CREDIT_CODE), None)


def columns(cursor: Any, dataset_id: int) -> dict[str, str]:
    """The record table's field columns and their SQL types, as the catalogue has them ({} if no table)."""
    return columns_of(cursor, [dataset_id]).get(dataset_id, {})


def columns_of(cursor: Any, dataset_ids: list[int]) -> dict[int, dict[str, str]]:
    """`columns` of several data sets, in one query."""
    names = {table(i): i for i in dataset_ids}
    cursor.execute(
        """SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) FROM pg_attribute a
        JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relname = ANY(%s) AND c.relnamespace = current_schema()::regnamespace AND c.relkind = 'r'
            AND a.attnum > 0 AND NOT a.attisdropped ORDER BY c.relname, a.attnum""",
        [list(names)],
    )
    out: dict[int, dict[str, str]] = {}
    for relname, name, sql in cursor.fetchall():
        if not name.startswith("_"):
            out.setdefault(names[relname], {})[name] = sql
    return out


def _index_name(dataset_id: int, kind: str, cols: list[str]) -> str:
    digest = hashlib.sha256("\x1f".join(cols).encode()).hexdigest()[:8]
    return f"{table(dataset_id)}_{kind}_{digest}"


def wanted_indexes(
    dataset_id: int, fields: list[dict[str, Any]], natural_key: list[str], on: str | None = None, prefix: str = "",
    columns: dict[str, str] | None = None,
) -> dict[str, str]:  # fmt: skip
    """The record table's indexes, by name, as CREATE INDEX statements (on another table `on`, each name
    with `prefix`, for a table that takes the record table's place; its column for each field in `columns`
    when they are named otherwise)."""
    t = on or table(dataset_id)

    def column(name: str) -> str:
        return columns[name] if columns else ident(name)

    key = _index_name(dataset_id, "key", natural_key)
    out = {key: f"CREATE UNIQUE INDEX {prefix}{key} ON {t} ({', '.join(column(k) for k in natural_key)})"}
    code = code_field(fields)
    if code is not None and natural_key[0] != code:  # else the key's own index serves look-ups by code
        name = _index_name(dataset_id, "code", [code])
        out[name] = f"CREATE INDEX {prefix}{name} ON {t} ({column(code)})"
    return out


def existing_indexes(cursor: Any, dataset_id: int) -> list[str]:
    cursor.execute("SELECT indexname FROM pg_indexes WHERE schemaname = current_schema() AND tablename = %s",
                   [table(dataset_id)])  # fmt: skip
    return [name for (name,) in cursor.fetchall()]


LOADING_PREFIX = "load_"


def loading_table(dataset_id: int) -> str:
    """The new record table a first load fills, under this name until it takes the record table's place."""
    return LOADING_PREFIX + table(dataset_id)


def swap_in(cursor: Any, dataset_id: int, loading: str, fields: list[dict[str, Any]], natural_key: list[str]) -> None:
    """Give the filled table `loading` the record table's indexes and put it in the record table's place.

    The indexes are built under other names while readers still read the old table; the swap itself is
    a drop and three renames, held locked only until the load's transaction commits.
    """
    wanted = wanted_indexes(dataset_id, fields, natural_key, on=loading, prefix=LOADING_PREFIX)
    for create in wanted.values():
        cursor.execute(create)
    _swap(cursor, dataset_id, loading, list(wanted))


def swap_in_built(
    cursor: Any, dataset_id: int, schema: str, fields: list[dict[str, Any]], natural_key: list[str]
) -> None:
    """Put the table `schema`.load_<record table>, filled and indexed elsewhere, in the record table's place."""
    loading = loading_table(dataset_id)
    cursor.execute(f"ALTER TABLE {schema}.{loading} SET SCHEMA {current_schema(cursor)}")
    _swap(cursor, dataset_id, loading, list(wanted_indexes(dataset_id, fields, natural_key)))


def current_schema(cursor: Any) -> str:
    cursor.execute("SELECT quote_ident(current_schema())")
    return str(cursor.fetchone()[0])


def _swap(cursor: Any, dataset_id: int, loading: str, indexes: list[str]) -> None:
    cursor.execute(f"DROP TABLE {table(dataset_id)}")
    cursor.execute(f"ALTER TABLE {loading} RENAME TO {table(dataset_id)}")
    for name in indexes:
        cursor.execute(f"ALTER INDEX {LOADING_PREFIX}{name} RENAME TO {name}")


def columns_sql(fields: list[dict[str, Any]]) -> str:
    """A record table's columns: one per field, then the provenance."""
    cols = [f"{ident(f['name'])} {column_type(f['type'])}" for f in fields]
    return ", ".join([*cols, *(f"{name} {sql} NOT NULL" for name, sql in PROVENANCE_TYPES.items())])


def ensure_table(cursor: Any, dataset_id: int, fields: list[dict[str, Any]], natural_key: list[str]) -> None:
    """Give the data set's record table the columns and indexes of this schema, keeping every value it holds.

    Runs inside the caller's transaction (PostgreSQL's DDL is transactional): a load that fails takes its
    table changes back with it. A new natural key that the records already break raises ValidationError.
    """
    t = table(dataset_id)
    have = columns(cursor, dataset_id)
    if not have:  # no table: a record table always has a column for each field of some schema
        cursor.execute(f"CREATE TABLE {t} ({columns_sql(fields)})")
    else:
        for f in fields:
            name, sql = f["name"], SQL_TYPES[f["type"]]
            if name in have and have[name] != sql:
                # The old values stay readable under another name: a type change never loses data.
                aside = f"_{name}_{have[name].split()[0]}"[:63]
                cursor.execute(f"ALTER TABLE {t} DROP COLUMN IF EXISTS {ident(aside)}")
                cursor.execute(f"ALTER TABLE {t} RENAME COLUMN {ident(name)} TO {ident(aside)}")
            if name not in have or have[name] != sql:
                cursor.execute(f"ALTER TABLE {t} ADD COLUMN {ident(name)} {column_type(f['type'])}")
    wanted = wanted_indexes(dataset_id, fields, natural_key)
    present = existing_indexes(cursor, dataset_id)
    for name in present:
        if name not in wanted:
            cursor.execute(f"DROP INDEX {name}")
    for name, create in wanted.items():
        if name in present:
            continue
        try:
            with transaction.atomic():  # a savepoint: the refusal leaves the caller's transaction usable
                cursor.execute(create)
        except IntegrityError as exc:
            raise ValidationError(
                _(
                    "The records already loaded hold the same natural key (%(key)s) more than once; "
                    "this key cannot be used."
                )
                % {"key": ", ".join(natural_key)}
            ) from exc


def drop_table(cursor: Any, dataset_id: int) -> None:
    cursor.execute(f"DROP TABLE IF EXISTS {table(dataset_id)}")


# Reading ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordRow:
    """One record as pages and the API show it."""

    key: str
    values: dict[str, Any]
    enterprise: str | None
    job: int
    line: int
    first_loaded_at: dt.datetime
    updated_at: dt.datetime


def parse_filter(sql_type: str, value: str) -> Any:
    """A filter's text as the column's type; ValidationError when it is not one."""
    value = value.strip()
    try:
        if sql_type == "bigint":
            return int(value)
        if sql_type == "numeric":
            number = Decimal(value)
            if not number.is_finite():
                raise InvalidOperation
            return number
        if sql_type == "date":
            return dt.date.fromisoformat(value)
        if sql_type == "boolean":
            return {**dict.fromkeys(TRUE_WORDS, True), **dict.fromkeys(FALSE_WORDS, False)}[value.lower()]
    except (ValueError, InvalidOperation, KeyError):
        raise ValidationError(_("“%(value)s” is not a valid value for this field.") % {"value": value}) from None
    return value


class RecordRows(Sequence[RecordRow]):
    """The records of one data set, filtered and in key order, fetched a page at a time.

    A lazy sequence, so Django's and DRF's paginators slice it into one LIMIT/OFFSET query and one count.
    """

    def __init__(self, dataset_id: int | None, fields: list[dict[str, Any]], natural_key: list[str],
                 filters: dict[str, Any] | None = None, total: int | None = None) -> None:  # fmt: skip
        """`total`: the table's row count when known (the data set keeps it), so an unfiltered page
        does not count millions of rows each time it is shown."""
        self.dataset_id = dataset_id
        self.names = [f["name"] for f in fields]
        self.natural_key = natural_key
        self.code = code_field(fields)
        self._count: int | None = None
        self._where = ""
        self._params: list[Any] = []
        if dataset_id is None:
            return
        with connection.cursor() as cursor:
            have = columns(cursor, dataset_id)
        if not have:
            self.dataset_id = None
            return
        self.names = [n for n in self.names if n in have]
        conditions, errors = [], {}
        for name, value in (filters or {}).items():
            if value in (None, "") or name not in have:
                continue
            try:
                self._params.append(parse_filter(have[name], str(value)))
            except ValidationError as exc:
                errors[name] = exc.messages
                continue
            conditions.append(f"{ident(name)} = %s")
        if errors:
            raise ValidationError(errors)
        self._where = " WHERE " + " AND ".join(conditions) if conditions else ""
        if not conditions:
            self._count = total

    def count(self) -> int:  # type: ignore[override]  # Paginator calls count() when there is one
        if self._count is None:
            if self.dataset_id is None:
                self._count = 0
            else:
                with connection.cursor() as cursor:
                    cursor.execute(f"SELECT count(*) FROM {table(self.dataset_id)}{self._where}", self._params)
                    self._count = int(cursor.fetchone()[0])
        return self._count

    def __len__(self) -> int:
        return self.count()

    def _select(self) -> str:
        cols = ", ".join([*PROVENANCE, *(ident(n) for n in self.names)])
        order = ", ".join(ident(k) for k in self.natural_key if k in self.names) or "_line"
        return f"SELECT {cols} FROM {table(self.dataset_id or 0)}{self._where} ORDER BY {order}"

    def _row(self, raw: tuple[Any, ...]) -> RecordRow:
        job, line, loaded, updated, *rest = raw
        values = dict(zip(self.names, rest, strict=True))
        key = "\x1f".join(str(values.get(k)) for k in self.natural_key)
        code = values.get(self.code) if self.code else None
        return RecordRow(key=key, values=values, enterprise=code, job=job, line=line, first_loaded_at=loaded,
                         updated_at=updated)  # fmt: skip

    @overload
    def __getitem__(self, index: int) -> RecordRow: ...
    @overload
    def __getitem__(self, index: slice) -> list[RecordRow]: ...
    def __getitem__(self, index: int | slice) -> RecordRow | list[RecordRow]:
        if isinstance(index, int):
            rows = self[index : index + 1]
            if not rows:
                raise IndexError(index)
            return rows[0]
        start, stop = index.start or 0, index.stop
        if self.dataset_id is None or (stop is not None and stop <= start):
            return []
        limit = "" if stop is None else f" LIMIT {int(stop) - int(start)}"
        with connection.cursor() as cursor:
            cursor.execute(f"{self._select()}{limit} OFFSET {int(start)}", self._params)
            return [self._row(r) for r in cursor.fetchall()]

    def __iter__(self) -> Iterator[RecordRow]:
        return self.iterator()

    def iterator(self) -> Iterator[RecordRow]:
        """Every row, streamed from a server-side cursor (for exports): memory does not grow with the table."""
        if self.dataset_id is None:
            return
        with connection.chunked_cursor() as cursor:  # psycopg2 fetches 2,000 rows at a time
            cursor.execute(self._select(), self._params)
            for raw in cursor:
                yield self._row(raw)


def enterprise_rows(datasets: list[tuple[int, list[dict[str, Any]]]], credit_code: str,
                    limit: int) -> list[tuple[int, dt.datetime, dict[str, Any]]]:  # fmt: skip
    """The records naming one credit code in these data sets (id, fields), newest first, in one query.

    Returns (data set id, updated at, values by field name); numbers come as JSON numbers, dates as ISO text.
    """
    with connection.cursor() as cursor:
        parts, params = [], []
        every = columns_of(cursor, [dataset_id for dataset_id, _fields in datasets])
        for dataset_id, fields in datasets:
            have = every.get(dataset_id, {})
            code = code_field(fields)
            if code is None or have.get(code) != "text":
                continue
            names = [f["name"] for f in fields if f["name"] in have]
            pairs = ", ".join(f"'{n}', {ident(n)}" for n in names)
            parts.append(
                f"(SELECT {int(dataset_id)} AS dataset, _updated_at, jsonb_build_object({pairs}) AS v "
                f"FROM {table(dataset_id)} WHERE {ident(code)} = %s ORDER BY _updated_at DESC LIMIT {int(limit)})"
            )
            params.append(credit_code)
        if not parts:
            return []
        union = " UNION ALL ".join(parts)
        cursor.execute(f"SELECT * FROM ({union}) AS found ORDER BY 2 DESC LIMIT {int(limit)}", params)
        # Django leaves json columns as text for its own fields to decode.
        return [(ds, updated, json.loads(values)) for ds, updated, values in cursor.fetchall()]
