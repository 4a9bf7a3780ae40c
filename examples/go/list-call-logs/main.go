// List the tenant's call logs newest first, page by page, following next_cursor.
//
//	VOXRAY_API_KEY=vxk_… go run ./list-call-logs [page-size]
package main

import (
	"fmt"
	"net/url"
	"os"

	"voxray.example/examples/voxray"
)

type page struct {
	Data []struct {
		ID        string `json:"id"`
		Status    string `json:"status"`
		Direction string `json:"direction"`
		From      string `json:"from_number"`
		To        string `json:"to_number"`
	} `json:"data"`
	HasMore    bool   `json:"has_more"`
	NextCursor string `json:"next_cursor"`
}

func main() {
	c := voxray.FromEnv("VOXRAY_API_KEY")
	limit := "20"
	if len(os.Args) > 1 {
		limit = os.Args[1]
	}
	query := url.Values{"limit": {limit}}
	total, pages := 0, 0
	for {
		var p page
		if _, err := c.Do("GET", "/api/v1/call-logs", query, nil, nil, &p); err != nil {
			voxray.Fail(err)
		}
		pages++
		fmt.Printf("page %d: %d call(s)\n", pages, len(p.Data))
		for _, call := range p.Data {
			fmt.Printf("  %s %s %s %s -> %s\n", call.ID, call.Status, call.Direction, call.From, call.To)
		}
		total += len(p.Data)
		if !p.HasMore || p.NextCursor == "" {
			break
		}
		query.Set("cursor", p.NextCursor)
	}
	fmt.Printf("total: %d call(s) in %d page(s)\n", total, pages)
}
