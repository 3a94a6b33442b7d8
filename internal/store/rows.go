package store

import (
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unsafe"

	"modernc.org/libc"
	sqlite3 "modernc.org/sqlite/lib"
)

// The store's statements run on SQLite's own API (modernc.org/sqlite/lib) on
// the connection the driver opened, not through the driver's statements and
// database/sql: for every query those read each column's name and declared
// type again, copy each argument into memory of the C allocator (one mutex
// shared by every connection) and box each value into an interface, which
// database/sql then converts again. A point read of six columns in a
// transaction (BenchmarkPointRead): 5.0 to 5.3 µs and 35 allocations through
// them, 1.2 to 1.4 µs and 4 this way. Scripts of several statements (a
// migration) still go through the driver, and so does everything it sets up
// (the connection, its pragmas, serialize, backup).

// sqliteHandle is a driver connection's SQLite handle and the libc state its
// calls run with. The connection is used by one goroutine at a time
// (database/sql hands it out so), and so is the handle.
type sqliteHandle struct {
	db  uintptr // sqlite3*
	tls *libc.TLS
}

// handleOf reads the SQLite handle of a modernc.org/sqlite connection, which
// keeps it unexported (the fields db and tls). A driver version without them
// fails here, at the connection's open, with this error: go.mod pins the
// version, and TestHandleOfTheDriversConnection checks it.
func handleOf(conn driver.Conn) (sqliteHandle, error) {
	v := reflect.ValueOf(conn)
	if v.Kind() == reflect.Pointer && v.Elem().Kind() == reflect.Struct {
		db, tls := v.Elem().FieldByName("db"), v.Elem().FieldByName("tls")
		if db.IsValid() && db.Kind() == reflect.Uintptr && tls.IsValid() && tls.Type() == reflect.TypeFor[*libc.TLS]() {
			h := sqliteHandle{db: uintptr(db.Uint()), tls: (*libc.TLS)(tls.UnsafePointer())}
			if h.db != 0 && h.tls != nil {
				return h, nil
			}
		}
	}
	return sqliteHandle{}, fmt.Errorf("store: the sqlite driver's connection (%T) has no SQLite handle to read", conn)
}

// dropMutex takes away the connection's own mutex and returns it: SQLite
// then runs the connection as if opened with SQLITE_OPEN_NOMUTEX (its
// "multi-thread" mode, in which db->mutex is NULL), where the driver opens
// every connection with SQLITE_OPEN_FULLMUTEX. That mutex, which SQLite takes
// and releases in every call (each step, each column read), guards nothing
// here: a connection is used by one goroutine at a time (database/sql, the
// store's leases), as the driver itself requires, since its own state is not
// safe for concurrent use either. In the pure-Go SQLite each of those
// locks is a libc mutex, about a tenth of a page's read (measured:
// GreenArrow's page of 100 in process).
func (h sqliteHandle) dropMutex() uintptr {
	db := (*sqlite3.Tsqlite3)(pointer(h.db))
	m := db.Fmutex
	db.Fmutex = 0
	return m
}

// restoreMutex gives the connection back its mutex (dropMutex), before it
// closes.
func (h sqliteHandle) restoreMutex(m uintptr) {
	(*sqlite3.Tsqlite3)(pointer(h.db)).Fmutex = m
}

// errorOf is the error of a failed call that returned rc, worded as the
// driver words it ("constraint failed: UNIQUE constraint failed: t.c (2067)").
func (h sqliteHandle) errorOf(rc int32) error {
	str := libc.GoString(sqlite3.Xsqlite3_errstr(h.tls, rc))
	if msg := libc.GoString(sqlite3.Xsqlite3_errmsg(h.tls, h.db)); msg != str && msg != "" {
		return fmt.Errorf("%s: %s (%d)", str, msg, rc)
	}
	return fmt.Errorf("%s (%d)", str, rc)
}

// pointer is C memory at p, for Go to read or write: SQLite's memory is
// not Go's, so the garbage collector neither moves nor frees it.
func pointer(p uintptr) unsafe.Pointer { return *(*unsafe.Pointer)(unsafe.Pointer(&p)) }

