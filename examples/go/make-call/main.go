// Place an outbound call with an Idempotency-Key, then repeat the request with the same key:
// the second answer is the first one replayed, and no second call is placed.
//
//	VOXRAY_API_KEY=vxk_… go run ./make-call +15551230000 [idempotency-key]
package main

import (
	"fmt"
	"os"

	"voxray.example/examples/voxray"
)

type placed struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	From   string `json:"from_number"`
	To     string `json:"to_number"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: make-call TO [IDEMPOTENCY_KEY]")
		os.Exit(2)
	}
	c := voxray.FromEnv("VOXRAY_API_KEY")
	key := voxray.NewID("mc_")
	if len(os.Args) > 2 {
		key = os.Args[2]
	}
	body := map[string]string{"to": os.Args[1]}
	headers := map[string]string{"Idempotency-Key": key}
	var first, again placed
	if _, err := c.Do("POST", "/api/v1/make-call", nil, body, headers, &first); err != nil {
		voxray.Fail(err)
	}
	fmt.Printf("placed call %s status=%s from=%s to=%s idempotency-key=%s\n", first.ID, first.Status, first.From, first.To, key)
	resp, err := c.Do("POST", "/api/v1/make-call", nil, body, headers, &again)
	if err != nil {
		voxray.Fail(err)
	}
	fmt.Printf("retried with the same key: call %s Idempotent-Replayed=%s\n", again.ID, resp.Header.Get("Idempotent-Replayed"))
}
