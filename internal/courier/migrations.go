package courier

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"sort"

	"github.com/emulator/vendor-emulator/internal/courier/jsonapi"
	"github.com/emulator/vendor-emulator/internal/store"
)

//go:embed migrations/*.sql
var ownMigrations embed.FS

// migrations are the engine's migrations and courier's own as one directory,
// since store applies one directory per vendor, each file once by its number.
// The engine numbers its files below 100 and courier from 100, so that
// neither can take a number the other will need.
func migrations() fs.FS {
	return unionFS{jsonapi.Migrations(), store.Sub(ownMigrations, "migrations")}
}

// unionFS is several flat directories read as one; a name in two of them is
// an error, not a choice.
type unionFS []fs.FS

func (u unionFS) Open(name string) (fs.File, error) {
	for _, f := range u {
		file, err := f.Open(name)
		if !errors.Is(err, fs.ErrNotExist) {
			return file, err
		}
	}
	return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrNotExist}
}

func (u unionFS) ReadDir(name string) ([]fs.DirEntry, error) {
	var all []fs.DirEntry
	seen := map[string]bool{}
	for _, f := range u {
		entries, err := fs.ReadDir(f, name)
		if err != nil {
			return nil, err
		}
		for _, e := range entries {
			if seen[e.Name()] {
				return nil, fmt.Errorf("courier: migration %s is in two directories", e.Name())
			}
			seen[e.Name()] = true
			all = append(all, e)
		}
	}
	sort.Slice(all, func(i, j int) bool { return all[i].Name() < all[j].Name() })
	return all, nil
}
