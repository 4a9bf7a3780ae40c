// Read one voice session: its transcript and the tool calls the agent made.
//
//	VOXRAY_API_KEY=vxk_… go run ./voice-session CA…
package main

import (
	"encoding/json"
	"fmt"
	"net/url"
	"os"

	"voxray.example/examples/voxray"
)

type session struct {
	Call struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"call"`
	Transcript []struct {
		Speaker string  `json:"speaker"`
		Text    *string `json:"text"`
	} `json:"transcript"`
	FunctionCalls []struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
		Status    string          `json:"status"`
		Result    json.RawMessage `json:"result"`
	} `json:"function_calls"`
}

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: voice-session SESSION_ID")
		os.Exit(2)
	}
	c := voxray.FromEnv("VOXRAY_API_KEY")
	var s session
	if _, err := c.Do("GET", "/api/v1/voice-sessions/"+url.PathEscape(os.Args[1]), nil, nil, nil, &s); err != nil {
		voxray.Fail(err)
	}
	fmt.Printf("session %s status=%s\n", s.Call.ID, s.Call.Status)
	fmt.Println("transcript:")
	for _, line := range s.Transcript {
		text := "(not transcribed)"
		if line.Text != nil {
			text = *line.Text
		}
		fmt.Printf("  [%s] %s\n", line.Speaker, text)
	}
	fmt.Println("tool calls:")
	for _, fc := range s.FunctionCalls {
		fmt.Printf("  %s %s -> %s %s\n", fc.Name, compact(fc.Arguments), fc.Status, compact(fc.Result))
	}
}

func compact(raw json.RawMessage) string {
	var v any
	if json.Unmarshal(raw, &v) != nil {
		return string(raw)
	}
	out, _ := json.Marshal(v)
	return string(out)
}
