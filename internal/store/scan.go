package store

import (
	"database/sql"
	"errors"
)

// Int scans an integer column: (*store.Int)(&n) where n is an int. A count
// a page repeats on each of its rows is scanned once per row, and
// database/sql scans an int64 into an *int by formatting it as a string and
// parsing it back (profiled: about 5% of GreenArrow's page of 100).
type Int int

// Scan implements sql.Scanner: the driver's int64 as it is, anything else
// as database/sql scans into an *int (NULL is an error there too).
func (n *Int) Scan(src any) error {
	if v, ok := src.(int64); ok {
		*n = Int(v)
		return nil
	}
	var v sql.NullInt64
	if err := v.Scan(src); err != nil {
		return err
	}
	if !v.Valid {
		return errors.New("store: converting NULL to int is unsupported")
	}
	*n = Int(v.Int64)
	return nil
}
