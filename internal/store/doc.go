// Package store is the SQLite engine every vendor keeps its state in.
//
// It knows no vendor: each vendor registers a Schema (its embedded migrations,
// the prefix of its tables and its seed function); store opens the database,
// applies the migrations in order, seeds a new database from the fixtures and
// resets one vendor or all of them, each in one transaction.
//
// # Concurrency
//
// The emulator serves whole test suites in parallel, so no request may make
// another wait for longer than the store itself needs. The rules:
//
//  1. Nothing waits on the network while holding the store. A handler reads
//     its request body completely (size-checked by the server's limit) and
//     decodes it before it opens a transaction, and writes its answer after
//     the transaction ends. A stalled or slow client therefore costs only
//     its own connection; the server's read, write and idle timeouts end it.
//  2. Reads never take the write lock. DB.Read, DB.QueryRow, DB.Query and
//     DB.ReadTx use a pool of query-only connections (readers(): at least 4,
//     two per core) that run concurrently with each other and with the
//     writer. A ReadTx sees one committed state for all its statements.
//  3. Writes are serialized in Go, not by SQLite. There is one writer
//     connection (DB.Tx, DB.Write); database/sql queues the writers for it,
//     in order, honouring each request's context. No writer of this process
//     can meet another in SQLite, so "database is locked" never reaches a
//     client. A write transaction must not read through the read pool: the
//     readers do not see what it has not committed yet.
//
// The two modes differ only in how SQLite shares the database between those
// connections:
//
//   - ":memory:" is one private database per Open, in SQLite's memdb VFS
//     ("file:/emulator-<pid>-<n>?vfs=memdb"), which every connection of the
//     store shares. It uses rollback-journal locking: readers run side by
//     side and beside an open write transaction; only the commit itself waits
//     for the reads of that moment to finish (busy_timeout covers it). This
//     measured faster than the alternatives for our mix: a WAL file in a
//     temporary directory commits about 3x slower, and a shared-cache
//     in-memory database needs read_uncommitted, which lets a reader see a
//     write that later rolls back.
//   - A file gets WAL with synchronous=NORMAL: readers see the last commit
//     and never block the writer nor each other; busy_timeout only covers
//     another process opening the same file.
//
// Prepared statements are cached for the read pool (DB.QueryRow, DB.Query):
// parsing SQL costs more than a point lookup.
package store
