package okta

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"sync"
	"testing"

	"github.com/lestrrat-go/jwx/v2/jwk"
)

// testKey is a generated key pair as an admin would paste it.
type testKey struct {
	kid     string
	private crypto.Signer
	// jwk is the private JWK JSON with its kid.
	jwk []byte
	// publicJWK is the public half as JSON, with the kid.
	publicJWK []byte
}

// Keys are generated once per test binary: RSA generation is the slowest
// step of the package's tests.
var (
	keysOnce sync.Once
	keys     keyRing
)

// keyRing holds every key the tests use.
type keyRing struct {
	rsa, otherRSA, rsa1024, ec256, ec384, ec521 testKey
	// ed25519 is an OKP private JWK, which Okta cannot use.
	ed25519 []byte
}

func testKeys(t *testing.T) *keyRing {
	t.Helper()
	keysOnce.Do(func() {
		keys.rsa = makeKey(t, mustRSA(t, 2048), "kid-rsa")
		keys.otherRSA = makeKey(t, mustRSA(t, 2048), "kid-other")
		keys.rsa1024 = makeKey(t, mustRSA(t, 1024), "kid-small")
		keys.ec256 = makeKey(t, mustEC(t, elliptic.P256()), "kid-ec256")
		keys.ec384 = makeKey(t, mustEC(t, elliptic.P384()), "kid-ec384")
		keys.ec521 = makeKey(t, mustEC(t, elliptic.P521()), "kid-ec521")
		_, edPriv, err := ed25519.GenerateKey(rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		keys.ed25519 = makeKey(t, edPriv, "kid-ed").jwk
	})
	return &keys
}

func mustRSA(t *testing.T, bits int) *rsa.PrivateKey {
	t.Helper()
	k, err := rsa.GenerateKey(rand.Reader, bits)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func mustEC(t *testing.T, c elliptic.Curve) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(c, rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// makeKey serialises a key pair as JWKs with kid.
func makeKey(t *testing.T, priv crypto.Signer, kid string) testKey {
	t.Helper()
	k, err := jwk.FromRaw(priv)
	if err != nil {
		t.Fatal(err)
	}
	if err := k.Set(jwk.KeyIDKey, kid); err != nil {
		t.Fatal(err)
	}
	pub, err := k.PublicKey()
	if err != nil {
		t.Fatal(err)
	}
	return testKey{kid: kid, private: priv, jwk: mustJSON(t, k), publicJWK: mustJSON(t, pub)}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// editJWK returns key's JSON with edit applied to its members.
func editJWK(t *testing.T, key []byte, edit func(map[string]any)) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(key, &m); err != nil {
		t.Fatal(err)
	}
	edit(m)
	return mustJSON(t, m)
}

// privateD returns the private exponent or scalar of a JWK, the part that
// must never appear in output.
func privateD(t *testing.T, key []byte) string {
	t.Helper()
	var m struct {
		D string `json:"d"`
	}
	if err := json.Unmarshal(key, &m); err != nil || m.D == "" {
		t.Fatalf("key has no d: %v", err)
	}
	return m.D
}
