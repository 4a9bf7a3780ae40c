// Package voxray is a small client for the voxray API using only the standard library:
// timeouts, retries (429 honouring Retry-After; 5xx only for idempotent requests),
// X-Request-Id on every request, and typed problem+json errors.
package voxray

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"time"
)

// Problem is an RFC 9457 error answer. Switch on Code; quote RequestID to support.
type Problem struct {
	Status    int    `json:"status"`
	Code      string `json:"code"`
	Title     string `json:"title"`
	Detail    string `json:"detail"`
	RequestID string `json:"request_id"`
	Errors    []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"errors"`
}

func (p *Problem) Error() string {
	return fmt.Sprintf("%d %s: %s (%s) [request %s]", p.Status, p.Code, p.Title, p.Detail, p.RequestID)
}

// Client talks to one voxray gateway with one key (vxk_… tenant, vxa_… admin).
type Client struct {
	BaseURL     string
	Key         string
	HTTP        *http.Client
	MaxAttempts int
}

// FromEnv reads VOXRAY_URL (default http://127.0.0.1:8000) and the key from the named variable.
func FromEnv(keyVar string) *Client {
	base := os.Getenv("VOXRAY_URL")
	if base == "" {
		base = "http://127.0.0.1:8000"
	}
	key := os.Getenv(keyVar)
	if key == "" {
		fmt.Fprintf(os.Stderr, "set %s\n", keyVar)
		os.Exit(2)
	}
	return &Client{BaseURL: base, Key: key, HTTP: &http.Client{Timeout: 30 * time.Second}, MaxAttempts: 4}
}

// NewID returns prefix + 32 random hex digits (request ids, idempotency keys).
func NewID(prefix string) string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return prefix + hex.EncodeToString(b)
}

// Response is a 2xx answer: its headers and body.
type Response struct {
	Header http.Header
	Body   []byte
}

// Do sends one logical request (retrying what is safe) and decodes a 2xx JSON body into out (if not nil).
func (c *Client) Do(method, path string, query url.Values, body any, headers map[string]string, out any) (*Response, error) {
	var payload []byte
	if body != nil {
		var err error
		if payload, err = json.Marshal(body); err != nil {
			return nil, err
		}
	}
	target := c.BaseURL + path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	_, hasKey := headers["Idempotency-Key"]
	idempotent := hasKey || method == "GET" || method == "PUT" || method == "DELETE" || method == "HEAD"
	requestID := NewID("req_")
	for attempt := 1; ; attempt++ {
		req, err := http.NewRequest(method, target, bytes.NewReader(payload))
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+c.Key)
		req.Header.Set("Accept", "application/json")
		req.Header.Set("X-Request-Id", requestID)
		if payload != nil {
			req.Header.Set("Content-Type", "application/json")
		}
		for k, v := range headers {
			req.Header.Set(k, v)
		}
		resp, err := c.HTTP.Do(req)
		if err != nil {
			if idempotent && attempt < c.MaxAttempts {
				time.Sleep(backoff(attempt))
				continue
			}
			return nil, err
		}
		data, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil {
			return nil, err
		}
		retry := resp.StatusCode == 429 || (resp.StatusCode >= 500 && idempotent)
		if retry && attempt < c.MaxAttempts {
			wait := backoff(attempt)
			if s, err := strconv.ParseFloat(resp.Header.Get("Retry-After"), 64); err == nil && resp.StatusCode == 429 {
				wait = time.Duration(s * float64(time.Second))
			}
			time.Sleep(wait)
			continue
		}
		if resp.StatusCode >= 400 {
			p := &Problem{Status: resp.StatusCode, Code: fmt.Sprintf("http_%d", resp.StatusCode),
				RequestID: resp.Header.Get("X-Request-Id")}
			_ = json.Unmarshal(data, p)
			return nil, p
		}
		if out != nil && len(data) > 0 {
			if err := json.Unmarshal(data, out); err != nil {
				return nil, err
			}
		}
		return &Response{Header: resp.Header, Body: data}, nil
	}
}

func backoff(attempt int) time.Duration {
	return time.Duration(250*(1<<(attempt-1))) * time.Millisecond
}

// Fail prints the error (a Problem shows its code and request id) and exits 1.
func Fail(err error) {
	fmt.Fprintln(os.Stderr, "error:", err)
	os.Exit(1)
}