// rawStmt is a statement prepared on a connection's handle.
type rawStmt struct {
	p      uintptr // sqlite3_stmt*
	params int     // how many arguments it binds
	cols   int
	// arena is C memory holding the text and blobs bound to it (bound
	// SQLITE_STATIC: SQLite reads them where they are until the next bind).
	arena    uintptr
	arenaCap int
	inUse    bool // its rows are open: a nested query of the same text needs its own statement
	cached   bool // kept by its connection (else finalized when its rows close)
}

// prepare prepares query on h.
func (h sqliteHandle) prepare(query string) (*rawStmt, error) {
	q, err := libc.CString(query)
	if err != nil {
		return nil, err
	}
	defer libc.Xfree(h.tls, q)
	out := h.tls.Alloc(2 * int(unsafe.Sizeof(uintptr(0)))) // the statement and the tail
	defer h.tls.Free(2 * int(unsafe.Sizeof(uintptr(0))))
	tail := out + unsafe.Sizeof(uintptr(0))
	if rc := sqlite3.Xsqlite3_prepare_v3(h.tls, h.db, q, int32(len(query)), sqlite3.SQLITE_PREPARE_PERSISTENT, out, tail); rc != sqlite3.SQLITE_OK {
		return nil, h.errorOf(rc)
	}
	p := *(*uintptr)(pointer(out))
	if p == 0 {
		return nil, errors.New("store: a query without a statement")
	}
	if rest := *(*uintptr)(pointer(tail)); rest != 0 && strings.TrimSpace(libc.GoString(rest)) != "" {
		sqlite3.Xsqlite3_finalize(h.tls, p)
		return nil, errStatements
	}
	return &rawStmt{
		p:      p,
		params: int(sqlite3.Xsqlite3_bind_parameter_count(h.tls, p)),
		cols:   int(sqlite3.Xsqlite3_column_count(h.tls, p)),
	}, nil
}

// errStatements is prepare's error for SQL of several statements (a
// migration's script), which the driver runs.
var errStatements = errors.New("store: more than one statement")

// finalize frees the statement and its arena.
func (h sqliteHandle) finalize(st *rawStmt) {
	sqlite3.Xsqlite3_finalize(h.tls, st.p)
	st.p = 0
	h.freeArena(st)
}

// freeArena frees the memory of the statement's bound text and blobs: its
// next run binds them again.
func (h sqliteHandle) freeArena(st *rawStmt) {
	if st.arena != 0 {
		sqlite3.Xsqlite3_free(h.tls, st.arena)
	}
	st.arena, st.arenaCap = 0, 0
}

// bind binds args to the statement's parameters (?, or ?NNN by ordinal),
// converted as database/sql converts arguments for a driver.
func (h sqliteHandle) bind(st *rawStmt, args []any) error {
	if len(args) < st.params {
		return fmt.Errorf("sql: expected %d arguments, got %d", st.params, len(args))
	}
	args = args[:st.params]
	size := 1 // never a null arena: an empty text binds as "", not NULL
	copied := false
	for i, a := range args {
		switch a := a.(type) {
		case string:
			size += len(a)
		case []byte:
			size += len(a)
		case nil, int, int64, bool, float64:
		default:
			if !copied {
				args, copied = append([]any(nil), args...), true // the caller's slice stays as it was
			}
			v, err := driver.DefaultParameterConverter.ConvertValue(a)
			if err != nil {
				return fmt.Errorf("sql: converting argument $%d type: %w", i+1, err)
			}
			if t, ok := v.(time.Time); ok {
				v = t.String() // as the driver writes a time
			}
			args[i] = v
			switch v := v.(type) {
			case string:
				size += len(v)
			case []byte:
				size += len(v)
			}
		}
	}
	if size > st.arenaCap {
		h.freeArena(st)
		st.arena = sqlite3.Xsqlite3_malloc64(h.tls, uint64(size))
		if st.arena == 0 {
			st.arenaCap = 0
			return errors.New("store: out of memory binding arguments")
		}
		st.arenaCap = size
	}
	arena := unsafe.Slice((*byte)(pointer(st.arena)), st.arenaCap)
	off := 0
	for i, a := range args {
		n := int32(i + 1)
		var rc int32
		switch a := a.(type) {
		case string:
			copy(arena[off:], a)
			rc = sqlite3.Xsqlite3_bind_text(h.tls, st.p, n, st.arena+uintptr(off), int32(len(a)), 0)
			off += len(a)
		case []byte:
			if a == nil {
				rc = sqlite3.Xsqlite3_bind_null(h.tls, st.p, n)
				break
			}
			copy(arena[off:], a)
			rc = sqlite3.Xsqlite3_bind_blob(h.tls, st.p, n, st.arena+uintptr(off), int32(len(a)), 0)
			off += len(a)
		case int64:
			rc = sqlite3.Xsqlite3_bind_int64(h.tls, st.p, n, a)
		case int:
			rc = sqlite3.Xsqlite3_bind_int64(h.tls, st.p, n, int64(a))
		case bool:
			v := int64(0)
			if a {
				v = 1
			}
			rc = sqlite3.Xsqlite3_bind_int64(h.tls, st.p, n, v)
		case float64:
			rc = sqlite3.Xsqlite3_bind_double(h.tls, st.p, n, a)
		case nil:
			rc = sqlite3.Xsqlite3_bind_null(h.tls, st.p, n)
		default:
			return fmt.Errorf("sql: converting argument $%d type: unsupported type %T", i+1, a)
		}
		if rc != sqlite3.SQLITE_OK {
			return h.errorOf(rc)
		}
	}
	return nil
}

