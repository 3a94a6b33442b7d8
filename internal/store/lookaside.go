package store

import (
	"fmt"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// Each connection's lookaside is SQLite's own allocator for its small,
// short-lived allocations (cursors, values). Its default of 40 slots of 1,200
// bytes is taken by the statements a connection keeps prepared (conn.go), so
// that a statement's run allocated with malloc, which in the pure-Go SQLite is
// one allocator behind one mutex that every connection shares: on two cores,
// about a tenth of a courier channel's read was spent there. 100 slots keep a
// run's allocations in the lookaside (a channel's read 11% faster, measured
// with wrk in turns) for 120 KB more per open connection. It is a library-wide
// setting, so it is made before any connection opens.
const lookasideSlots = 100

func init() {
	tls := libc.NewTLS()
	defer tls.Close()
	va := libc.NewVaList(int32(1200), int32(lookasideSlots))
	defer libc.Xfree(tls, va)
	if rc := sqlite3.Xsqlite3_config(tls, sqlite3.SQLITE_CONFIG_LOOKASIDE, va); rc != sqlite3.SQLITE_OK {
		panic(fmt.Sprintf("store: SQLite lookaside configuration failed (code %d)", rc))
	}
}
