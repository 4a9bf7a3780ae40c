// A tool endpoint for the agent's lookup_order tool: verify the signed request (Standard
// Webhooks, with the tenant's tool signing secret), then answer with JSON the agent speaks from.
//
//	TOOL_SECRET=whsec_… PORT=8081 go run ./tool-endpoint
package main

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"time"

	"voxray.example/examples/voxray"
)

type toolRequest struct {
	Tool      string            `json:"tool"`
	Arguments map[string]string `json:"arguments"`
	CallSid   string            `json:"call_sid"`
}

func main() {
	secret, port := os.Getenv("TOOL_SECRET"), os.Getenv("PORT")
	if secret == "" || port == "" {
		fmt.Fprintln(os.Stderr, "set TOOL_SECRET and PORT")
		os.Exit(2)
	}
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
		var req toolRequest
		if err := json.Unmarshal(body, &req); err != nil || req.Arguments["order_id"] == "" {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusUnprocessableEntity)
			_ = json.NewEncoder(w).Encode(map[string]string{"error": "order_id is required"})
			return
		}
		fmt.Printf("tool %s order_id=%s for call %s\n", req.Tool, req.Arguments["order_id"], req.CallSid)
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]string{"order_id": req.Arguments["order_id"], "status": "shipped"})
	})
	fmt.Printf("listening on 127.0.0.1:%s\n", port)
	if err := http.ListenAndServe("127.0.0.1:"+port, nil); err != nil {
		voxray.Fail(err)
	}
}
