package jsonapi

import "regexp"

// Operation is one operation of the catalog (the vendor's documentation as data):
// what the vendor documents about it, as data the engine validates against.
type Operation struct {
	Seq        int    // position in the vendor's document
	ID         string // "<type>.<operation>", e.g. "widgets.list"
	Method     string
	Path       string // "/v1/widgets/{id}/archive/", a chi pattern
	Resource   string // first path segment
	Status     int    // documented success status (0 when the dump shows none)
	Response   string // "jsonapi list", "jsonapi single", "plain object", "null", ...
	Type       string // JSON:API type of the response, if any
	Deprecated bool
	Body       string           // request body shape: "jsonapi", "plain" or "" (none)
	Fields     []Field          // request body fields: data.attributes (jsonapi) or the plain object's keys
	Query      []Param          // query parameters
	params     map[string]Param // Query by name, built by NewModel: read by every request, never written
	SampleKeys []string         // keys of the documented response sample (attributes, or a plain object's keys)
}

// Param is one documented query parameter.
type Param struct {
	Name          string
	Kind          string // "string", "integer", "boolean", "array"
	Format        string // "uuid", "email", ...
	Required      bool
	Enum          []string
	Min, Max      *int64
	Default       string
	MinLength     int
	MaxLength     int
	Pattern       string
	pattern       *regexp.Regexp // Pattern, compiled by NewModel
	ItemMaxLength int
	ItemEnum      []string
	MinItems      int
	MaxItems      int
	Deprecated    bool
}

// Field is one documented key of a request body.
type Field struct {
	Name       string
	Kind       string // "string", "integer", "boolean", "array", "object"
	Format     string
	Required   bool
	Enum       []string
	MaxLength  int
	ItemKind   string
	ItemFormat string
}

// Attr is one attribute of a JSON:API type.
type Attr struct {
	Name        string
	Kind        string // "string", "integer", "boolean", "array", "object", "any"
	Format      string // "uuid", "date", "email"
	Enum        []string
	MaxLength   int
	Create      bool // accepted by create
	Modify      bool // accepted by modify
	ReadOnly    bool // answered, never accepted: the server sets it
	RequestOnly bool // accepted, never answered
}
