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
//     two per core) that run concurrently with each other, and (on a file)
//     with the writer. A ReadTx sees one committed state for all its
//     statements. A read of everything (DB.ReadCopy: a vendor's state
//     export) reads a copy of the committed database instead, so that in
//     memory it holds the gate (below) only while the pages are copied.
//  3. Writes are serialized in Go, not by SQLite. There is one writer
//     connection (DB.Tx, DB.WriteRow, DB.Exec); writers take turns at it in
//     the order they asked. No writer of this process can meet another in
//     SQLite, so "database is locked" never reaches a client. A write
//     transaction must not read through the read pool: the readers do not
//     see what it has not committed yet.
//  4. Writes that queue commit together (batch.go). The writes that ask
//     while one runs join its SQLite transaction, each in a savepoint
//     of its own, up to 16 of them or 1 ms: one that fails rolls back alone,
//     and none answers before the group has committed. A transaction's
//     fixed cost (BEGIN, COMMIT, the dirty pages it writes, the handover of
//     the connection) is paid once per group: measured in turns on 2 cores,
//     courier's POST went from about 2,800 to 3,600 a second in memory and
//     from 1,600 to 3,150 on a file (with its savepoints journaled in
//     memory), GreenArrow's PUT from 15,400 to 21,000
//     and from 12,300 to 20,800, and their p99 halved. What the writes of a
//     group would each write again (courier's channel columns) a schema
//     brings up to date once, in its CatchUp, which the writer runs at the
//     end of every write transaction, before it commits.
//
// The two modes differ in how SQLite shares the database between those
// connections:
//
//   - A file gets WAL with synchronous=NORMAL: readers see the last commit
//     and never wait for the writer nor for each other; busy_timeout only
//     covers another process opening the same file. The writer does not
//     checkpoint: a connection of its own copies the WAL into the file in
//     the background, so a commit never waits for that copy's fsync
//     (checkpoint.go).
//   - ":memory:" is one private database per Open in SQLite's memdb VFS
//     ("file:/emulator-<pid>-<n>?vfs=memdb"), shared by every connection of
//     the store. memdb has no WAL: once a write transaction has written, a
//     reader cannot start until it commits, and SQLite's own answer to that
//     is to sleep and retry (1 ms, 2 ms, 5 ms ... up to 100 ms). So the store
//     orders them itself with a gate (a sync.RWMutex): readers share it, the
//     writer's transaction holds it alone, and a waiting reader wakes the
//     moment that transaction ends. A read thus waits at most for the
//     group of writes in progress (rule 4), which never waits on the network
//     (rule 1) and takes no new member after 1 ms. But a read must not start
//     another read of the pool while it is open (rows still being read, a
//     ReadTx): a writer that asks between them waits on the first, and the
//     second on that writer; read the rows first, or read in one
//     transaction. memdb keeps the database in one buffer, which it would
//     copy to one twice as large each time the database doubled, in a
//     commit, the gate held: each store's buffer is reserved whole at its
//     open, as address space (memdb.go). Measured with modernc.org/sqlite
//     on 2 cores: memdb
//     commits 45,000 small write transactions a second and serves 165,000
//     point reads; the same on a WAL file in a temporary directory, where
//     reads would not wait at all, gives 16,000 and 117,000, and needs a
//     writable temporary directory. A shared-cache in-memory database needs
//     read_uncommitted, which lets a reader see a write that then rolls back.
//
// Statements are prepared once per connection and kept by their text (conn.go):
// parsing SQL costs more than a point lookup. A transaction's statements,
// and reads outside one, run on SQLite's own API (modernc.org/sqlite/lib)
// on the connection the driver opened (rows.go): the driver's rows read
// every column's name and type again for each query, copy each argument
// into the C allocator's memory and box each value, which database/sql then
// converts again, about four times what SQLite itself spends on a point
// read. Rows and Row scan as *sql.Rows and *sql.Row do. A row's values are
// read through sqlite3_column_value, once each (column, in rows.go). Contexts lose their
// cancellation at the store (context.WithoutCancel): a statement is short and
// bounded, and a cancelable context costs a watcher goroutine per statement
// and per transaction in database/sql and in the driver. For the same reason
// a transaction is the store's Tx, a connection on which the store began it
// itself (tx.go), not a *sql.Tx, whose context database/sql makes cancelable
// whatever it is given. Each connection's
// lookaside is large enough for a statement's run beside the statements it
// keeps (lookaside.go), so that a run does not queue on the one malloc mutex
// every connection of the pure-Go SQLite shares. And each connection runs
// without the mutex of its own that the driver opens it with (dropMutex, in
// rows.go): one goroutine uses it at a time, and SQLite took and released
// that mutex in every call, each step and each column read.
package store
