package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync/atomic"
)

var manifestAccept = strings.Join([]string{
	"application/vnd.oci.image.index.v1+json",
	"application/vnd.oci.image.manifest.v1+json",
	"application/vnd.docker.distribution.manifest.list.v2+json",
	"application/vnd.docker.distribution.manifest.v2+json",
}, ", ")

// registry is one side of the copy: a base URL and, for the destination, basic credentials sent up front.
type registry struct {
	base     string
	user     string
	password string
	client   *http.Client
	requests atomic.Int64
}

func (r *registry) do(req *http.Request) (*http.Response, error) {
	if r.user != "" {
		req.SetBasicAuth(r.user, r.password)
	}
	r.requests.Add(1)
	return r.client.Do(req)
}

func (r *registry) get(path, accept string) (*http.Response, error) {
	req, err := http.NewRequest(http.MethodGet, r.base+path, nil)
	if err != nil {
		return nil, err
	}
	if accept != "" {
		req.Header.Set("accept", accept)
	}
	return r.do(req)
}

type descriptor struct {
	MediaType string `json:"mediaType"`
	Digest    string `json:"digest"`
	Size      int64  `json:"size"`
}

type manifestJSON struct {
	Config    *descriptor  `json:"config"`
	Layers    []descriptor `json:"layers"`
	Manifests []descriptor `json:"manifests"`
}

type manifest struct {
	digest    string
	mediaType string
	raw       []byte
	parsed    manifestJSON
}

func (r *registry) manifest(repo, ref string) (*manifest, error) {
	resp, err := r.get("/v2/"+repo+"/manifests/"+ref, manifestAccept)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s/%s manifest %s: %d %s", r.base, repo, ref, resp.StatusCode, short(raw))
	}
	m := &manifest{digest: resp.Header.Get("docker-content-digest"), mediaType: resp.Header.Get("content-type"), raw: raw}
	if err := json.Unmarshal(raw, &m.parsed); err != nil {
		return nil, fmt.Errorf("%s/%s manifest %s: %w", r.base, repo, ref, err)
	}
	if strings.HasPrefix(ref, "sha256:") {
		m.digest = ref
	}
	return m, nil
}

var nextLink = regexp.MustCompile(`<([^>]+)>`)

func (r *registry) tags(repo string) ([]string, error) {
	var all []string
	path := "/v2/" + repo + "/tags/list?n=1000"
	for path != "" {
		resp, err := r.get(path, "")
		if err != nil {
			return nil, err
		}
		var body struct {
			Tags []string `json:"tags"`
		}
		err = json.NewDecoder(resp.Body).Decode(&body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusNotFound {
			return all, nil
		}
		if err != nil || resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("GET %s/%s tags: %d %v", r.base, repo, resp.StatusCode, err)
		}
		all = append(all, body.Tags...)
		path = ""
		if m := nextLink.FindStringSubmatch(resp.Header.Get("link")); m != nil {
			path = m[1]
		}
	}
	return all, nil
}

// referrersAPI asks once whether the registry serves GET /v2/<repo>/referrers/<digest> (an OCI index answer).
func (r *registry) referrersAPI(repo, digest string) (bool, []descriptor, error) {
	resp, err := r.get("/v2/"+repo+"/referrers/"+digest, "application/vnd.oci.image.index.v1+json")
	if err != nil {
		return false, nil, err
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("content-type"), "index") {
		return false, nil, nil
	}
	var index manifestJSON
	if err := json.Unmarshal(raw, &index); err != nil {
		return false, nil, err
	}
	return true, index.Manifests, nil
}

func short(b []byte) string {
	if len(b) > 300 {
		b = b[:300]
	}
	return strings.TrimSpace(string(b))
}
