// countproxy: a counting reverse proxy put in front of the benchmark's destination registry. It forwards every
// request unchanged (the Host header too, so upload Locations point back through it) and counts requests per
// method. GET /_bench/counts answers the counts as JSON; POST /_bench/reset zeroes them. Standard library only.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"os"
	"sync"
)

type counter struct {
	mu       sync.Mutex
	byMethod map[string]int
	total    int
}

func (c *counter) add(method string) {
	c.mu.Lock()
	c.byMethod[method]++
	c.total++
	c.mu.Unlock()
}

func (c *counter) snapshot() map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	methods := map[string]int{}
	for m, n := range c.byMethod {
		methods[m] = n
	}
	return map[string]any{"total": c.total, "byMethod": methods}
}

func (c *counter) reset() {
	c.mu.Lock()
	c.byMethod = map[string]int{}
	c.total = 0
	c.mu.Unlock()
}

func main() {
	target := flag.String("target", "", "registry URL to forward to, e.g. http://127.0.0.1:5000")
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	upstream, err := url.Parse(*target)
	if err != nil || upstream.Host == "" {
		fmt.Fprintln(os.Stderr, "countproxy: -target must be a URL such as http://127.0.0.1:5000")
		os.Exit(2)
	}
	counts := &counter{byMethod: map[string]int{}}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(upstream)
			r.Out.Host = r.In.Host
		},
		Transport: &http.Transport{MaxIdleConnsPerHost: 64, DisableCompression: true},
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /_bench/counts", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("content-type", "application/json")
		_ = json.NewEncoder(w).Encode(counts.snapshot())
	})
	mux.HandleFunc("POST /_bench/reset", func(w http.ResponseWriter, _ *http.Request) {
		counts.reset()
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		counts.add(r.Method)
		proxy.ServeHTTP(w, r)
	})
	listener, err := net.Listen("tcp", *listen)
	if err != nil {
		fmt.Fprintln(os.Stderr, "countproxy:", err)
		os.Exit(1)
	}
	// The first stdout line tells the bench where to send requests.
	fmt.Println(listener.Addr().String())
	if err := http.Serve(listener, mux); err != nil {
		fmt.Fprintln(os.Stderr, "countproxy:", err)
		os.Exit(1)
	}
}
