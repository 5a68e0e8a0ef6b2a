"""The store (search_db): the catalogue kept in an SQLite file survives a
restart and is migrated by number; a store of a newer schema than this
tessera knows, or a file that is no database, stops the server at start
with the reason, and nothing is overwritten."""
import os
import sqlite3
import tempfile

import harness


def _server(srv, db):
    return harness.Server(srv.binary, srv.root, ["--access-log", "off", "--search-db", db], sanitized=srv.sanitized)


def _version(db):
    con = sqlite3.connect(db)
    try:
        return con.execute("PRAGMA user_version").fetchone()[0]
    finally:
        con.close()


def test_catalogue_in_a_file(srv, t):
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "catalogue.db")
        s = _server(srv, db).start()
        try:
            st, h, body = s.get("/iiif/collections/search?q=grid")
            t.eq(st, 200, "a search with the store in a file")
            t.check(b'"type": "Collection"' in body or b'"type":"Collection"' in body, "a Collection answers")
        finally:
            t.check(not s.stop(), "clean stop")
        t.eq(_version(db), 5, "the file is at schema version 5")
        con = sqlite3.connect(db)
        rows = con.execute("SELECT count(*) FROM stamps").fetchone()[0]
        con.close()
        t.check(rows > 0, "the catalogue rows were written to the file (%d)" % rows)
        # a restart finds them: the rows are still there before any search
        s = _server(srv, db).start()
        try:
            st, h, body = s.get("/iiif/collections/search?q=grid")
            t.eq(st, 200, "a search after a restart")
        finally:
            t.check(not s.stop(), "clean stop")
        con = sqlite3.connect(db)
        t.eq(con.execute("SELECT count(*) FROM stamps").fetchone()[0], rows, "the same rows after the restart")
        con.close()


def test_old_layout_is_migrated(srv, t):
    with tempfile.TemporaryDirectory() as d:
        db = os.path.join(d, "old.db")
        con = sqlite3.connect(db)
        con.execute("CREATE TABLE items(rel TEXT, label TEXT)")
        con.execute("INSERT INTO items VALUES ('x', 'a row of layout 2')")
        con.execute("PRAGMA user_version=2")
        con.commit()
        con.close()
        s = _server(srv, db).start()
        try:
            st, h, body = s.get("/iiif/collections/search?q=grid")
            t.eq(st, 200, "a search over the migrated store")
            t.check(b"grid" in body.lower(), "it finds the grid")
            t.check("migrated from version 2 to 3" in s.log(), "the migration is logged: %s" % s.log()[-500:])
        finally:
            t.check(not s.stop(), "clean stop")
        t.eq(_version(db), 5, "layout 2 was migrated to the current version, 5")


def test_newer_or_foreign_store_refused(srv, t):
    with tempfile.TemporaryDirectory() as d:
        newer = os.path.join(d, "newer.db")
        con = sqlite3.connect(newer)
        con.execute("CREATE TABLE annotations(id TEXT)")
        con.execute("INSERT INTO annotations VALUES ('keep me')")
        con.execute("PRAGMA user_version=99")
        con.commit()
        con.close()
        text = os.path.join(d, "notes.txt")
        with open(text, "w") as f:
            f.write("not a database, and not to be overwritten\n" * 100)
        for db, says in ((newer, "newer than this tessera knows"), (text, "not a database")):
            s = _server(srv, db)
            try:
                s.start(timeout=20)
                started = True
            except harness.ServerError as e:
                started = False
                msg = str(e)
            t.check(not started, "%s: the server does not start" % os.path.basename(db))
            if started:
                s.stop()
                continue
            name = os.path.basename(db)
            t.check(says in msg, "%s: the reason says %r: %s" % (name, says, msg[-400:]))
            t.eq(s.proc.returncode, 1, "%s: exit status 1, not a crash" % name)
            t.check("Sanitizer" not in msg and "runtime error" not in msg, "%s: sanitizers: %s" % (name, msg[-2000:]))
        con = sqlite3.connect(newer)
        t.eq(con.execute("SELECT id FROM annotations").fetchall(), [("keep me",)], "the newer store is untouched")
        t.eq(_version(newer), 99, "and keeps its version")
        t.check(not os.path.exists(newer + "-wal"), "and its journal mode: no -wal file was made")
        con.close()
        with open(text) as f:
            t.check(f.read().startswith("not a database"), "the text file is untouched")
