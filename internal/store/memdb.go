package store

import (
	"context"
	"math/bits"
	"os"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// An in-memory database lives in one buffer that memdb (SQLite's VFS for
// it) grows by doubling: it allocates twice what it needs, copies the whole
// old buffer over and frees it. That copy happens in the middle of a commit,
// while the gate holds every reader and writer of the database, and the
// allocator (modernc.org/memory) copies the whole old allocation, its
// untouched tail too, so the copy's pages all become resident. Measured with
// courier posts in memory (32 clients, 10 s): six commits that took 6, 12,
// 24, 44, 87 and 199 ms, each twice the one before, where a commit takes
// about 2 ms; the clients' p99 83 to 108 ms, 10 ms without those copies; 306
// to 375 MiB of RSS after the run, 185 MiB without.
//
// So a new in-memory database gets the largest buffer memdb lets it have
// (SQLite's memdb limit, 1 GiB) at once, as address space only: the
// allocator maps it fresh from the OS, and a page of it becomes memory when
// the database first writes there. The database then never moves. Where
// address space is not free to take (reservable) or the OS refuses the
// mapping, memdb grows as before.

// memdbReserve is the buffer a new in-memory database gets: SQLite's memdb
// limit (SQLITE_MEMDB_DEFAULT_MAXSIZE) less room for the headers SQLite and
// the allocator put before an allocation, which would otherwise round the
// mapping up to the next power of two.
const memdbReserve = 1<<30 - 1<<16

// reserveMemory gives db's in-memory database its whole buffer (above),
// through the writer connection.
func (db *DB) reserveMemory(ctx context.Context) error {
	if !reservable() {
		return nil
	}
	conn, c, err := lease(ctx, db.write)
	if err != nil {
		return err
	}
	defer conn.Close()
	c.h.reserveMemdb(memdbReserve)
	return nil
}

// reservable reports whether address space may be taken ahead of its use:
// not on a 32-bit host (a few stores would fill it), not on Windows (where
// the allocator's mapping counts against the commit limit, touched or not),
// not on Linux with strict overcommit accounting (vm.overcommit_memory 2),
// where it would count too and could leave the Go heap none to grow into.
var reservable = sync.OnceValue(func() bool {
	if bits.UintSize < 64 || runtime.GOOS == "windows" {
		return false
	}
	mode, err := os.ReadFile("/proc/sys/vm/overcommit_memory")
	return err != nil || strings.TrimSpace(string(mode)) != "2"
})

// reserveMemdb moves the main database of h, when memdb holds it, into a
// buffer of size bytes, unless its buffer is that large already or memdb
// cannot move it (a fixed buffer; pages mapped out to a reader).
func (h sqliteHandle) reserveMemdb(size int64) {
	if !strings.HasPrefix(h.memdbName(), "memdb(") {
		return // not memdb's file: its struct is not a MemFile
	}
	file, ok := h.fileControl(sqlite3.SQLITE_FCNTL_FILE_POINTER)
	if !ok || file == 0 {
		return
	}
	ms := (*sqlite3.TMemStore)(pointer((*sqlite3.TMemFile)(pointer(file)).FpStore))
	// The store's own mutex, as memdb takes it for every read and write of
	// the buffer (by any connection sharing the database).
	sqlite3.Xsqlite3_mutex_enter(h.tls, ms.FpMutex)
	defer sqlite3.Xsqlite3_mutex_leave(h.tls, ms.FpMutex)
	if ms.FmFlags&sqlite3.SQLITE_DESERIALIZE_RESIZEABLE == 0 || ms.FnMmap > 0 || ms.FszAlloc >= size {
		return
	}
	buf := sqlite3.Xsqlite3_malloc64(h.tls, uint64(size))
	if buf == 0 {
		return // no address space for it: memdb grows as before
	}
	if ms.Fsz > 0 {
		libc.Xmemcpy(h.tls, buf, ms.FaData, libc.Tsize_t(ms.Fsz))
	}
	sqlite3.Xsqlite3_free(h.tls, ms.FaData)
	ms.FaData, ms.FszAlloc = buf, size
}

// memdbName is what the main database's VFS calls its file
// (SQLITE_FCNTL_VFSNAME): memdb answers "memdb(<buffer>,<size>)"; "" when
// the VFS does not say.
func (h sqliteHandle) memdbName() string {
	p, ok := h.fileControl(sqlite3.SQLITE_FCNTL_VFSNAME)
	if !ok || p == 0 {
		return ""
	}
	defer sqlite3.Xsqlite3_free(h.tls, p)
	return libc.GoString(p)
}

// fileControl is sqlite3_file_control of the main database with op and a
// pointer for the VFS to answer in: what it wrote there (ok false when it
// answered an error).
func (h sqliteHandle) fileControl(op int32) (answer uintptr, ok bool) {
	const size = int(unsafe.Sizeof(uintptr(0)))
	out := h.tls.Alloc(size)
	defer h.tls.Free(size)
	*(*uintptr)(pointer(out)) = 0
	main, err := libc.CString("main")
	if err != nil {
		return 0, false
	}
	defer libc.Xfree(h.tls, main)
	if sqlite3.Xsqlite3_file_control(h.tls, h.db, main, op, out) != sqlite3.SQLITE_OK {
		return 0, false
	}
	return *(*uintptr)(pointer(out)), true
}
