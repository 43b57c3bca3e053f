// Command revela-cue is the CUE evaluator Revela runs in Node: cuelang.org/go compiled to
// WebAssembly (GOOS=js GOARCH=wasm) and driven from cue/engine.ts. It keeps compiled definition
// templates by handle so a worker compiles each definition once and only fills `parameter` and
// `context` per render.
//
// Everything crosses the JS boundary as JSON strings: the TS side owns the contract (which fields
// a component, trait or status template yields), this side owns CUE.
package main

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"syscall/js"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"
	cuejson "cuelang.org/go/encoding/json"
)

// cueVersion is stamped by the build (-ldflags -X main.cueVersion=…) so the TS side can report it.
var cueVersion = "unknown"

var (
	ctx     = cuecontext.New()
	handles = map[int]cue.Value{}
	next    = 1
)

// Position is a place in a template: its name, 1-based line and column.
type Position struct {
	File   string `json:"file"`
	Line   int    `json:"line"`
	Column int    `json:"column"`
}

// Problem is one CUE error: the message, the CUE path it concerns and where in the source.
type Problem struct {
	Message   string     `json:"message"`
	Path      string     `json:"path,omitempty"`
	Positions []Position `json:"positions,omitempty"`
}

// Annotation is a `// +patchKey=` or `// +patchStrategy=` comment on a field of a patch, at a path
// relative to the annotated value; "[]" stands for any element of a list.
type Annotation struct {
	Path          []string `json:"path"`
	PatchKey      string   `json:"patchKey,omitempty"`
	PatchStrategy string   `json:"patchStrategy,omitempty"`
}

type evalRequest struct {
	// Values unified into the template at the top level, e.g. {"parameter": …, "context": …}.
	Fill map[string]json.RawMessage `json:"fill"`
	// Top-level fields that must be concrete when they exist (checked, not returned).
	Check []string `json:"check"`
	// Top-level fields to return as JSON when they exist.
	Select []string `json:"select"`
	// Top-level fields whose patch annotations to return.
	Annotate []string `json:"annotate"`
}

type evalResponse struct {
	Values      map[string]json.RawMessage `json:"values,omitempty"`
	Annotations map[string][]Annotation    `json:"annotations,omitempty"`
	Errors      []Problem                  `json:"errors,omitempty"`
}

func problems(err error) []Problem {
	var out []Problem
	for _, e := range cueerrors.Errors(err) {
		format, args := e.Msg()
		p := Problem{Message: fmt.Sprintf(format, args...), Path: strings.Join(e.Path(), ".")}
		for _, pos := range cueerrors.Positions(e) {
			if !pos.IsValid() {
				continue
			}
			p.Positions = append(p.Positions, Position{File: pos.Filename(), Line: pos.Line(), Column: pos.Column()})
		}
		out = append(out, p)
	}
	if len(out) == 0 && err != nil {
		out = append(out, Problem{Message: err.Error()})
	}
	return out
}

func reply(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		b, _ = json.Marshal(evalResponse{Errors: []Problem{{Message: err.Error()}}})
	}
	return string(b)
}

// compile(name, source) → {"handle": n} | {"errors": [...]}. References to `context` and
// `parameter` stay open (KubeVela fills them per render), so both are declared as top (`_`) after
// the template: unification with `_` changes nothing the template says, and lines stay in place.
func compile(_ js.Value, args []js.Value) any {
	if len(args) != 2 {
		return reply(evalResponse{Errors: []Problem{{Message: "compile(name, source) takes 2 arguments"}}})
	}
	name, source := args[0].String(), args[1].String()
	v := ctx.CompileString(source+"\ncontext: _\nparameter: _\n", cue.Filename(name))
	if err := v.Err(); err != nil {
		return reply(evalResponse{Errors: problems(err)})
	}
	handle := next
	next++
	handles[handle] = v
	return reply(map[string]int{"handle": handle})
}

func release(_ js.Value, args []js.Value) any {
	if len(args) == 1 {
		delete(handles, args[0].Int())
	}
	return nil
}

// evaluate(handle, requestJSON) → evalResponse as JSON.
func evaluate(_ js.Value, args []js.Value) any {
	if len(args) != 2 {
		return reply(evalResponse{Errors: []Problem{{Message: "evaluate(handle, request) takes 2 arguments"}}})
	}
	v, ok := handles[args[0].Int()]
	if !ok {
		return reply(evalResponse{Errors: []Problem{{Message: fmt.Sprintf("no compiled template %d", args[0].Int())}}})
	}
	var req evalRequest
	if err := json.Unmarshal([]byte(args[1].String()), &req); err != nil {
		return reply(evalResponse{Errors: []Problem{{Message: "bad request: " + err.Error()}}})
	}
	for _, key := range sortedKeys(req.Fill) {
		expr, err := cuejson.Extract(key, req.Fill[key])
		if err != nil {
			return reply(evalResponse{Errors: problems(err)})
		}
		v = v.FillPath(cue.MakePath(cue.Str(key)), ctx.BuildExpr(expr))
	}
	if err := v.Err(); err != nil {
		return reply(evalResponse{Errors: problems(err)})
	}
	res := evalResponse{Values: map[string]json.RawMessage{}, Annotations: map[string][]Annotation{}}
	for _, field := range req.Check {
		fv := v.LookupPath(cue.MakePath(cue.Str(field)))
		if !fv.Exists() {
			continue
		}
		if err := fv.Validate(cue.Concrete(true), cue.Final()); err != nil {
			res.Errors = append(res.Errors, problems(err)...)
		}
	}
	if len(res.Errors) > 0 {
		return reply(res)
	}
	for _, field := range req.Select {
		fv := v.LookupPath(cue.MakePath(cue.Str(field)))
		if !fv.Exists() {
			continue
		}
		// Marshalling fails on anything incomplete; only then is the value walked again to
		// report every error with its position (Validate says more than MarshalJSON).
		b, err := fv.MarshalJSON()
		if err != nil {
			if verr := fv.Validate(cue.Concrete(true), cue.Final()); verr != nil {
				err = verr
			}
			res.Errors = append(res.Errors, problems(err)...)
			continue
		}
		res.Values[field] = b
	}
	for _, field := range req.Annotate {
		fv := v.LookupPath(cue.MakePath(cue.Str(field)))
		if !fv.Exists() {
			continue
		}
		found := map[string]*Annotation{}
		var order []string
		collect(fv, fv.Doc(), []string{}, nil, found, &order)
		for _, key := range order {
			res.Annotations[field] = append(res.Annotations[field], *found[key])
		}
	}
	return reply(res)
}

