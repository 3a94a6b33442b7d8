package app

import (
	"github.com/emulator/vendor-emulator/internal/courier"
	"github.com/emulator/vendor-emulator/internal/greenarrow"
	"github.com/emulator/vendor-emulator/internal/loop"
	"github.com/emulator/vendor-emulator/internal/partner"
	"github.com/emulator/vendor-emulator/internal/server"
	"github.com/emulator/vendor-emulator/internal/store"
)

// vendors is the one place that lists every emulated vendor: its store schema
// and how its handler is built. Adding a vendor adds one entry here.
func vendors() []vendorEntry {
	courierModel := courier.NewModel() // built once, shared by every world
	return []vendorEntry{
		{greenarrow.Schema(), func(d server.Deps) server.Vendor { return greenarrow.New(d) }},
		{partner.Schema(), func(d server.Deps) server.Vendor { return partner.New(d) }},
		{loop.Schema(), func(d server.Deps) server.Vendor { return loop.New(d) }},
		{courier.Schema(), func(d server.Deps) server.Vendor { return courierModel.New(d) }},
	}
}

type vendorEntry struct {
	schema store.Schema
	build  func(server.Deps) server.Vendor
}
