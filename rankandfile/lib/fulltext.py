"""Full-text search over some text columns of a model: PostgreSQL full-text search in
production, SQLite FTS5 in the embedded default. Everything that differs between the two
databases is in this module.

- ``fulltext_search(queryset, phrase, fields=...)`` keeps the rows that contain every word of
  the phrase (stemmed, in English: "organising" finds "organise") and annotates each with
  ``fulltext_rank``: 1 where the first field (the name) holds every word, else 0. Callers
  order by it when nothing else orders the rows.
- ``CreateFullTextIndex(model_name=..., fields=[...])`` is the migration operation that builds
  the index. On SQLite it is an FTS5 table whose content is the model's table, kept in step on
  insert, update and delete by triggers; on PostgreSQL a GIN index on the same ``to_tsvector``
  expression the search uses. It changes no model state.

What a member types is only ever split into words (letters and digits); each word is then
passed as a quoted string, so quotes, ``*``, ``-``, ``:``, ``NEAR``, ``AND`` or ``OR`` are
searched for as words, never read as query syntax, and never reach the SQL text.

SQLite drops triggers with their table when a migration rebuilds it (``AlterField``, or
``AddField`` of a field that is not nullable): a migration that does so to an indexed table
must end with ``CreateFullTextIndex`` again. It is idempotent and rebuilds the index.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, cast

from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector
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
    queryset: QuerySet[M], phrase: str, *, fields: Sequence[str]
) -> QuerySet[M]:
    """The rows of ``queryset`` holding every word of ``phrase`` in ``fields`` (which have a
    ``CreateFullTextIndex`` of the same fields), annotated ``fulltext_rank`` (see the module's
    docstring). A phrase without a word matches nothing."""
    words = search_words(phrase)
    if not words:
        return cast("QuerySet[M]", queryset.none().annotate(fulltext_rank=Value(0)))
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _postgresql_search(queryset, words, fields)
    if vendor == "sqlite":
        return _sqlite_search(queryset, words, fields)
    raise NotImplementedError(f"No full-text search on {vendor}")


def _rank(first_field_matches: Q) -> Case:
    return Case(
        When(first_field_matches, then=Value(1)), default=Value(0), output_field=IntegerField()
    )


# -- PostgreSQL -----------------------------------------------------------------------------


def _search_vector(fields: Sequence[str]) -> SearchVector:
    return SearchVector(*fields, config=PG_CONFIG)


def _postgresql_search[M: models.Model](
    queryset: QuerySet[M], words: list[str], fields: Sequence[str]
) -> QuerySet[M]:
    # plainto_tsquery reads no syntax at all: every word is a term and all must match.
    query = SearchQuery(" ".join(words), config=PG_CONFIG, search_type="plain")
    searched = (
        queryset.alias(
            fulltext_vector=_search_vector(fields),
            fulltext_first_vector=SearchVector(fields[0], config=PG_CONFIG),
        )
        .filter(fulltext_vector=query)
        .annotate(fulltext_rank=_rank(Q(fulltext_first_vector=query)))
    )
    return cast("QuerySet[M]", searched)


def _gin_index(model: type[models.Model], fields: Sequence[str]) -> GinIndex:
    return GinIndex(_search_vector(fields), name=f"{model._meta.db_table}_fulltext"[:30])


# -- SQLite ---------------------------------------------------------------------------------


def _fts_table(model: type[models.Model]) -> str:
    return f"{model._meta.db_table}_fts"


def _match_all(words: list[str], column: str | None = None) -> str:
    """An FTS5 query for rows holding every word, each a quoted string (a literal, whatever
    characters it has), in one column or in any."""
    terms = " AND ".join('"{}"'.format(word.replace('"', '""')) for word in words)
    return f"{{{column}}} : ({terms})" if column else terms


def _sqlite_search[M: models.Model](
    queryset: QuerySet[M], words: list[str], fields: Sequence[str]
) -> QuerySet[M]:
    quote = connections[queryset.db].ops.quote_name
    fts = quote(_fts_table(queryset.model))
    # Only table names from the code are formatted in; the query is a parameter.
    matching = f"SELECT rowid FROM {fts} WHERE {fts} MATCH %s"
    searched = queryset.filter(pk__in=RawSQL(matching, [_match_all(words)])).annotate(
        fulltext_rank=_rank(Q(pk__in=RawSQL(matching, [_match_all(words, fields[0])])))
    )
    return cast("QuerySet[M]", searched)


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


# -- The migration operation ----------------------------------------------------------------


class CreateFullTextIndex(Operation):
    """Build the full-text index ``fulltext_search`` uses for some text fields of a model (see
    the module's docstring). Idempotent on SQLite; changes no model state."""

    reversible = True
    reduces_to_sql = False

    def __init__(self, *, model_name: str, fields: Sequence[str]) -> None:
        self.model_name = model_name
        self.fields = list(fields)

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (
            "rankandfile.lib.fulltext.CreateFullTextIndex",
            [],
            {"model_name": self.model_name, "fields": self.fields},
        )

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _model(self, app_label: str, state: Any) -> type[models.Model]:
        apps: StateApps = state.apps
        return apps.get_model(app_label, self.model_name)

    def database_forwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: Any,
        to_state: Any,
    ) -> None:
        model = self._model(app_label, to_state)
        connection = schema_editor.connection
        if not self.allow_migrate_model(connection.alias, model):
            return
        if connection.vendor == "sqlite":
            for sql in _sqlite_create(model, self.fields, connection.ops.quote_name):
                schema_editor.execute(sql, params=None)
        elif connection.vendor == "postgresql":
            schema_editor.add_index(model, _gin_index(model, self.fields))

    def database_backwards(
        self,
        app_label: str,
        schema_editor: BaseDatabaseSchemaEditor,
        from_state: Any,
        to_state: Any,
    ) -> None:
        model = self._model(app_label, from_state)
        connection = schema_editor.connection
        if not self.allow_migrate_model(connection.alias, model):
            return
        if connection.vendor == "sqlite":
            for sql in _sqlite_drop(model, connection.ops.quote_name):
                schema_editor.execute(sql, params=None)
        elif connection.vendor == "postgresql":
            schema_editor.remove_index(model, _gin_index(model, self.fields))

    def describe(self) -> str:
        return f"Create a full-text index on {self.model_name} ({', '.join(self.fields)})"

    @property
    def migration_name_fragment(self) -> str:
        return f"{self.model_name}_fulltext_index"
