// The admin path: create a tenant, issue its API key, set its runtime config, then take an agent
// version through governance (draft, checklist, staged, approved by a second admin) and run a
// rollout sweep as a dry run.
//
//	VOXRAY_ADMIN_KEY=vxa_… VOXRAY_APPROVER_KEY=vxa_… TWILIO_ACCOUNT_SID=AC… TWILIO_AUTH_TOKEN=… \
//	  go run ./admin-path TENANT_ID +15550100001
//
// Optional: TOOL_URL (adds the lookup_order tool and prints its signing secret), LOCAL_MODEL_SCRIPT.
package main

import (
	"fmt"
	"net/url"
	"os"

	"voxray.example/examples/voxray"
)

const agent = "support"

func main() {
	if len(os.Args) < 3 {
		fmt.Fprintln(os.Stderr, "usage: admin-path TENANT_ID PHONE_NUMBER")
		os.Exit(2)
	}
	tenant, number := os.Args[1], os.Args[2]
	admin := voxray.FromEnv("VOXRAY_ADMIN_KEY")
	t := "/api/v1/admin/tenants/" + url.PathEscape(tenant)

	must(admin.Do("POST", "/api/v1/admin/tenants", nil, map[string]any{
		"id": tenant, "name": "Acme Plumbing", "phone_numbers": []string{number},
		"twilio_account_sid": os.Getenv("TWILIO_ACCOUNT_SID"), "twilio_auth_token": os.Getenv("TWILIO_AUTH_TOKEN"),
	}, nil, nil))
	fmt.Printf("tenant %s created (numbers: %s)\n", tenant, number)

	var key struct {
		ID  string `json:"id"`
		Key string `json:"key"`
	}
	must(admin.Do("POST", t+"/api-keys", nil, map[string]any{"name": "integration"}, nil, &key))
	fmt.Printf("api key %s for %s: VOXRAY_API_KEY=%s\n", key.ID, tenant, key.Key)

	config := map[string]any{
		"instructions": "You answer calls for Acme Plumbing. Be brief.",
		"telephony":    map[string]any{"caller_id": number},
	}
	if script := os.Getenv("LOCAL_MODEL_SCRIPT"); script != "" {
		config["local_model_script"] = script
	}
	if toolURL := os.Getenv("TOOL_URL"); toolURL != "" {
		config["tools"] = []any{map[string]any{
			"name": "lookup_order", "description": "Look up an order's status by its id.", "endpoint": toolURL,
			"parameters": map[string]any{"type": "object", "required": []string{"order_id"},
				"properties": map[string]any{"order_id": map[string]any{"type": "string"}}},
		}}
	}
	var version struct {
		Version int `json:"version"`
	}
	must(admin.Do("PUT", t+"/runtime-config", nil, config, nil, &version))
	fmt.Printf("runtime config version %d\n", version.Version)
	if os.Getenv("TOOL_URL") != "" {
		var secret struct {
			Secret string `json:"tool_signing_secret"`
		}
		must(admin.Do("POST", t+"/tool-signing-secret/rotate", nil, nil, nil, &secret))
		fmt.Printf("tool signing secret: TOOL_SECRET=%s\n", secret.Secret)
	}

	versions := t + "/agents/" + agent + "/versions"
	var v struct {
		Number int    `json:"number"`
		State  string `json:"state"`
	}
	must(admin.Do("POST", versions, nil, map[string]any{
		"prompt_key": "support-v1", "prompt_text": "You answer calls for Acme Plumbing. Be brief.",
		"model": "gpt-realtime", "voice": "marin",
	}, nil, &v))
	fmt.Printf("agent version %s v%d %s\n", agent, v.Number, v.State)
	one := fmt.Sprintf("%s/%d", versions, v.Number)

	var checklist struct {
		Items []struct {
			Key string `json:"key"`
		} `json:"items"`
	}
	must(admin.Do("GET", one+"/checklist", nil, nil, nil, &checklist))
	for _, item := range checklist.Items {
		must(admin.Do("PUT", one+"/checklist/"+item.Key, nil, map[string]string{"note": "checked by the launch team"}, nil, nil))
	}
	fmt.Printf("checklist: %d item(s) complete\n", len(checklist.Items))

	must(admin.Do("POST", one+"/stage", nil, nil, nil, &v))
	fmt.Printf("agent version %s v%d %s\n", agent, v.Number, v.State)
	// The two-person rule: the author may not approve; a second admin (another person) does.
	approver := voxray.FromEnv("VOXRAY_APPROVER_KEY")
	must(approver.Do("POST", one+"/approve", nil, nil, nil, &v))
	fmt.Printf("agent version %s v%d %s\n", agent, v.Number, v.State)

	var sweep struct {
		DryRun  bool  `json:"dry_run"`
		Reports []any `json:"reports"`
	}
	must(admin.Do("POST", "/api/v1/admin/rollout-governance/sweep", nil,
		map[string]any{"dry_run": true, "tenant_id": tenant}, nil, &sweep))
	fmt.Printf("sweep (dry run=%t): %d report(s)\n", sweep.DryRun, len(sweep.Reports))
}

func must(_ *voxray.Response, err error) {
	if err != nil {
		voxray.Fail(err)
	}
}
