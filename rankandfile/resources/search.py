"""Full-text search of the hub: ``lib/fulltext.py`` (PostgreSQL full-text search in
production, SQLite FTS5 in the embedded default) over ``Resource.search_document``, which the
services write: title, summary, text, address, file name and issue names.

Only the words of what a member types are searched for (letters and digits: never syntax),
stemmed ("organising" finds "organise"), all of them required, common English words left out.
Prefix matching ("organis*") was tried and dropped: PostgreSQL's GIN index does not serve it,
and a search then read every row (0.25 s on 10,000 resources against 0.01 s).
"""

from __future__ import annotations

from django.db.models import QuerySet

from rankandfile.lib.fulltext import fulltext_search, search_words
from rankandfile.resources.models import Resource

SEARCHED_FIELDS = ("search_document",)


def resources_matching(resources: QuerySet[Resource], text: str) -> QuerySet[Resource]:
    """The resources whose title, summary, text, address, file name or issues match every
    word of ``text`` (all of them when it has no words)."""
    if not search_words(text):
        return resources
    return fulltext_search(resources, text, fields=SEARCHED_FIELDS)


# -- History ------------------------------------------------------------------------------------
# The first form of the index, which migration 0002 builds and 0003 removes (for the table of
# lib/fulltext.py). Kept unchanged for those migrations only; nothing else reads it.
FTS_TABLE = "resources_resource_fts"
CONFIG = "english"
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
