package listing

import (
	"encoding/json"
	"strings"
	"testing"
)

// TestOddPricesRoundTrip loads listings whose prices are not plain numbers
// and writes them the way the store does: every one encodes, and reads back
// unchanged, so one odd price never fails a scan.
func TestOddPricesRoundTrip(t *testing.T) {
	tests := []struct {
		name, price, wantJSON string
	}{
		{"number", `1999`, `"price":1999`},
		{"negative", `-1999`, `"price":-1999`},
		{"largest float", `1e308`, `"price":1e308`},
		{"overflowing float", `1e999`, `"price":1e999`},
		{"NaN as text", `"NaN"`, `"price":"NaN"`},
		{"Infinity as text", `"Infinity"`, `"price":"Infinity"`},
		{"free", `"免费"`, `"price":"免费"`},
		{"numeric text", `" 1599.00 "`, `"price":1599.00`},
		{"object kept as its text", `{"amount":1}`, `"price":"{\"amount\":1}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := DecodeJSON([]byte(`{"id":"L-1","provider":{"id":"P-1"},"title":"餐饮点餐小程序","price":{"plans":[{"name":"基础版","price":` + tt.price + `}]}}`))
			if err != nil {
				t.Fatal(err)
			}
			doc, err := json.Marshal(&l)
			if err != nil {
				t.Fatalf("encode: %v", err)
			}
			if !strings.Contains(string(doc), tt.wantJSON) {
				t.Errorf("encoded %s, want it to contain %s", doc, tt.wantJSON)
			}
			var back Listing
			if err := json.Unmarshal(doc, &back); err != nil {
				t.Fatalf("decode: %v", err)
			}
			if back.Price.Plans[0] != l.Price.Plans[0] {
				t.Errorf("round trip: %+v, want %+v", back.Price.Plans[0], l.Price.Plans[0])
			}
		})
	}
}

// TestHostileIdentifiers refuses ids no marketplace issues, and never lets
// a control character from a listing reach an operator's terminal.
func TestHostileIdentifiers(t *testing.T) {
	tests := []struct {
		name, json, wantErr string
	}{
		{"terminal escape in the id", `{"id":"L-\u001b]0;pwned\u0007","provider":{"id":"P-1"},"title":"终端转义"}`, "control character U+001B"},
		{"NUL in the provider id", `{"id":"L-1","provider":{"id":"P-\u0000"},"title":"空字符"}`, "provider.id: bad identifier: control character U+0000"},
		{"overlong template id", `{"id":"L-1","provider":{"id":"P-1"},"title":"超长","template_id":"` + strings.Repeat("T", 300) + `"}`, "template_id: bad identifier: 300 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l, err := DecodeJSON([]byte(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
				t.Fatalf("DecodeJSON error = %v, want %q", err, tt.wantErr)
			}
			msg := InputError{File: "a.jsonl", Line: 3, ListingID: l.ID, Err: err}.Error()
			if strings.ContainsFunc(msg, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
				t.Errorf("input error %q carries a control character", msg)
			}
		})
	}
}
