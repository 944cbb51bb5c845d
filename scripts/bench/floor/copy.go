package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"sync"
)

// copyBlob streams one blob from the source into a monolithic upload at the destination: POST opens the upload,
// one PUT carries the whole body (the source response, never buffered) and closes it with the digest.
func copyBlob(src, dst *registry, srcRepo, dstRepo, digest string, size int64) error {
	req, err := http.NewRequest(http.MethodPost, dst.base+"/v2/"+dstRepo+"/blobs/uploads/", nil)
	if err != nil {
		return err
	}
	resp, err := dst.do(req)
	if err != nil {
		return err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusAccepted {
		return fmt.Errorf("POST %s/%s upload: %d", dst.base, dstRepo, resp.StatusCode)
	}
	location, err := url.Parse(dst.base)
	if err != nil {
		return err
	}
	location, err = location.Parse(resp.Header.Get("location"))
	if err != nil {
		return err
	}
	query := location.Query()
	query.Set("digest", digest)
	location.RawQuery = query.Encode()

	body, err := src.get("/v2/"+srcRepo+"/blobs/"+digest, "")
	if err != nil {
		return err
	}
	defer body.Body.Close()
	if body.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s/%s blob %s: %d", src.base, srcRepo, digest, body.StatusCode)
	}
	put, err := http.NewRequest(http.MethodPut, location.String(), body.Body)
	if err != nil {
		return err
	}
	put.ContentLength = size
	put.Header.Set("content-type", "application/octet-stream")
	done, err := dst.do(put)
	if err != nil {
		return err
	}
	text, _ := io.ReadAll(done.Body)
	done.Body.Close()
	if done.StatusCode != http.StatusCreated {
		return fmt.Errorf("PUT %s/%s blob %s: %d %s", dst.base, dstRepo, digest, done.StatusCode, short(text))
	}
	return nil
}

func putManifest(dst *registry, repo, ref string, m *manifest) error {
	req, err := http.NewRequest(http.MethodPut, dst.base+"/v2/"+repo+"/manifests/"+ref, bytes.NewReader(m.raw))
	if err != nil {
		return err
	}
	req.Header.Set("content-type", m.mediaType)
	resp, err := dst.do(req)
	if err != nil {
		return err
	}
	text, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		return fmt.Errorf("PUT %s/%s manifest %s: %d %s", dst.base, repo, ref, resp.StatusCode, short(text))
	}
	return nil
}

// manifestLevels orders a closure's manifests so that every index comes after the manifests it lists.
func manifestLevels(c *closure) [][]string {
	height := map[string]int{}
	var measure func(d string) int
	measure = func(d string) int {
		if h, ok := height[d]; ok {
			return h
		}
		h := 0
		for _, kid := range c.children[d] {
			if _, ok := c.manifests[kid]; ok {
				h = max(h, measure(kid)+1)
			}
		}
		height[d] = h
		return h
	}
	var levels [][]string
	for d := range c.manifests {
		h := measure(d)
		for len(levels) <= h {
			levels = append(levels, nil)
		}
		levels[h] = append(levels[h], d)
	}
	for _, level := range levels {
		sort.Strings(level)
	}
	return levels
}

// refsFor names how each manifest is put: once per tag it carries, or once by digest when it has none.
func refsFor(c *closure) map[string][]string {
	refs := map[string][]string{}
	for tag, d := range c.tags {
		refs[d] = append(refs[d], tag)
	}
	for d := range c.manifests {
		if len(refs[d]) == 0 {
			refs[d] = []string{d}
		}
		sort.Strings(refs[d])
	}
	return refs
}

// pool runs jobs with at most n at a time and returns the first error.
type pool struct {
	slots chan struct{}
	wg    sync.WaitGroup
	mu    sync.Mutex
	err   error
}

func newPool(n int) *pool { return &pool{slots: make(chan struct{}, n)} }

func (p *pool) run(job func() error) {
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		p.slots <- struct{}{}
		defer func() { <-p.slots }()
		if err := job(); err != nil {
			p.mu.Lock()
			if p.err == nil {
				p.err = err
			}
			p.mu.Unlock()
		}
	}()
}

func (p *pool) wait() error {
	p.wg.Wait()
	return p.err
}

func isDigest(ref string) bool { return strings.HasPrefix(ref, "sha256:") }
