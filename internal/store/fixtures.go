package store

import (
	"encoding/json"
	"fmt"
	"io/fs"
)

// Sub returns the migrations directory dir of an embedded file system, for
// Schema.Migrations. An embedded directory always exists, so it cannot fail;
// a wrong name shows at Open as "no migrations".
func Sub(fsys fs.FS, dir string) fs.FS {
	sub, err := fs.Sub(fsys, dir)
	if err != nil {
		panic(fmt.Sprintf("store: migrations directory %q: %v", dir, err))
	}
	return sub
}

// ReadFixture decodes the fixture file name into v, naming the file in errors.
func ReadFixture(fixtures fs.FS, name string, v any) error {
	raw, err := fs.ReadFile(fixtures, name)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(raw, v); err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	return nil
}
