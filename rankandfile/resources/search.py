"""Full-text search of the hub: PostgreSQL's full-text search in production, SQLite's FTS5 in
the embedded default. Both read ``Resource.search_document`` (written by the services).

Only the words of what a member types are searched for (letters and digits: never syntax),
stemmed ("organising" finds "organise"), all of them required, common English words left out
(PostgreSQL's configuration ignores them; SQLite's tokenizer does not, so they are dropped
here). This follows ``lib/fulltext.py`` on the ``search`` branch (the group directory), so the
two can be unified; the difference is the stored vector on PostgreSQL, below. Prefix matching
("organis*") was tried and dropped: PostgreSQL's GIN index does not serve it, and a search
then read every row (0.25 s on 10,000 resources against 0.01 s).

- PostgreSQL: a ``tsvector`` column, ``search_vector``, kept from ``search_document`` by a
  trigger and indexed with GIN (migration 0002), queried with ``plainto_tsquery``. (A GIN
  index on the expression ``to_tsvector(search_document)`` was measured first: PostgreSQL
  then works the vector out again for every row it rechecks, seconds for a common word in
  10,000 resources of long texts.)
- SQLite: an external-content FTS5 table over the same column, kept in step by triggers
  (migration 0002), queried for the resources' ids; each word quoted (a literal). The
  porter tokenizer stems English words, as PostgreSQL's ``english`` configuration does.
"""

from __future__ import annotations

import re

from django.contrib.postgres.search import SearchQuery
from django.db import connection
from django.db.models import QuerySet
from django.db.models.expressions import RawSQL

from rankandfile.resources.models import Resource

CONFIG = "english"
FTS_TABLE = "resources_resource_fts"
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
# More words than this are not a search but a paste: the first ones are enough.
MOST_WORDS = 12
# Common English words PostgreSQL's "english" configuration ignores; left out on SQLite too, so
# that "tenants in Leeds" finds the same resources on both (as lib/fulltext.py does).
STOP_WORDS = frozenset(
    (  # noqa: SIM905 (a sentence of words reads better than a list of strings)
        "a an and are as at be but by for from if in into is it no not of on or such that the "
        "their then there these they this to was we will with"
    ).split()
)

SQLITE_CREATE = [
    f"CREATE VIRTUAL TABLE {FTS_TABLE} USING fts5(search_document, "
    "content='resources_resource', content_rowid='id', tokenize='porter unicode61')",
    f"CREATE TRIGGER {FTS_TABLE}_insert AFTER INSERT ON resources_resource BEGIN "
    f"INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document); END",
    f"CREATE TRIGGER {FTS_TABLE}_delete AFTER DELETE ON resources_resource BEGIN "
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); END",
    f"CREATE TRIGGER {FTS_TABLE}_update AFTER UPDATE OF search_document ON resources_resource "
    f"BEGIN INSERT INTO {FTS_TABLE}({FTS_TABLE}, rowid, search_document) "
    "VALUES ('delete', old.id, old.search_document); "
    f"INSERT INTO {FTS_TABLE}(rowid, search_document) VALUES (new.id, new.search_document); END",
    f"INSERT INTO {FTS_TABLE}({FTS_TABLE}) VALUES ('rebuild')",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_delete",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_update",
    f"DROP TABLE IF EXISTS {FTS_TABLE}",
]
# Positions are stripped from the vector: searches need only which words a resource has (no
# phrases, no ranking), and the stripped vector stays small enough to be kept in the row.
POSTGRESQL_CREATE = [
    "CREATE FUNCTION resources_resource_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$ "
    f"BEGIN NEW.search_vector := strip(to_tsvector('pg_catalog.{CONFIG}', "
    "COALESCE(NEW.search_document, ''))); RETURN NEW; END $$",
    f"CREATE TRIGGER {FTS_TABLE}_vector BEFORE INSERT OR UPDATE OF search_document "
    "ON resources_resource FOR EACH ROW EXECUTE FUNCTION resources_resource_search_vector()",
    "UPDATE resources_resource SET search_document = search_document",
    f"CREATE INDEX {FTS_TABLE} ON resources_resource USING gin (search_vector)",
]
POSTGRESQL_DROP = [
    f"DROP INDEX IF EXISTS {FTS_TABLE}",
    f"DROP TRIGGER IF EXISTS {FTS_TABLE}_vector ON resources_resource",
    "DROP FUNCTION IF EXISTS resources_resource_search_vector()",
]


def search_words(text: str) -> list[str]:
    """The words of what was typed: letters and digits, lower case, without common words
    (unless there is nothing else), each once, at most MOST_WORDS."""
    words = _WORD.findall(text.lower())
    meaningful = [word for word in words if word not in STOP_WORDS] or words
    return list(dict.fromkeys(meaningful))[:MOST_WORDS]


def _fts5_query(words: list[str]) -> str:
    return " AND ".join('"' + word.replace('"', '""') + '"' for word in words)


def resources_matching(resources: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """The resources whose title, summary, text, address, file name or issues match every
    word of ``text`` (all of them when it has no words)."""
    words = search_words(text)
    if not words:
        return resources
    if connection.vendor == "postgresql":
        query = SearchQuery(" ".join(words), config=CONFIG, search_type="plain")
        return resources.filter(search_vector=query)
    matching = RawSQL(
        f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", (_fts5_query(words),)
    )
    return resources.filter(pk__in=matching)