// frame is a field on the way down: its path and where its value starts.
type frame struct {
	path []string
	pos  token.Pos
}

// collect walks an evaluated value and records the patch annotations in the doc comments of each
// field (conditionals and comprehensions are already resolved, so what is walked is what applies).
func collect(v cue.Value, docs []*ast.CommentGroup, path []string, up []frame, found map[string]*Annotation, order *[]string) {
	for _, group := range docs {
		target := owner(group, path, up)
		key := strings.Join(target, "\x00")
		a, ok := found[key]
		if !ok {
			a = &Annotation{Path: target}
		}
		if read(group, a) && !ok {
			found[key] = a
			*order = append(*order, key)
		}
	}
	here := append(append([]frame{}, up...), frame{path: path, pos: v.Pos()})
	switch v.IncompleteKind() {
	case cue.StructKind:
		it, err := v.Fields()
		if err != nil {
			return
		}
		for it.Next() {
			child := append(clone(path), it.Selector().Unquoted())
			collect(it.Value(), without(it.Value().Doc(), docs), child, here, found, order)
		}
	case cue.ListKind:
		it, err := v.List()
		if err != nil {
			return
		}
		for it.Next() {
			collect(it.Value(), nil, append(clone(path), "[]"), here, found, order)
		}
	}
}

// owner is the field a comment annotates. CUE attaches the comment above `a: b: x` to `b`, but
// it is written above `a`: it belongs to the outermost enclosing field whose value starts after it.
func owner(group *ast.CommentGroup, path []string, up []frame) []string {
	target := path
	end := group.End()
	for i := len(up) - 1; i >= 0; i-- {
		pos := up[i].pos
		if !pos.IsValid() || pos.Filename() != end.Filename() || pos.Line() <= end.Line() {
			break
		}
		target = up[i].path
	}
	return target
}

// read takes `+patchKey=x` and `+patchStrategy=y` lines of a doc comment into a; false when
// there are none.
func read(group *ast.CommentGroup, a *Annotation) bool {
	found := false
	for _, c := range group.List {
		line := strings.TrimSpace(strings.TrimPrefix(c.Text, "//"))
		if !strings.HasPrefix(line, "+") {
			continue
		}
		key, value, ok := strings.Cut(line[1:], "=")
		value = strings.TrimSpace(value)
		if !ok || len(strings.Fields(value)) != 1 {
			continue
		}
		switch strings.TrimSpace(key) {
		case "patchKey":
			a.PatchKey, found = value, true
		case "patchStrategy":
			a.PatchStrategy, found = value, true
		}
	}
	return found
}

// without drops the comment groups that are also in parent.
func without(docs, parent []*ast.CommentGroup) []*ast.CommentGroup {
	var out []*ast.CommentGroup
	for _, d := range docs {
		inherited := false
		for _, p := range parent {
			inherited = inherited || (d.Pos() == p.Pos() && d.Text() == p.Text())
		}
		if !inherited {
			out = append(out, d)
		}
	}
	return out
}

func clone(path []string) []string { return append([]string{}, path...) }

func sortedKeys(m map[string]json.RawMessage) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// safe turns a panic inside CUE into an error reply: an unrecovered panic would end the Go
// program, and every later call from the process would fail.
func safe(fn func(js.Value, []js.Value) any) func(js.Value, []js.Value) any {
	return func(this js.Value, args []js.Value) (out any) {
		defer func() {
			if r := recover(); r != nil {
				out = reply(evalResponse{Errors: []Problem{{Message: fmt.Sprintf("CUE evaluator panic: %v", r)}}})
			}
		}()
		return fn(this, args)
	}
}

func main() {
	api := js.Global().Get("Object").New()
	api.Set("compile", js.FuncOf(safe(compile)))
	api.Set("evaluate", js.FuncOf(safe(evaluate)))
	api.Set("release", js.FuncOf(release))
	api.Set("version", cueVersion)
	js.Global().Set("revelaCue", api)
	// The API is in place when main blocks here; the loader's go.run returns then, and the Go
	// runtime stays alive for later calls.
	select {}
}
