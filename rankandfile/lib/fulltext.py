"""Full-text search over some text columns of a model: PostgreSQL full-text search in
production, SQLite FTS5 in the embedded default. Everything that differs between the two
databases is in this module.

- ``fulltext_search(queryset, phrase, fields=...)`` keeps the rows that contain every word of
  the phrase (stemmed, in English: "organising" finds "organise"). With ``rank=True`` it
  annotates each with ``fulltext_rank``: 1 where the first field (the name) holds every word,
  else 0; callers order by it when nothing else orders the rows.
- ``CreateFullTextTable(model_name=..., fields=[...])`` is the migration operation that builds
  the index: a narrow table ``<table>_fts`` beside the model's table, one row per row of it
  keyed by its id, kept in step on insert, update and delete by the database itself. On SQLite
  it is an FTS5 table whose content is the model's table (triggers keep it); on PostgreSQL a
  table of ``rowid`` and a ``tsvector`` of the fields (stripped when there is one field; of
  several, the first field's words have weight A, so that the rank is a look-up in the same
  index), which triggers fill and empty (also on TRUNCATE; no foreign key, which would make
  Django's flush refuse to truncate the model's table), indexed with GIN. It changes no model
  state.
  A search is then the same on both: ``pk IN (SELECT rowid FROM <table>_fts WHERE <match>)``.

Why a table of its own on PostgreSQL: the words of a long text make a vector of 1-2 kB. Kept in
the model's row (a column, or a GIN index on a ``to_tsvector`` expression) it is TOASTed, and a
common word, for which the planner reads every row rather than the index, then
fetches and decompresses every vector out of line: 98 ms for 10,000 resources of 140 words,
against 29 ms for the same scan of the narrow table (whose rows are short enough to stay
inline), and the model's own pages stay small for every other query. The vector of a single
field is stripped of positions: nothing here ranks by proximity or searches phrases. Of
several fields (a group's name and description, short) the positions stay, since they carry
the weight that marks the first field's words.

What a member types is only ever split into words (letters and digits); each word is then
passed as a quoted string, so quotes, ``*``, ``-``, ``:``, ``NEAR``, ``AND`` or ``OR`` are
searched for as words, never read as query syntax, and never reach the SQL text.

SQLite drops triggers with their table when a migration rebuilds it (``AlterField``, or
``AddField`` of a field that is not nullable): a migration that does so to an indexed table
must end with ``CreateFullTextTable`` again. It is idempotent and rebuilds the index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

from django.db import connections, models
from django.db.backends.base.schema import BaseDatabaseSchemaEditor
from django.db.migrations.operations.base import Operation
from django.db.migrations.state import StateApps
from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.db.models.expressions import RawSQL

# The text search configuration of PostgreSQL and the tokenizer of SQLite FTS5: both stem
# English words (Snowball and Porter stemmers).
PG_CONFIG = "english"
SQLITE_TOKENIZER = "porter unicode61 remove_diacritics 2"

# A phrase is searched by its first words only: a pasted page should not make a huge query.
MAX_WORDS = 12

# Common English words PostgreSQL's "english" configuration ignores; SQLite ignores them too,
# so that "tenants in Leeds" finds the same groups on both.
STOP_WORDS = frozenset(
    (  # noqa: SIM905 (a sentence of words reads better than a list of strings)
        "a an and are as at be but by for from if in into is it no not of on or such that the "
        "their then there these they this to was we will with"
    ).split()
)

_WORD = re.compile(r"[^\W_]+")


def search_words(phrase: str) -> list[str]:
    """The words of a phrase: runs of letters and digits, lower case, without common words
    (unless there is nothing else), at most MAX_WORDS."""
    words = _WORD.findall(phrase.lower())
    meaningful = [w for w in words if w not in STOP_WORDS] or words
    return list(dict.fromkeys(meaningful))[:MAX_WORDS]


def fulltext_search[M: models.Model](
    queryset: QuerySet[M], phrase: str, *, fields: Sequence[str], rank: bool = False
) -> QuerySet[M]:
    """The rows of ``queryset`` holding every word of ``phrase`` in ``fields`` (which have a
    ``CreateFullTextTable`` of the same fields); with ``rank``, annotated ``fulltext_rank``
    (see the module's docstring). A phrase without a word matches nothing."""
    words = search_words(phrase)
    if not words:
        nothing = queryset.none()
        return cast("QuerySet[M]", nothing.annotate(fulltext_rank=Value(0)) if rank else nothing)
    vendor = connections[queryset.db].vendor
    if vendor not in ("postgresql", "sqlite"):
        raise NotImplementedError(f"No full-text search on {vendor}")
    searched = queryset.filter(_holding(queryset, words, None))
    if not rank:
        return searched
    first = _holding(queryset, words, fields[0])
    return cast("QuerySet[M]", searched.annotate(fulltext_rank=_rank(first)))


def _holding(queryset: QuerySet[Any], words: list[str], field: str | None) -> Q | Any:
    """The condition on a row of ``queryset`` that it holds every word in ``field`` (None: in
    any of the indexed fields), as the database at hand writes it. Only names from the code
    are formatted into the SQL; what was typed is a parameter."""
    connection = connections[queryset.db]
    fts = connection.ops.quote_name(_fts_table(queryset.model))
    if connection.vendor == "sqlite":
        matching = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"
        return Q(pk__in=RawSQL(matching, [_match_all(words, field)]))
    if field is None:
        matching = f"SELECT rowid FROM {fts} WHERE vector @@ plainto_tsquery(%s::regconfig, %s)"
        return Q(pk__in=RawSQL(matching, (PG_CONFIG, " ".join(words))))
    # The first field's words are the vector's words of weight A (words are letters and
    # digits only, so they cannot be read as query syntax).
    weighted = " & ".join(f"{word}:A" for word in words)
    matching = f"SELECT rowid FROM {fts} WHERE vector @@ to_tsquery(%s::regconfig, %s)"
    return Q(pk__in=RawSQL(matching, (PG_CONFIG, weighted)))


def _rank(first_field_matches: Q | Any) -> Case:
    return Case(
        When(first_field_matches, then=Value(1)), default=Value(0), output_field=IntegerField()
    )


# -- PostgreSQL -----------------------------------------------------------------------------


def _postgresql_create(model: type[models.Model], fields: Sequence[str], quote: Any) -> list[str]:
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    name = _fts_table(model)
    fts, function, on_truncate = quote(name), quote(f"{name}_sync"), quote(f"{name}_truncate")
    columns = [quote(cast(models.Field[Any, Any], model._meta.get_field(f)).column) for f in fields]

    def words(row: str, of: list[str]) -> str:
        text = ", ".join(f"{row}{column}" for column in of)
        return f"to_tsvector('pg_catalog.{PG_CONFIG}', concat_ws(' ', {text}))"

    def vector(row: str) -> str:
        # Of several fields, the first one's words are of weight A. Weights live on positions,
        # and a word without positions matches any weight: so these vectors keep them.
        if len(columns) == 1:
            return f"strip({words(row, columns)})"
        return f"setweight({words(row, columns[:1])}, 'A') || {words(row, columns[1:])}"

    return [
        f"CREATE TABLE IF NOT EXISTS {fts} (rowid bigint PRIMARY KEY, vector tsvector NOT NULL)",
        f"CREATE OR REPLACE FUNCTION {function}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP = 'TRUNCATE' THEN TRUNCATE {fts}; RETURN NULL; END IF; "
        f"IF TG_OP = 'DELETE' THEN DELETE FROM {fts} WHERE rowid = OLD.{pk}; RETURN NULL; "
        "END IF; "
        f"INSERT INTO {fts} (rowid, vector) VALUES (NEW.{pk}, {vector('NEW.')}) "
        "ON CONFLICT (rowid) DO UPDATE SET vector = EXCLUDED.vector; RETURN NULL; END $$",
        f"DROP TRIGGER IF EXISTS {function} ON {table}",
        f"CREATE TRIGGER {function} AFTER INSERT OR UPDATE OF {', '.join(columns)} OR DELETE "
        f"ON {table} FOR EACH ROW EXECUTE FUNCTION {function}()",
        f"DROP TRIGGER IF EXISTS {on_truncate} ON {table}",
        f"CREATE TRIGGER {on_truncate} AFTER TRUNCATE ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {function}()",
        f"INSERT INTO {fts} (rowid, vector) SELECT {pk}, {vector('')} FROM {table} "
        "ON CONFLICT (rowid) DO UPDATE SET vector = EXCLUDED.vector",
        f"CREATE INDEX IF NOT EXISTS {quote(name + '_vector')} ON {fts} USING gin (vector)",
        f"ANALYZE {fts}",
    ]


def _postgresql_drop(model: type[models.Model], quote: Any) -> list[str]:
    name = _fts_table(model)
    function = quote(f"{name}_sync")
    return [
        f"DROP TRIGGER IF EXISTS {quote(name + '_truncate')} ON {quote(model._meta.db_table)}",
        f"DROP TRIGGER IF EXISTS {function} ON {quote(model._meta.db_table)}",
        f"DROP FUNCTION IF EXISTS {function}()",
        f"DROP TABLE IF EXISTS {quote(name)}",
    ]


# -- SQLite ---------------------------------------------------------------------------------


def _fts_table(model: type[models.Model]) -> str:
    return f"{model._meta.db_table}_fts"


def _match_all(words: list[str], column: str | None = None) -> str:
    """An FTS5 query for rows holding every word, each a quoted string (a literal, whatever
    characters it has), in one column or in any."""
    terms = " AND ".join('"{}"'.format(word.replace('"', '""')) for word in words)
    return f"{{{column}}} : ({terms})" if column else terms


def _sqlite_create(model: type[models.Model], fields: Sequence[str], quote: Any) -> list[str]:
    table, fts, pk = quote(model._meta.db_table), quote(_fts_table(model)), model._meta.pk.column
    names = [quote(cast(models.Field[Any, Any], model._meta.get_field(f)).column) for f in fields]
    columns = ", ".join(names)
    new = ", ".join(f"new.{name}" for name in names)
    old = ", ".join(f"old.{name}" for name in names)
    name = _fts_table(model)
    delete_old = (
        f"INSERT INTO {fts}({fts}, rowid, {columns}) VALUES ('delete', old.{quote(pk)}, {old});"
    )
    insert_new = f"INSERT INTO {fts}(rowid, {columns}) VALUES (new.{quote(pk)}, {new});"
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5({columns}, "
        f"content={table}, content_rowid={quote(pk)}, tokenize='{SQLITE_TOKENIZER}')",
        f"CREATE TRIGGER IF NOT EXISTS {quote(name + '_insert')} AFTER INSERT ON {table} "
        f"BEGIN {insert_new} END",
        f"CREATE TRIGGER IF NOT EXISTS {quote(name + '_delete')} AFTER DELETE ON {table} "
        f"BEGIN {delete_old} END",
        f"CREATE TRIGGER IF NOT EXISTS {quote(name + '_update')} AFTER UPDATE ON {table} "
        f"BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    ]


def _sqlite_drop(model: type[models.Model], quote: Any) -> list[str]:
    name = _fts_table(model)
    return [
        *(
            f"DROP TRIGGER IF EXISTS {quote(name + suffix)}"
            for suffix in ("_insert", "_delete", "_update")
        ),
        f"DROP TABLE IF EXISTS {quote(name)}",
    ]


# -- The migration operations ---------------------------------------------------------------


class _FullTextOperation(Operation):
    reversible = True
    reduces_to_sql = False

    def __init__(self, *, model_name: str, fields: Sequence[str]) -> None:
        self.model_name = model_name
        self.fields = list(fields)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            f"rankandfile.lib.fulltext.{type(self).__name__}",
            [],
            {"model_name": self.model_name, "fields": self.fields},
        )

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _create(self, schema_editor: BaseDatabaseSchemaEditor, model: type[models.Model]) -> None:
        raise NotImplementedError

    def _drop(self, schema_editor: BaseDatabaseSchemaEditor, model: type[models.Model]) -> None:
        raise NotImplementedError

    def _run(
        self, app_label: str, schema_editor: BaseDatabaseSchemaEditor, state: Any, create: bool
    ) -> None:
        apps: StateApps = state.apps
        model = apps.get_model(app_label, self.model_name)
        if self.allow_migrate_model(schema_editor.connection.alias, model):
            (self._create if create else self._drop)(schema_editor, model)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: Any,
        to_state: Any,
    ) -> None:
        self._run(app_label, schema_editor, to_state, create=True)

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: Any,
        to_state: Any,
    ) -> None:
        self._run(app_label, schema_editor, from_state, create=False)


