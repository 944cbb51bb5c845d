package main

import (
	"strings"
	"sync"
)

// closure is everything one artifact's copy must carry: manifests (raw bytes, put verbatim), the blobs they
// name, and the tags to set at the destination (the version tag, cosign's sha256-<hex>.sig/.att/.sbom tags and
// the sha256-<hex> referrers fallback index of registries without the referrers API).
type closure struct {
	manifests map[string]*manifest
	children  map[string][]string // index -> its child manifests (put before the index)
	tags      map[string]string   // destination tag -> manifest digest
	blobs     map[string]int64
}

// walk reads the closure of srcRepo@digest breadth first, each level's manifests at once.
func walk(src *registry, srcRepo, digest, tag string) (*closure, error) {
	c := &closure{manifests: map[string]*manifest{}, children: map[string][]string{}, tags: map[string]string{tag: digest}, blobs: map[string]int64{}}
	allTags, err := src.tags(srcRepo)
	if err != nil {
		return nil, err
	}
	api, _, err := src.referrersAPI(srcRepo, digest)
	if err != nil {
		return nil, err
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	frontier := []string{digest}
	for len(frontier) > 0 {
		var next []string
		var wg sync.WaitGroup
		var firstErr error
		for _, d := range frontier {
			if seen[d] {
				continue
			}
			seen[d] = true
			wg.Add(1)
			go func(d string) {
				defer wg.Done()
				found, err := visit(src, srcRepo, d, allTags, api, c, &mu)
				mu.Lock()
				defer mu.Unlock()
				if err != nil && firstErr == nil {
					firstErr = err
				}
				next = append(next, found...)
			}(d)
		}
		wg.Wait()
		if firstErr != nil {
			return nil, firstErr
		}
		frontier = next
	}
	return c, nil
}

func visit(src *registry, repo, d string, allTags []string, api bool, c *closure, mu *sync.Mutex) ([]string, error) {
	m, err := src.manifest(repo, d)
	if err != nil {
		return nil, err
	}
	var found []string
	tagged := map[string]string{}
	prefix := strings.Replace(d, ":", "-", 1)
	for _, t := range allTags {
		if !strings.HasPrefix(t, prefix) || (t != prefix && !strings.HasPrefix(t, prefix+".")) {
			continue
		}
		if t == prefix && api {
			continue // the API serves referrers; a stale fallback tag is not part of the closure
		}
		tm, err := src.manifest(repo, t)
		if err != nil {
			return nil, err
		}
		tagged[t] = tm.digest
		found = append(found, tm.digest)
	}
	if api {
		_, refs, err := src.referrersAPI(repo, d)
		if err != nil {
			return nil, err
		}
		for _, r := range refs {
			found = append(found, r.Digest)
		}
	}
	var kids []string
	for _, child := range m.parsed.Manifests {
		kids = append(kids, child.Digest)
	}
	found = append(found, kids...)
	mu.Lock()
	defer mu.Unlock()
	c.manifests[d] = m
	c.children[d] = kids
	for t, td := range tagged {
		c.tags[t] = td
	}
	if m.parsed.Config != nil {
		c.blobs[m.parsed.Config.Digest] = m.parsed.Config.Size
	}
	for _, l := range m.parsed.Layers {
		c.blobs[l.Digest] = l.Size
	}
	return found, nil
}
