package http_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/pb33f/libopenapi"
	validator "github.com/pb33f/libopenapi-validator"
	"github.com/pb33f/libopenapi-validator/config"
	liberrors "github.com/pb33f/libopenapi-validator/errors"

	kithhttp "github.com/kithcdp/kith/http"
)

// TestOpenAPIDocumentIsValid validates http/openapi.json against the
// OpenAPI 3.1 schema with a real validator, builds its model (every $ref
// resolves), and checks the conventions every operation follows.
func TestOpenAPIDocumentIsValid(t *testing.T) {
	doc, err := libopenapi.NewDocument(kithhttp.OpenAPI())
	if err != nil {
		t.Fatalf("parse: %v", err)
	}
	if v := doc.GetVersion(); v != "3.1.0" {
		t.Errorf("OpenAPI version %q, want 3.1.0", v)
	}
	model, err := doc.BuildV3Model()
	if err != nil {
		t.Fatalf("build model: %v", err)
	}
	v, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatalf("validator: %v", errs)
	}
	if ok, verrs := v.ValidateDocument(); !ok {
		for _, e := range verrs {
			t.Errorf("document: %s", describe(e))
		}
	}
	ids := map[string]string{}
	for path, item := range model.Model.Paths.PathItems.FromOldest() {
		for method, o := range item.GetOperations().FromOldest() {
			where := strings.ToUpper(method) + " " + path
			if o.OperationId == "" || o.Summary == "" {
				t.Errorf("%s: no operationId or summary", where)
			}
			if other, dup := ids[o.OperationId]; dup {
				t.Errorf("%s and %s share operationId %q", where, other, o.OperationId)
			}
			ids[o.OperationId] = where
			if o.Security == nil {
				t.Errorf("%s: no security requirement (use [] for public endpoints)", where)
			}
			if o.Responses == nil || o.Responses.Codes.Len() == 0 {
				t.Errorf("%s: no responses", where)
			} else if method != "options" && o.Responses.Default == nil && !strings.HasPrefix(path, "/healthz") &&
				path != "/metrics" && path != "/api/openapi.json" && path != "/sdk/kith.js" {
				t.Errorf("%s: no default (error) response", where)
			}
		}
	}
}

// describe renders a validation error with its schema failures.
func describe(e *liberrors.ValidationError) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (%s)", e.Message, e.Reason)
	for _, f := range e.SchemaValidationErrors {
		fmt.Fprintf(&b, "; %s at %s", f.Reason, f.FieldPath)
	}
	return b.String()
}

// strictIgnore are the free-form parts of requests and answers, where
// strict validation must not ask for declared properties.
var strictIgnore = []string{
	"$.query.key", // the keyQuery security scheme
	"$.body.params.**", "$.body.**.params.**", "$.body.**.moved.**",
	"$.body.properties.**", "$.body.traits.**", "$.body.context.**", "$.body.integrations.**",
	"$.body.**.properties.**", "$.body.**.traits.**", "$.body.**.context.**", "$.body.**.integrations.**",
}

// laxOperations are validated without strict mode: the document itself
// is checked by TestOpenAPIDocumentIsValid.
var laxOperations = map[string]bool{"GET /api/openapi.json": true}

// liveAPI sends requests to a real server and validates each request and
// each answer against the OpenAPI document, recording which documented
// operations were exercised.
type liveAPI struct {
	t *testing.T
	e *apiEnv
	// v validates strictly: properties the document does not declare fail,
	// except inside free-form values (strictIgnore). lax validates the
	// operations in laxOperations.
	v, lax validator.Validator
	ops    []string        // "METHOD /template" of every documented operation
	hit    map[string]bool // operations exercised
	// missing are operations whose route answered "no such endpoint": not
	// implemented yet.
	missing map[string]bool
}

func newLiveAPI(t *testing.T, e *apiEnv) *liveAPI {
	doc, err := libopenapi.NewDocument(kithhttp.OpenAPI())
	if err != nil {
		t.Fatal(err)
	}
	v, errs := validator.NewValidator(doc, config.WithStrictMode(), config.WithStrictIgnorePaths(strictIgnore...),
		config.WithStrictIgnoredHeadersExtra("Access-Control-Request-Method", "Access-Control-Request-Headers"))
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	lax, errs := validator.NewValidator(doc)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	var raw struct {
		Paths map[string]map[string]json.RawMessage `json:"paths"`
	}
	if err := json.Unmarshal(kithhttp.OpenAPI(), &raw); err != nil {
		t.Fatal(err)
	}
	l := &liveAPI{t: t, e: e, v: v, lax: lax, hit: map[string]bool{}, missing: map[string]bool{}}
	for path, item := range raw.Paths {
		for method := range item {
			if method != "parameters" {
				l.ops = append(l.ops, strings.ToUpper(method)+" "+path)
			}
		}
	}
	slices.Sort(l.ops)
	return l
}