def _execute(schema_editor: BaseDatabaseSchemaEditor, statements: list[str]) -> None:
    for sql in statements:
        schema_editor.execute(sql, params=None)


class CreateFullTextTable(_FullTextOperation):
    """Build the table ``fulltext_search`` reads for some text fields of a model (see the
    module's docstring). Idempotent; changes no model state."""

    def _create(self, schema_editor: BaseDatabaseSchemaEditor, model: type[models.Model]) -> None:
        quote, vendor = schema_editor.connection.ops.quote_name, schema_editor.connection.vendor
        if vendor == "sqlite":
            _execute(schema_editor, _sqlite_create(model, self.fields, quote))
        elif vendor == "postgresql":
            _execute(schema_editor, _postgresql_create(model, self.fields, quote))

    def _drop(self, schema_editor: BaseDatabaseSchemaEditor, model: type[models.Model]) -> None:
        quote, vendor = schema_editor.connection.ops.quote_name, schema_editor.connection.vendor
        if vendor == "sqlite":
            _execute(schema_editor, _sqlite_drop(model, quote))
        elif vendor == "postgresql":
            _execute(schema_editor, _postgresql_drop(model, quote))

    def describe(self) -> str:
        return f"Create a full-text table for {self.model_name} ({', '.join(self.fields)})"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_fulltext_table"