// result is what a statement that returns no rows changed.
type result struct{ lastID, changed int64 }

func (r result) LastInsertId() (int64, error) { return r.lastID, nil }
func (r result) RowsAffected() (int64, error) { return r.changed, nil }

// exec runs a statement to its end on the handle.
func (h sqliteHandle) exec(st *rawStmt) (sql.Result, error) {
	defer sqlite3.Xsqlite3_reset(h.tls, st.p)
	for {
		switch rc := sqlite3.Xsqlite3_step(h.tls, st.p); rc {
		case sqlite3.SQLITE_ROW:
		case sqlite3.SQLITE_DONE:
			return result{sqlite3.Xsqlite3_last_insert_rowid(h.tls, h.db), sqlite3.Xsqlite3_changes64(h.tls, h.db)}, nil
		default:
			return nil, h.errorOf(rc)
		}
	}
}

// Rows is a query's result, read as *sql.Rows is: Next, Scan, Err, Close.
// Rows must be closed (Next closes them once they end).
type Rows struct {
	c       *cachingConn
	st      *rawStmt
	release func() // nil, or what to give back after the statement (outside a transaction: the gate, the connection)
	first   bool   // the query's first step found a row Next has not shown yet
	ended   bool   // the query's first step found none
	onRow   bool
	err     error
}

// start runs the query's first step.
func (r *Rows) start() error {
	switch rc := sqlite3.Xsqlite3_step(r.c.h.tls, r.st.p); rc {
	case sqlite3.SQLITE_ROW:
		r.first = true
		return nil
	case sqlite3.SQLITE_DONE:
		r.ended = true // Next closes the rows; Columns can still name the columns
		return nil
	default:
		err := r.c.h.errorOf(rc)
		r.Close()
		return err
	}
}

// Next moves to the next row: false when there is none (or on an error,
// which Err then returns), and the rows are closed.
func (r *Rows) Next() bool {
	r.onRow = false
	if r.st == nil {
		return false
	}
	if r.first {
		r.first, r.onRow = false, true
		return true
	}
	if r.ended {
		r.Close()
		return false
	}
	switch rc := sqlite3.Xsqlite3_step(r.c.h.tls, r.st.p); rc {
	case sqlite3.SQLITE_ROW:
		r.onRow = true
		return true
	case sqlite3.SQLITE_DONE:
	default:
		r.err = r.c.h.errorOf(rc)
	}
	r.Close()
	return false
}

// Columns are the names of the query's columns.
func (r *Rows) Columns() ([]string, error) {
	if r.st == nil {
		return nil, errors.New("sql: Rows are closed")
	}
	cols := make([]string, r.st.cols)
	for i := range cols {
		cols[i] = libc.GoString(sqlite3.Xsqlite3_column_name(r.c.h.tls, r.st.p, int32(i)))
	}
	return cols, nil
}

