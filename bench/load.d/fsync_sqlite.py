#!/usr/bin/env python3
"""The disk's limit for durable SQLite commits, the ceiling every audited request runs into.

    fsync_sqlite.py FILE [SECONDS]

Opens FILE as the server opens its database (WAL, synchronous=FULL, one connection, each
transaction BEGIN IMMEDIATE) and commits one single-row INSERT per transaction for SECONDS
(default 5), after one untimed second: a new WAL file grows with every commit at first, and a
growing file costs the file system more per sync than the server's WAL, which is reused after
each checkpoint. Prints commits per second. Every read and write of personal data in Samspor
appends an audit entry in its own transaction, so on one writer connection requests/s can only
go far past this figure by committing several requests' work at once.
"""

import sqlite3
import sys
import time

path = sys.argv[1]
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else 5.0

# isolation_level=None: the module starts no transactions of its own; they are spelled out.
con = sqlite3.connect(path, isolation_level=None)
mode = con.execute("PRAGMA journal_mode=WAL").fetchone()[0]
if mode.lower() != "wal":
    sys.exit(f"fsync_sqlite: journal_mode is {mode}, not wal")
con.execute("PRAGMA synchronous=FULL")
con.execute("CREATE TABLE IF NOT EXISTS probe (id INTEGER PRIMARY KEY, at REAL NOT NULL, note TEXT NOT NULL)")



def commit_for(seconds):
    commits = 0
    start = time.perf_counter()
    end = start + seconds
    while True:
        con.execute("BEGIN IMMEDIATE")
        con.execute("INSERT INTO probe (at, note) VALUES (?, ?)", (time.time(), "fsync probe"))
        con.execute("COMMIT")
        commits += 1
        now = time.perf_counter()
        if now >= end:
            return commits / (now - start)


commit_for(1.0)
rate = commit_for(seconds)
con.close()
print(f"{rate:.1f}")
