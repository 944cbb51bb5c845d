// floor: the complete-copy floor of shipgate's copy benchmark (npm run bench). It copies OCI artifacts with
// everything that refers to them (index children, cosign's sha256-<hex>.sig/.att tags, OCI referrers or their
// sha256-<hex> fallback index) from one registry to another doing the least a complete copy must do: walk the
// source once, stream every blob source -> destination with a monolithic upload (POST, then one PUT with the
// body), N at a time, then put each manifest and tag once, children before the indexes that list them. No
// existence checks, no retries, no digest recomputation (the destination checks each digest on PUT): a floor,
// not a tool. Standard library only.
//
//	floor -src http://127.0.0.1:5000 -dst http://127.0.0.1:5001 -user U (password in $FLOOR_PASSWORD) \
//	      srcRepo@sha256:...=dstRepo:tag ...
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net/http"
	"os"
	"strings"
	"sync"
)

type artifact struct {
	srcRepo, digest, dstRepo, tag string
	closure                       *closure
}

func parseArtifact(arg string) (*artifact, error) {
	from, to, ok := strings.Cut(arg, "=")
	srcRepo, digest, ok1 := strings.Cut(from, "@")
	dstRepo, tag, ok2 := strings.Cut(to, ":")
	if !ok || !ok1 || !ok2 || !isDigest(digest) || srcRepo == "" || dstRepo == "" || tag == "" {
		return nil, fmt.Errorf("artifact %q: want srcRepo@sha256:<hex>=dstRepo:tag", arg)
	}
	return &artifact{srcRepo: srcRepo, digest: digest, dstRepo: dstRepo, tag: tag}, nil
}

func main() {
	srcURL := flag.String("src", "", "source registry URL (anonymous pull)")
	dstURL := flag.String("dst", "", "destination registry URL")
	user := flag.String("user", "", "destination user (basic auth); password from $FLOOR_PASSWORD")
	jobs := flag.Int("jobs", 8, "blob uploads at a time")
	flag.Parse()
	if *srcURL == "" || *dstURL == "" || flag.NArg() == 0 {
		fail(fmt.Errorf("usage: floor -src URL -dst URL [-user U] [-jobs 8] srcRepo@digest=dstRepo:tag ..."))
	}
	transport := &http.Transport{MaxIdleConnsPerHost: 32, DisableCompression: true}
	client := &http.Client{Transport: transport}
	src := &registry{base: strings.TrimSuffix(*srcURL, "/"), client: client}
	dst := &registry{base: strings.TrimSuffix(*dstURL, "/"), user: *user, password: os.Getenv("FLOOR_PASSWORD"), client: client}

	var artifacts []*artifact
	for _, arg := range flag.Args() {
		a, err := parseArtifact(arg)
		if err != nil {
			fail(err)
		}
		artifacts = append(artifacts, a)
	}

	// 1. Walk every artifact's closure at the source, all at once.
	var wg sync.WaitGroup
	errs := make([]error, len(artifacts))
	for i, a := range artifacts {
		wg.Add(1)
		go func() {
			defer wg.Done()
			a.closure, errs[i] = walk(src, a.srcRepo, a.digest, a.tag)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			fail(err)
		}
	}

	// 2. Every blob once per destination repository, streamed, `jobs` at a time across all artifacts.
	blobs := newPool(*jobs)
	sent := map[string]bool{}
	var bytes int64
	for _, a := range artifacts {
		for digest, size := range a.closure.blobs {
			key := a.dstRepo + "@" + digest
			if sent[key] {
				continue
			}
			sent[key] = true
			bytes += size
			blobs.run(func() error { return copyBlob(src, dst, a.srcRepo, a.dstRepo, digest, size) })
		}
	}
	if err := blobs.wait(); err != nil {
		fail(err)
	}

	// 3. Manifests level by level (children first), each put once per tag it carries or once by digest; the
	// artifacts side by side, `jobs` puts at a time in all.
	manifests, tags := 0, 0
	puts := newPool(*jobs)
	for _, a := range artifacts {
		manifests += len(a.closure.manifests)
		tags += len(a.closure.tags)
		wg.Add(1)
		go func() {
			defer wg.Done()
			refs := refsFor(a.closure)
			for _, level := range manifestLevels(a.closure) {
				var done sync.WaitGroup
				for _, d := range level {
					for _, ref := range refs[d] {
						done.Add(1)
						puts.run(func() error {
							defer done.Done()
							return putManifest(dst, a.dstRepo, ref, a.closure.manifests[d])
						})
					}
				}
				done.Wait()
			}
		}()
	}
	wg.Wait()
	if err := puts.wait(); err != nil {
		fail(err)
	}
	summary := map[string]any{
		"artifacts": len(artifacts), "blobs": len(sent), "bytes": bytes, "manifests": manifests, "tags": tags,
		"destinationRequests": dst.requests.Load(), "sourceRequests": src.requests.Load(),
	}
	out, _ := json.Marshal(summary)
	fmt.Println(string(out))
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "floor:", err)
	os.Exit(1)
}
