// Receive voxray webhook events: verify the Standard Webhooks signature, drop duplicates by
// webhook-id (deliveries are at least once), answer 2xx quickly.
//
//	WEBHOOK_SECRET=whsec_… PORT=8080 go run ./webhook-receiver
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"time"

	"voxray.example/examples/voxray"
)

func main() {
	secret, port := os.Getenv("WEBHOOK_SECRET"), os.Getenv("PORT")
	if secret == "" || port == "" {
		fmt.Fprintln(os.Stderr, "set WEBHOOK_SECRET and PORT")
		os.Exit(2)
	}
	var mu sync.Mutex
	seen := map[string]bool{}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			http.Error(w, "unreadable", http.StatusBadRequest)
			return
		}
		if err := voxray.Verify(secret, r.Header, body, time.Now()); err != nil {
			fmt.Printf("rejected: %v\n", err)
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		id := r.Header.Get("webhook-id")
		mu.Lock()
		dup := seen[id]
		seen[id] = true
		mu.Unlock()
		if dup {
			fmt.Printf("duplicate %s\n", id)
			w.WriteHeader(http.StatusNoContent)
			return
		}
		var event struct {
			Type string `json:"type"`
			ID   string `json:"id"`
		}
		_ = json.Unmarshal(body, &event)
		fmt.Printf("verified %s %s\n", event.Type, id)
		w.WriteHeader(http.StatusNoContent)
	})
	fmt.Printf("listening on 127.0.0.1:%s\n", port)
	if err := http.ListenAndServe("127.0.0.1:"+port, nil); err != nil {
		voxray.Fail(err)
	}
}
