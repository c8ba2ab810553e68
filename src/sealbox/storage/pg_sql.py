"""The SQL the PostgreSQL backend runs, built once per table pair.

Kept apart from the backend so the statements can be read (and reviewed for injection) in one
place: table names are ``psycopg.sql.Identifier``s, every value is a bound parameter.

Schema (created when missing, under a transaction-scoped advisory lock so that several nodes
starting at once do not race on ``CREATE TABLE``)::

    <table>    (key TEXT COLLATE "C" PRIMARY KEY, value BYTEA NOT NULL)
    <ha_table> (ha_key, ha_identity, ha_value, term, holder_pid, holder_start, valid_until,
                forward_addr)

``forward_addr`` (added to older tables with ``ADD COLUMN IF NOT EXISTS``) is where standbys
forward requests to the holder, when that differs from its advertised ``ha_value`` (one of
several worker processes behind one api_addr).

``COLLATE "C"`` orders keys by their UTF-8 bytes, i.e. by code point, which is the order
``list`` promises and what makes the skip scan below correct. Unlike OpenBao's
``vault_kv_store`` (physical/postgresql, parent_path/path/key columns) one column holds the
whole key: the skip scan lists a folder's children with one index seek per child, and the
``list`` semantics for prefixes that stop mid-segment need no second code path.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from psycopg import sql

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}(\.[A-Za-z_][A-Za-z0-9_]{0,62})?$")
SCHEMA_LOCK_ID = 0x5EA1B0C5  # pg_advisory_xact_lock key serialising schema creation


def table_identifier(name: str) -> sql.Identifier:
    """``name`` or ``schema.name`` as an identifier; anything else is refused."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"invalid PostgreSQL table name {name!r}")
    return sql.Identifier(*name.split("."))


@dataclass(frozen=True, slots=True)
class Statements:
    """Every statement for one ``table``/``ha_table`` pair."""

    create_kv: sql.Composed
    create_ha: sql.Composed
    migrate_ha: sql.Composed
    get: sql.Composed
    write: sql.Composed
    write_fenced: sql.Composed
    list_bounded: sql.Composed
    list_unbounded: sql.Composed
    dump: sql.Composed


def build(table: str, ha_table: str) -> Statements:
    """Compose the statements for these tables (names validated here)."""
    kv = table_identifier(table)
    ha = table_identifier(ha_table)
    return Statements(
        create_kv=sql.SQL(
            'CREATE TABLE IF NOT EXISTS {} (key TEXT COLLATE "C" PRIMARY KEY, value BYTEA NOT NULL)'
        ).format(kv),
        create_ha=sql.SQL(
            "CREATE TABLE IF NOT EXISTS {} ("
            'ha_key TEXT COLLATE "C" PRIMARY KEY, ha_identity TEXT NOT NULL, '
            "ha_value TEXT NOT NULL, term BIGINT NOT NULL, holder_pid INTEGER NOT NULL, "
            "holder_start TIMESTAMPTZ, valid_until TIMESTAMPTZ NOT NULL)"
        ).format(ha),
        migrate_ha=sql.SQL(
            "ALTER TABLE {} ADD COLUMN IF NOT EXISTS forward_addr TEXT NOT NULL DEFAULT ''"
        ).format(ha),
        get=sql.SQL("SELECT value FROM {} WHERE key = %s").format(kv),
        write=_write(kv, sql.SQL("SELECT 1 AS ok")),
        write_fenced=_write(
            kv,
            # FOR SHARE conflicts with the UPDATE that a takeover makes: a write either
            # commits before the new term exists or waits, re-reads the row and finds its
            # term gone (READ COMMITTED re-checks a locked row's WHERE clause).
            sql.SQL(
                "SELECT 1 AS ok FROM {} WHERE ha_key = %(lock)s AND term = %(term)s FOR SHARE"
            ).format(ha),
        ),
        list_bounded=_list(kv, bounded=True),
        list_unbounded=_list(kv, bounded=False),
        dump=sql.SQL("SELECT key, value FROM {} ORDER BY key").format(kv),
    )


def _write(kv: sql.Identifier, fence: sql.Composable) -> sql.Composed:
    """One statement applying a whole batch of deletes and upserts.

    The batch is reduced beforehand to disjoint key sets (one final value per key), because
    the sub-statements of one statement see the same snapshot and must not touch a row twice.
    The result is the number of fence rows: 0 means the write was refused and nothing changed.
    """
    return sql.SQL(
        "WITH fence AS MATERIALIZED ({fence}), "
        "gone AS (DELETE FROM {kv} WHERE key = ANY(%(deletes)s::text[]) "
        "AND EXISTS (SELECT 1 FROM fence)), "
        "put AS (INSERT INTO {kv} (key, value) "
        "SELECT k, v FROM unnest(%(keys)s::text[], %(values)s::bytea[]) AS u(k, v) "
        "WHERE EXISTS (SELECT 1 FROM fence) "
        "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value) "
        "SELECT count(*) FROM fence"
    ).format(fence=fence, kv=kv)


def _list(kv: sql.Identifier, *, bounded: bool) -> sql.Composed:
    """A recursive skip scan: the first key from ``low``, then the first key past each child.

    After a leaf the walk continues at the next greater key; after a key inside a folder it
    jumps to ``prefix || folder || '0'`` ('0' follows '/'), past the whole folder. So the cost
    is one index seek per child, whatever the folder holds, in one round trip.
    """
    upper = sql.SQL(" AND k.key < %(upper)s") if bounded else sql.SQL("")
    return sql.SQL(
        "WITH RECURSIVE walk(key) AS ("
        "(SELECT k.key FROM {kv} k WHERE k.key >= %(low)s{upper} ORDER BY k.key LIMIT 1) "
        "UNION ALL "
        "SELECT (SELECT k.key FROM {kv} k WHERE k.key > w.key AND k.key >= ("
        "CASE WHEN strpos(substr(w.key, %(start)s), '/') > 0 "
        "THEN %(low)s || split_part(substr(w.key, %(start)s), '/', 1) || '0' ELSE '' END)"
        "{upper} ORDER BY k.key LIMIT 1) "
        "FROM walk w WHERE w.key IS NOT NULL) "
        "SELECT key FROM walk WHERE key IS NOT NULL"
    ).format(kv=kv, upper=upper)
