package secrets

import (
	"fmt"
	"net/http"
	"strings"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/sdk/converter"
)

// Payload metadata the codec writes. The encoding name tells any Temporal
// tool that the payload is ciphertext, and the key id lets a future key
// rotation pick the right key.
const (
	payloadEncoding = "binary/encrypted"
	metaEncoding    = "encoding"
	metaKeyID       = "encryption-key-id"
	payloadKeyID    = "v1"
)

// PayloadCodec encrypts every Temporal payload (workflow inputs, results,
// signals, queries, activity arguments, failures' details) before it leaves
// the process, so workflow history holds only ciphertext.
type PayloadCodec struct {
	box *Box
}

// NewPayloadCodec returns a codec keyed from master.
func NewPayloadCodec(master []byte) (*PayloadCodec, error) {
	box, err := NewBox(master, PurposePayloads)
	if err != nil {
		return nil, err
	}
	return &PayloadCodec{box: box}, nil
}

// Encode seals each payload, metadata and data together.
func (c *PayloadCodec) Encode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		raw, err := p.Marshal()
		if err != nil {
			return nil, fmt.Errorf("secrets: marshal payload: %w", err)
		}
		out[i] = &commonpb.Payload{
			Metadata: map[string][]byte{
				metaEncoding: []byte(payloadEncoding),
				metaKeyID:    []byte(payloadKeyID),
			},
			Data: c.box.Seal(raw, []byte(payloadKeyID)),
		}
	}
	return out, nil
}

// Decode opens payloads this codec sealed and passes others through.
func (c *PayloadCodec) Decode(payloads []*commonpb.Payload) ([]*commonpb.Payload, error) {
	out := make([]*commonpb.Payload, len(payloads))
	for i, p := range payloads {
		if string(p.GetMetadata()[metaEncoding]) != payloadEncoding {
			out[i] = p
			continue
		}
		keyID := string(p.GetMetadata()[metaKeyID])
		if keyID != payloadKeyID {
			return nil, fmt.Errorf("secrets: payload sealed with unknown key %q", keyID)
		}
		raw, err := c.box.Open(p.GetData(), []byte(keyID))
		if err != nil {
			return nil, fmt.Errorf("secrets: open payload: %w", err)
		}
		decoded := &commonpb.Payload{}
		if err := decoded.Unmarshal(raw); err != nil {
			return nil, fmt.Errorf("secrets: unmarshal payload: %w", err)
		}
		out[i] = decoded
	}
	return out, nil
}

// DataConverter returns Temporal's default converter wrapped with codec.
func DataConverter(codec *PayloadCodec) converter.DataConverter {
	return converter.NewCodecDataConverter(converter.GetDefaultDataConverter(), codec)
}

// CodecHandler serves Temporal's remote codec protocol (POST /encode and
// /decode) so the Temporal UI and CLI can show decrypted payloads to
// operators. allowedOrigins are the UI origins allowed by CORS; token, when
// not empty, must be presented as a bearer token.
func CodecHandler(codec *PayloadCodec, allowedOrigins []string, token string) http.Handler {
	inner := converter.NewPayloadCodecHTTPHandler(codec)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		if origin != "" && originAllowed(origin, allowedOrigins) {
			w.Header().Set("Access-Control-Allow-Origin", origin)
			w.Header().Set("Access-Control-Allow-Credentials", "true")
			w.Header().Set("Access-Control-Allow-Headers",
				"Content-Type, X-Namespace, Authorization")
			w.Header().Set("Access-Control-Allow-Methods", "POST, OPTIONS")
			w.Header().Set("Vary", "Origin")
		}
		if r.Method == http.MethodOptions {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if token != "" && r.Header.Get("Authorization") != "Bearer "+token {
			http.Error(w, "codec: unauthorized", http.StatusUnauthorized)
			return
		}
		inner.ServeHTTP(w, r)
	})
}

func originAllowed(origin string, allowed []string) bool {
	for _, a := range allowed {
		if a == "*" || strings.EqualFold(strings.TrimRight(a, "/"), origin) {
			return true
		}
	}
	return false
}