// Err is the error that ended Next, if any.
func (r *Rows) Err() error { return r.err }

// Close resets the statement and gives it back.
func (r *Rows) Close() error {
	if r.st == nil {
		return nil
	}
	sqlite3.Xsqlite3_reset(r.c.h.tls, r.st.p)
	r.c.giveBack(r.st)
	r.st, r.first, r.ended, r.onRow = nil, false, false, false
	if r.release != nil {
		r.release()
	}
	return nil
}

// Scan copies the current row's columns into dest, converted as
// database/sql converts them. A *sql.RawBytes shows SQLite's own copy of
// the value, valid until the next call of Next, Scan or Close.
func (r *Rows) Scan(dest ...any) error {
	if !r.onRow {
		return errors.New("sql: Scan called without calling Next")
	}
	if len(dest) != r.st.cols {
		return fmt.Errorf("sql: expected %d destination arguments in Scan, not %d", r.st.cols, len(dest))
	}
	for i, d := range dest {
		if err := r.scan(int32(i), d); err != nil {
			name := libc.GoString(sqlite3.Xsqlite3_column_name(r.c.h.tls, r.st.p, int32(i)))
			return fmt.Errorf("sql: Scan error on column index %d, name %q: %w", i, name, err)
		}
	}
	return nil
}

// column is one value of the current row. It is read through
// sqlite3_column_value once, then with the sqlite3_value functions: every
// sqlite3_column_* call takes and leaves the connection's mutex (the driver
// opens connections FULLMUTEX), which the value functions do not; the rows'
// connection is used by one goroutine at a time anyway.
type column struct {
	tls *libc.TLS
	v   uintptr // sqlite3_value*
}

// column is the current row's column i.
func (r *Rows) column(i int32) column {
	return column{r.c.h.tls, sqlite3.Xsqlite3_column_value(r.c.h.tls, r.st.p, i)}
}

func (c column) typ() int32      { return sqlite3.Xsqlite3_value_type(c.tls, c.v) }
func (c column) int64() int64    { return sqlite3.Xsqlite3_value_int64(c.tls, c.v) }
func (c column) double() float64 { return sqlite3.Xsqlite3_value_double(c.tls, c.v) }

// bytes is the column's text or blob as SQLite holds it.
func (c column) bytes() []byte {
	p := sqlite3.Xsqlite3_value_blob(c.tls, c.v)
	n := sqlite3.Xsqlite3_value_bytes(c.tls, c.v)
	if p == 0 || n == 0 {
		return nil
	}
	return unsafe.Slice((*byte)(pointer(p)), n)
}

// value is the column as the driver would give it to database/sql.
func (c column) value() any {
	switch c.typ() {
	case sqlite3.SQLITE_INTEGER:
		return c.int64()
	case sqlite3.SQLITE_FLOAT:
		return c.double()
	case sqlite3.SQLITE_TEXT:
		return string(c.bytes())
	case sqlite3.SQLITE_BLOB:
		return append([]byte{}, c.bytes()...)
	default:
		return nil
	}
}

// text is the column in the text form database/sql gives a number scanned
// into a string.
func (c column) text(typ int32) []byte {
	switch typ {
	case sqlite3.SQLITE_INTEGER:
		return strconv.AppendInt(nil, c.int64(), 10)
	case sqlite3.SQLITE_FLOAT:
		return strconv.AppendFloat(nil, c.double(), 'g', -1, 64)
	default:
		return c.bytes()
	}
}

