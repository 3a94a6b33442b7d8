package jsonapi

import (
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"strconv"
	"strings"
)

// The arguments of a DELETE action may come in the query string instead of
// the body: Carium's own client sends them there (DELETE .../reactions/?
// reaction-type=like&individual-id=...), and many HTTP clients cannot send a
// body with a DELETE. They are turned into the body object the action takes,
// typed by the catalog's fields, so that they are validated exactly as a body.

// queryArg is one argument of a DELETE action sent in the query string.
type queryArg struct {
	name   string // the body member it stands for
	values []string
}

// takesQueryArgs reports whether a request to op takes the arguments of its
// plain body from the query string: a DELETE without a body. With a body,
// the query string holds only the documented query parameters, as for any
// other method, so that arguments never come from two places at once.
func takesQueryArgs(op *Operation, r *http.Request) bool {
	return r.Method == http.MethodDelete && op.Body == "plain" && !hasBody(r)
}

// splitArgs separates a DELETE action's query string into its documented
// query parameters (left to parseQuery, as rawQuery) and the arguments of its
// body, in the order of their first appearance. A part that is not properly
// URL-encoded stays in rawQuery, where parseQuery reports it.
func splitArgs(op *Operation, rawQuery string) (string, []queryArg) {
	documented := map[string]bool{}
	for _, p := range op.Query {
		documented[p.Name] = true
	}
	arrays := map[string]bool{}
	for _, f := range op.Fields {
		arrays[f.Name] = f.Kind == "array"
	}
	var kept []string
	var args []queryArg
	index := map[string]int{}
	for _, qp := range queryParts(rawQuery) {
		key, val := qp.key, qp.val
		if !qp.ok || documented[key] {
			kept = append(kept, qp.raw)
			continue
		}
		// name[]=a&name[]=b is how several clients (qs, axios, PHP, Rails)
		// repeat an array parameter.
		if base, ok := strings.CutSuffix(key, "[]"); ok && arrays[base] {
			key = base
		}
		i, ok := index[key]
		if !ok {
			i = len(args)
			index[key] = i
			args = append(args, queryArg{name: key})
		}
		args[i].values = append(args[i].values, val)
	}
	return strings.Join(kept, "&"), args
}

// argsObject is the body object the query arguments stand for: each value
// typed by its documented field (an array field takes the repeated
// parameter's values). A value that does not read as its kind stays a string,
// so that checkFields refuses it with the body's own message.
func argsObject(op *Operation, args []queryArg) (map[string]json.RawMessage, error) {
	fields := map[string]Field{}
	for _, f := range op.Fields {
		fields[f.Name] = f
	}
	obj := make(map[string]json.RawMessage, len(args))
	var errs Errors
	for _, a := range args {
		f, known := fields[a.name]
		switch {
		case !known:
			obj[a.name] = argValue("string", a.values[0]) // checkFields names it unknown
		case f.Kind == "array":
			items := make([]json.RawMessage, len(a.values))
			for i, v := range a.values {
				items[i] = argValue(f.ItemKind, v)
			}
			obj[a.name], _ = json.Marshal(items)
		case len(a.values) > 1:
			errs = append(errs, ErrParam(a.name, "Query parameter %q may be given only once.", a.name))
		default:
			obj[a.name] = argValue(f.Kind, a.values[0])
		}
	}
	return obj, errs.OrNil()
}

// argValue reads one query string value as a JSON value of kind: booleans as
// the engine reads boolean query parameters (true/false, 1/0, any case),
// integers and numbers in decimal, an object as JSON text.
func argValue(kind, v string) json.RawMessage {
	switch kind {
	case "boolean":
		if b, ok := ParseBool(v); ok {
			return json.RawMessage(strconv.FormatBool(b))
		}
	case "integer":
		if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			return json.RawMessage(strconv.FormatInt(n, 10))
		}
	case "number":
		if f, err := strconv.ParseFloat(v, 64); err == nil && !math.IsInf(f, 0) && !math.IsNaN(f) {
			return json.RawMessage(strconv.FormatFloat(f, 'g', -1, 64))
		}
	case "object":
		if t := strings.TrimSpace(v); strings.HasPrefix(t, "{") && json.Valid([]byte(t)) {
			return json.RawMessage(t)
		}
	}
	s, _ := json.Marshal(v)
	return s
}

// takeArgs makes the query arguments of a DELETE action its body object
// (the request has no body: see takesQueryArgs). Even with none, what the
// action misses is then a missing query parameter.
func (b *requestBody) takeArgs(op *Operation, args []queryArg) {
	b.obj, b.objErr = argsObject(op, args)
	b.fromQuery = true
}

// asParameters names the query parameter at fault where an error of an
// action whose arguments came from the query string points at a body
// member: "/individual-ids/1" is the parameter "individual-ids". The detail
// stays the body's.
func asParameters(err error) error {
	var list Errors
	var one *Error
	switch {
	case errors.As(err, &list):
		out := make(Errors, len(list))
		for i, e := range list {
			out[i] = asParameter(e)
		}
		return out
	case errors.As(err, &one):
		return asParameter(one)
	}
	return err
}

func asParameter(e *Error) *Error {
	if e.Pointer == "" || e.Parameter != "" {
		return e
	}
	cp := *e
	name, _, _ := strings.Cut(strings.TrimPrefix(e.Pointer, "/"), "/")
	cp.Parameter, cp.Pointer = strings.NewReplacer("~1", "/", "~0", "~").Replace(name), ""
	return &cp
}
