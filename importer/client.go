package importer

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/kithcdp/kith"
)

// Client uploads imports to a running Kith server through its API
// (POST /api/v1/imports) and follows them.
type Client struct {
	// URL is the server's base URL, e.g. http://127.0.0.1:8080.
	URL string
	// Key is a secret key (sk_…) of the workspace to import into.
	Key  string
	HTTP *http.Client
}

func (c *Client) http() *http.Client {
	if c.HTTP != nil {
		return c.HTTP
	}
	return http.DefaultClient
}

// Upload sends the file at path, streaming it, with an optional mapping
// (JSON) and dry-run flag, and returns the import the server started.
// sent, when set, is called with the bytes of the file sent so far.
func (c *Client) Upload(ctx context.Context, path string, mapping []byte, dryRun bool, sent func(int64)) (*Import, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	go func() {
		pw.CloseWithError(writeForm(mw, f, filepath.Base(path), mapping, dryRun, sent))
	}()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.endpoint("/api/v1/imports"), pr)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	var imp Import
	if err := c.do(req, http.StatusAccepted, &imp); err != nil {
		return nil, err
	}
	return &imp, nil
}

// writeForm writes the multipart form of an upload.
func writeForm(mw *multipart.Writer, f io.Reader, name string, mapping []byte, dryRun bool, sent func(int64)) error {
	if mapping != nil {
		if err := mw.WriteField("mapping", string(mapping)); err != nil {
			return err
		}
	}
	if dryRun {
		if err := mw.WriteField("dryRun", "true"); err != nil {
			return err
		}
	}
	w, err := mw.CreateFormFile("file", name)
	if err != nil {
		return err
	}
	var src io.Reader = f
	if sent != nil {
		src = &progressReader{r: f, fn: sent}
	}
	if _, err := io.Copy(w, src); err != nil {
		return err
	}
	return mw.Close()
}

type progressReader struct {
	r  io.Reader
	n  int64
	fn func(int64)
}

func (p *progressReader) Read(b []byte) (int, error) {
	n, err := p.r.Read(b)
	p.n += int64(n)
	p.fn(p.n)
	return n, err
}

// Get returns an import's record.
func (c *Client) Get(ctx context.Context, id string) (*Import, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint("/api/v1/imports/"+url.PathEscape(id)), nil)
	if err != nil {
		return nil, err
	}
	var imp Import
	if err := c.do(req, http.StatusOK, &imp); err != nil {
		return nil, err
	}
	return &imp, nil
}

// Errors copies an import's errors CSV to w.
func (c *Client) Errors(ctx context.Context, id string, w io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.endpoint("/api/v1/imports/"+url.PathEscape(id)+"/errors"), nil)
	if err != nil {
		return err
	}
	return c.do(req, http.StatusOK, w)
}

func (c *Client) endpoint(path string) string {
	return strings.TrimRight(c.URL, "/") + path
}

// do sends req and decodes a JSON answer into out (or copies it to out
// when out is an io.Writer). A problem answer becomes a *kith.Error.
func (c *Client) do(req *http.Request, want int, out any) error {
	req.Header.Set("Authorization", "Bearer "+c.Key)
	resp, err := c.http().Do(req)
	if err != nil {
		return kith.Errorf(kith.ECodeUnavailable, "the server cannot be reached: %v", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != want {
		var p struct {
			Code   string `json:"code"`
			Detail string `json:"detail"`
		}
		data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
		if json.Unmarshal(data, &p) != nil || p.Code == "" {
			return kith.Errorf(kith.ECodeUnavailable, "the server answered %s: %.200s", resp.Status, data)
		}
		return kith.Errorf(p.Code, "%s", p.Detail)
	}
	if w, ok := out.(io.Writer); ok {
		_, err = io.Copy(w, resp.Body)
		return err
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("decode the server's answer: %w", err)
	}
	return nil
}