func (r *Rows) scan(i int32, dest any) error {
	c := r.column(i)
	typ := c.typ()
	if typ == sqlite3.SQLITE_NULL {
		switch d := dest.(type) {
		case *sql.RawBytes:
			*d = nil
		case *[]byte:
			*d = nil
		case *any:
			*d = nil
		case sql.Scanner:
			return d.Scan(nil)
		default:
			if v := reflect.ValueOf(dest); v.Kind() == reflect.Pointer && !v.IsNil() && v.Elem().Kind() == reflect.Pointer {
				v.Elem().SetZero() // a nil pointer for NULL
				return nil
			}
			return fmt.Errorf("converting NULL to %s is unsupported", typeName(dest))
		}
		return nil
	}
	switch d := dest.(type) {
	case *string:
		*d = string(c.text(typ))
	case *sql.RawBytes:
		*d = c.text(typ)
	case *[]byte:
		*d = append([]byte{}, c.text(typ)...)
	case *int64:
		return c.integer(typ, 64, func(v int64) { *d = v })
	case *int:
		return c.integer(typ, strconv.IntSize, func(v int64) { *d = int(v) })
	case *float64:
		if typ == sqlite3.SQLITE_INTEGER || typ == sqlite3.SQLITE_FLOAT {
			*d = c.double()
			return nil
		}
		v, err := strconv.ParseFloat(string(c.bytes()), 64)
		if err != nil {
			return fmt.Errorf("converting driver.Value type %s to a float64: %w", kindOf(typ), err)
		}
		*d = v
	case *bool:
		v, err := driver.Bool.ConvertValue(c.value())
		if err != nil {
			return fmt.Errorf("sql/driver: couldn't convert %v into type bool", c.value())
		}
		*d = v.(bool)
	case *any:
		*d = c.value()
	case sql.Scanner:
		return d.Scan(c.value())
	default:
		return r.scanReflect(i, c, typ, dest)
	}
	return nil
}

// scanReflect scans into what the switch of scan does not name: a pointer
// to a pointer (allocated, as database/sql does), or a named type of a
// kind it does.
func (r *Rows) scanReflect(i int32, c column, typ int32, dest any) error {
	v := reflect.ValueOf(dest)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return fmt.Errorf("destination not a pointer")
	}
	e := v.Elem()
	switch e.Kind() {
	case reflect.Pointer:
		p := reflect.New(e.Type().Elem())
		if err := r.scan(i, p.Interface()); err != nil {
			return err
		}
		e.Set(p)
		return nil
	case reflect.String:
		if typ == sqlite3.SQLITE_TEXT || typ == sqlite3.SQLITE_BLOB { // not a number, as database/sql
			e.SetString(string(c.bytes()))
			return nil
		}
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return c.integer(typ, e.Type().Bits(), func(n int64) { e.SetInt(n) })
	case reflect.Bool:
		var b bool
		if err := r.scan(i, &b); err != nil {
			return err
		}
		e.SetBool(b)
		return nil
	}
	return fmt.Errorf("unsupported Scan, storing driver.Value type %s into type %T", kindOf(typ), dest)
}

// integer scans the column as an integer of bits bits.
func (c column) integer(typ int32, bits int, set func(int64)) error {
	if typ == sqlite3.SQLITE_INTEGER {
		set(c.int64())
		return nil
	}
	s := string(c.text(typ))
	v, err := strconv.ParseInt(s, 10, bits)
	if err != nil {
		return fmt.Errorf("converting driver.Value type %s (%q) to a int%d: %w", kindOf(typ), s, bits, err)
	}
	set(v)
	return nil
}

// kindOf names a column type as database/sql names the driver's value.
func kindOf(typ int32) string {
	switch typ {
	case sqlite3.SQLITE_INTEGER:
		return "int64"
	case sqlite3.SQLITE_FLOAT:
		return "float64"
	case sqlite3.SQLITE_TEXT:
		return "string"
	case sqlite3.SQLITE_BLOB:
		return "[]uint8"
	default:
		return "<nil>"
	}
}

// typeName is what dest points to.
func typeName(dest any) string {
	if t := reflect.TypeOf(dest); t != nil && t.Kind() == reflect.Pointer {
		return t.Elem().String()
	}
	return fmt.Sprintf("%T", dest)
}

// Row is a query's first row, read as *sql.Row is.
type Row struct {
	rows *Rows
	err  error
}

// Scan copies the first row's columns into dest and closes the rows:
// sql.ErrNoRows when there is none.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	return r.rows.Scan(dest...)
}

// errRow is a Row whose query failed.
func errRow(err error) *Row { return &Row{err: err} }
