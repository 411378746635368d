// Command hellod is the floor make bench measures keyserviced against: a bare net/http server
// whose one handler answers every request with the same small JSON body as GET /healthz, with
// no middleware, no logging and no metrics. It prints its address on stdout and serves until it
// is killed.
package main

import (
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:0", "address to listen on")
	flag.Parse()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		log.Fatal(err)
	}
	body := []byte("{\"status\":\"ok\"}\n")
	hs := &http.Server{
		Handler: http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(body)
		}),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Println(ln.Addr().String())
	log.Fatal(hs.Serve(ln))
}
