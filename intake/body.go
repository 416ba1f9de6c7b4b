package intake

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// MaxBody is the largest request body accepted: far more than a handoff
// needs (every field at its longest is under 8 KB), small enough that no
// client can make the API buffer much.
const MaxBody = 64 << 10

// readJSON checks the request's body in contract order — 415 not JSON,
// 413 too large, 400 malformed — and returns it decoded (numbers as
// json.Number) with its canonical hash. A refusal is returned as the
// problem to answer with.
func readJSON(w http.ResponseWriter, r *http.Request) (any, string, *Problem) {
	if !isJSON(r.Header.Get("Content-Type")) {
		p := problem(r, probMediaType, "Send the body as JSON, with Content-Type: application/json.")
		return nil, "", &p
	}
	if r.ContentLength > MaxBody {
		p := problem(r, probTooLarge, fmt.Sprintf("The body is %d bytes; the most is %d.", r.ContentLength, MaxBody))
		return nil, "", &p
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if errors.As(err, new(*http.MaxBytesError)) {
		p := problem(r, probTooLarge, fmt.Sprintf("The body is over %d bytes.", MaxBody))
		return nil, "", &p
	} else if err != nil {
		p := problem(r, probMalformed, "The body could not be read in full.")
		return nil, "", &p
	}
	tree, serr := parseJSON(body)
	if serr != nil {
		p := problem(r, probMalformed, serr.Error())
		p.Offset = &serr.offset
		return nil, "", &p
	}
	return tree, canonicalHash(tree), nil
}

// isJSON accepts application/json and any +json type, with parameters;
// a charset other than UTF-8 is refused, as JSON is UTF-8 (RFC 8259).
func isJSON(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return false
	}
	if cs, ok := params["charset"]; ok && !strings.EqualFold(cs, "utf-8") {
		return false
	}
	return mt == "application/json" || strings.HasPrefix(mt, "application/") && strings.HasSuffix(mt, "+json")
}

// syntaxError is malformed JSON at a byte offset.
type syntaxError struct {
	offset int64
	msg    string
}

func (e *syntaxError) Error() string {
	return fmt.Sprintf("Malformed JSON at byte offset %d: %s.", e.offset, e.msg)
}

// parseJSON decodes an I-JSON (RFC 7493) text: UTF-8, one value, no
// member name twice in an object. Duplicate names are refused rather than
// resolved, since parsers disagree on which one wins and "JSON-equal"
// would be ambiguous.
func parseJSON(body []byte) (any, *syntaxError) {
	if len(bytes.TrimSpace(body)) == 0 {
		return nil, &syntaxError{0, "the body is empty"}
	}
	if !utf8.Valid(body) {
		return nil, &syntaxError{int64(invalidUTF8At(body)), "the text is not UTF-8"}
	}
	var se *json.SyntaxError
	if err := json.Unmarshal(body, new(json.RawMessage)); errors.As(err, &se) {
		return nil, &syntaxError{wrongByte(se), se.Error()}
	} else if err != nil {
		return nil, &syntaxError{0, err.Error()}
	}
	var tree any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()                           // integers stay exact for validation
	if err := dec.Decode(&tree); err != nil { // valid JSON decodes
		return nil, &syntaxError{0, err.Error()}
	}
	if err := checkDuplicateNames(body); err != nil {
		return nil, err
	}
	return tree, nil
}

// wrongByte is the index of the byte a syntax error is about: encoding/json
// counts the bytes read, the wrong one included, except when the input
// ended too early, where the index is the body's length.
func wrongByte(se *json.SyntaxError) int64 {
	if se.Offset > 0 && se.Error() != "unexpected end of JSON input" {
		return se.Offset - 1
	}
	return se.Offset
}

func invalidUTF8At(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size == 1 {
			return i
		}
		i += size
	}
	return len(b)
}

// checkDuplicateNames walks valid JSON's tokens, refusing an object that
// names a member twice, at the byte offset of the second name.
func checkDuplicateNames(body []byte) *syntaxError {
	type container struct {
		names   map[string]bool // nil for an array
		wantKey bool
	}
	var stack []*container
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber() // a number beyond a double is still JSON
	for {
		start := dec.InputOffset()
		tok, err := dec.Token()
		if err == io.EOF {
			return nil
		} else if err != nil {
			return &syntaxError{start, err.Error()}
		}
		var top *container
		if len(stack) > 0 {
			top = stack[len(stack)-1]
		}
		if name, ok := tok.(string); ok && top != nil && top.wantKey {
			if top.names[name] {
				return &syntaxError{tokenStart(body, start), fmt.Sprintf("the name %s appears twice in one object", strconv.Quote(name))}
			}
			top.names[name], top.wantKey = true, false
			continue
		}
		if top != nil && top.names != nil {
			top.wantKey = true // the value is read (or begins): a name comes next
		}
		switch tok {
		case json.Delim('{'):
			stack = append(stack, &container{names: map[string]bool{}, wantKey: true})
		case json.Delim('['):
			stack = append(stack, &container{})
		case json.Delim('}'), json.Delim(']'):
			stack = stack[:len(stack)-1]
		}
	}
}

// tokenStart skips the separators the decoder had not consumed yet.
func tokenStart(body []byte, at int64) int64 {
	for at < int64(len(body)) && strings.IndexByte(" \t\r\n,:", body[at]) >= 0 {
		at++
	}
	return at
}

// canonicalHash is the hex SHA-256 of a decoded body in a canonical form,
// so that JSON-equal bodies hash the same whatever their spacing, member
// order or string escapes: objects with their members sorted by name,
// strings re-escaped the one way encoding/json writes them, and numbers as
// IEEE 754 doubles written the way ECMAScript does (as RFC 8785 does), so
// 35000, 35000.0 and 3.5e4 are equal, and so are 0 and -0. A number beyond a double's range
// (which no field accepts) is kept as written. Integers beyond 2^53 lose
// precision in this form; no field holds one.
func canonicalHash(tree any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(canonicalNumbers(tree)); err != nil { // decoded JSON always encodes
		panic(err)
	}
	sum := sha256.Sum256(buf.Bytes())
	return hex.EncodeToString(sum[:])
}

func canonicalNumbers(v any) any {
	switch v := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, e := range v {
			out[k] = canonicalNumbers(e)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, e := range v {
			out[i] = canonicalNumbers(e)
		}
		return out
	case json.Number:
		if f, err := strconv.ParseFloat(string(v), 64); err == nil && !math.IsInf(f, 0) {
			return f + 0 // -0 is 0, as in RFC 8785
		}
	}
	return v
}
