package secrets

import (
	"bytes"
	"encoding/base64"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	commonpb "go.temporal.io/api/common/v1"
)

func testKey(t *testing.T) []byte {
	t.Helper()
	key, err := ParseMasterKey(NewMasterKey())
	if err != nil {
		t.Fatalf("ParseMasterKey: %v", err)
	}
	return key
}

func TestParseMasterKey(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, KeySize)
	tests := []struct {
		in      string
		wantErr string
	}{
		{base64.StdEncoding.EncodeToString(raw), ""},
		{base64.RawURLEncoding.EncodeToString(raw), ""},
		{"  " + base64.StdEncoding.EncodeToString(raw) + "\n", ""},
		{"", "empty"},
		{base64.StdEncoding.EncodeToString(raw[:16]), "16 bytes"},
		{"not base64 at all!", "not base64"},
	}
	for _, tt := range tests {
		_, err := ParseMasterKey(tt.in)
		if tt.wantErr == "" && err != nil {
			t.Errorf("ParseMasterKey(%q) = %v, want nil", tt.in, err)
		}
		if tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)) {
			t.Errorf("ParseMasterKey(%q) = %v, want error containing %q", tt.in, err, tt.wantErr)
		}
	}
}

func TestBoxSealOpen(t *testing.T) {
	key := testKey(t)
	box, err := NewBox(key, PurposeDatabase)
	if err != nil {
		t.Fatal(err)
	}
	secret := []byte(`{"kty":"RSA","d":"very-secret"}`)
	sealed := box.Seal(secret, []byte("org-1"))
	if bytes.Contains(sealed, []byte("very-secret")) {
		t.Fatal("Seal output contains the plaintext")
	}

	got, err := box.Open(sealed, []byte("org-1"))
	if err != nil || !bytes.Equal(got, secret) {
		t.Fatalf("Open = %q, %v; want %q", got, err, secret)
	}

	if _, err := box.Open(sealed, []byte("org-2")); !errors.Is(err, ErrOpen) {
		t.Errorf("Open with other associated data = %v, want ErrOpen", err)
	}
	sealed[len(sealed)-1] ^= 1
	if _, err := box.Open(sealed, []byte("org-1")); !errors.Is(err, ErrOpen) {
		t.Errorf("Open of tampered ciphertext = %v, want ErrOpen", err)
	}
	if _, err := box.Open([]byte{1, 2}, nil); !errors.Is(err, ErrOpen) {
		t.Errorf("Open of short ciphertext = %v, want ErrOpen", err)
	}

	other, _ := NewBox(key, PurposePayloads)
	if _, err := other.Open(box.Seal(secret, nil), nil); !errors.Is(err, ErrOpen) {
		t.Errorf("Open under another purpose = %v, want ErrOpen", err)
	}
}

func TestPayloadCodecRoundTrip(t *testing.T) {
	codec, err := NewPayloadCodec(testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	dc := DataConverter(codec)

	payload, err := dc.ToPayload(map[string]string{"org_id": "org-visible"})
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(payload.GetData(), []byte("org-visible")) {
		t.Fatal("encoded payload holds plaintext")
	}
	var got map[string]string
	if err := dc.FromPayload(payload, &got); err != nil || got["org_id"] != "org-visible" {
		t.Fatalf("FromPayload = %v, %v", got, err)
	}

	plain := &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}}
	out, err := codec.Decode([]*commonpb.Payload{plain})
	if err != nil || out[0] != plain {
		t.Errorf("Decode of a plain payload = %v, %v; want it passed through", out, err)
	}
}

func TestCodecHandler(t *testing.T) {
	codec, _ := NewPayloadCodec(testKey(t))
	h := CodecHandler(codec, []string{"http://localhost:8233"}, "operator")
	encoded, _ := codec.Encode([]*commonpb.Payload{{Data: []byte(`"hello"`),
		Metadata: map[string][]byte{"encoding": []byte("json/plain")}}})

	reqBody := `{"payloads":[{"metadata":{"encoding":"` +
		base64.StdEncoding.EncodeToString(encoded[0].Metadata["encoding"]) +
		`","encryption-key-id":"` + base64.StdEncoding.EncodeToString([]byte("v1")) +
		`"},"data":"` + base64.StdEncoding.EncodeToString(encoded[0].Data) + `"}]}`

	tests := []struct {
		name, auth string
		want       int
	}{
		{"no token", "", http.StatusUnauthorized},
		{"wrong token", "Bearer nope", http.StatusUnauthorized},
		{"operator", "Bearer operator", http.StatusOK},
	}
	for _, tt := range tests {
		req := httptest.NewRequest(http.MethodPost, "/decode", strings.NewReader(reqBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "http://localhost:8233")
		if tt.auth != "" {
			req.Header.Set("Authorization", tt.auth)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != tt.want {
			t.Errorf("%s: status %d, want %d (%s)", tt.name, rec.Code, tt.want, rec.Body)
		}
		if tt.want == http.StatusOK && !strings.Contains(rec.Body.String(),
			base64.StdEncoding.EncodeToString([]byte(`"hello"`))) {
			t.Errorf("%s: decoded body %s lacks the plaintext payload", tt.name, rec.Body)
		}
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "http://localhost:8233" {
			t.Errorf("%s: CORS origin %q", tt.name, got)
		}
	}
}
