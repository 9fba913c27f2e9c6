package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/listingscan/listingscan/scanner"
)

func TestRulesCommand(t *testing.T) {
	tests := []struct {
		name  string
		args  []string
		code  int
		check func(t *testing.T, out string)
	}{
		{"text catalogue", []string{"rules"}, exitOK, func(t *testing.T, out string) {
			for _, want := range []string{"RULE", "offplatform.contact", "high", "service.hours", "quality.tags", "copy.image"} {
				if !strings.Contains(out, want) {
					t.Errorf("output lacks %q:\n%s", want, out)
				}
			}
		}},
		{"json catalogue", []string{"rules", "--format", "json"}, exitOK, func(t *testing.T, out string) {
			var rules []scanner.RuleInfo
			if err := json.Unmarshal([]byte(out), &rules); err != nil {
				t.Fatalf("not JSON: %v\n%s", err, out)
			}
			if len(rules) != len(scanner.Rules()) {
				t.Errorf("%d rules, want %d", len(rules), len(scanner.Rules()))
			}
			for _, r := range rules {
				if r.Name == "consistency.price" && r.Meaning == "" {
					t.Errorf("consistency.price has no meaning")
				}
			}
		}},
		{"default config", []string{"rules", "--default-config"}, exitOK, func(t *testing.T, out string) {
			if out != string(scanner.DefaultConfigYAML()) || !strings.Contains(out, "allow_link_domains") {
				t.Errorf("--default-config did not print the embedded config:\n%s", out)
			}
		}},
		{"bad format", []string{"rules", "--format", "xml"}, exitUsage, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			if code := run(context.Background(), tc.args, &out, &errOut); code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %s", code, tc.code, errOut.String())
			}
			if tc.check != nil {
				tc.check(t, out.String())
			}
		})
	}
}