// call is one request of the live test.
type call struct {
	method, path string // path with its query
	key          string // sent as a bearer token
	basic        string // sent as the Basic auth user name (Segment)
	body         any    // JSON-encoded unless a string or []byte
	contentType  string // default application/json when there is a body
	header       map[string]string
	// invalid marks a request that breaks the document on purpose (to get
	// an error answer): only the answer is validated.
	invalid bool
	// status is the answer's expected status; 0 accepts any 2xx.
	status int
}

// do sends c and validates it; it returns nil when the route does not exist
// yet (404 "no such endpoint"), after logging it.
func (l *liveAPI) do(c call) *apiResp {
	l.t.Helper()
	op := l.operation(c.method, c.path)
	if op == "" {
		l.t.Fatalf("%s %s matches no operation of the document", c.method, c.path)
	}
	var body []byte
	switch b := c.body.(type) {
	case nil:
	case string:
		body = []byte(b)
	case []byte:
		body = b
	default:
		var err error
		if body, err = json.Marshal(b); err != nil {
			l.t.Fatal(err)
		}
	}
	build := func() *http.Request {
		r, err := http.NewRequest(c.method, l.e.srv.URL+c.path, bytes.NewReader(body))
		if err != nil {
			l.t.Fatal(err)
		}
		if body == nil {
			r.Body, r.ContentLength = http.NoBody, 0
		}
		ct := c.contentType
		if ct == "" && body != nil {
			ct = "application/json"
		}
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		if c.key != "" {
			r.Header.Set("Authorization", "Bearer "+c.key)
		}
		if c.basic != "" {
			r.SetBasicAuth(c.basic, "")
		}
		for k, v := range c.header {
			r.Header.Set(k, v)
		}
		return r
	}
	res, err := l.e.client.Do(build())
	if err != nil {
		l.t.Fatalf("%s %s: %v", c.method, c.path, err)
	}
	data, err := io.ReadAll(res.Body)
	res.Body.Close()
	if err != nil {
		l.t.Fatal(err)
	}
	if res.StatusCode == http.StatusNotFound && bytes.Contains(data, []byte("no such endpoint")) {
		if !l.missing[op] {
			l.t.Logf("skipped %s: not implemented yet (%s %s answers 404 no such endpoint)", op, c.method, c.path)
		}
		l.missing[op] = true
		return nil
	}
	l.hit[op] = true
	where := fmt.Sprintf("%s %s → %d", c.method, c.path, res.StatusCode)
	if c.status != 0 && res.StatusCode != c.status || c.status == 0 && res.StatusCode/100 != 2 {
		l.t.Errorf("%s, want %d: %s", where, c.status, data)
	}
	v := l.v
	if laxOperations[op] {
		v = l.lax
	}
	if !c.invalid {
		if ok, errs := v.ValidateHttpRequestSync(build()); !ok {
			for _, e := range errs {
				l.t.Errorf("%s: request breaks the document: %s", where, describe(e))
			}
		}
	}
	res.Body = io.NopCloser(bytes.NewReader(data))
	if ok, errs := v.ValidateHttpResponse(build(), res); !ok {
		for _, e := range errs {
			l.t.Errorf("%s: answer breaks the document: %s\n%.600s", where, describe(e), data)
		}
	}
	return &apiResp{Status: res.StatusCode, Header: res.Header, Body: data}
}

// operation returns the documented operation a request reaches: the path
// template matching most literal segments.
func (l *liveAPI) operation(method, path string) string {
	path, _, _ = strings.Cut(path, "?")
	segs := strings.Split(path, "/")
	best, bestScore := "", -1
	for _, op := range l.ops {
		m, tmpl, _ := strings.Cut(op, " ")
		ts := strings.Split(tmpl, "/")
		if m != method || len(ts) != len(segs) {
			continue
		}
		score := 0
		for i := range ts {
			switch {
			case ts[i] == segs[i]:
				score++
			case strings.HasPrefix(ts[i], "{"):
			default:
				score = -1
			}
			if score < 0 {
				break
			}
		}
		if score > bestScore {
			best, bestScore = op, score
		}
	}
	return best
}

// finish fails the test for documented operations the live test did not
// exercise (unless their route does not exist yet).
func (l *liveAPI) finish() {
	l.t.Helper()
	for _, op := range l.ops {
		if !l.hit[op] && !l.missing[op] {
			l.t.Errorf("documented operation %s is not exercised by the live test", op)
		}
	}
	l.t.Logf("validated %d operations live; %d not implemented yet", len(l.hit), len(l.missing))
}

// decode decodes a validated answer.
func (r *apiResp) into(t testing.TB, v any) {
	t.Helper()
	if r != nil {
		r.decode(t, v)
	}
}
