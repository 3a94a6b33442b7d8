// Package catalog is courier's operation catalog as data: every documented
// operation (method, path, success status, query parameters, body fields)
// and the attributes of every JSON:API type, generated from
// courier-operations.json, the vendor documentation turned into JSON. The
// engine validates requests and renders answers against it.
package catalog

//go:generate go run ./gen -in courier-operations.json -out catalog_gen.go

func ptr(v int64) *int64 { return &v }
