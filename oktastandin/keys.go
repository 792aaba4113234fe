package oktastandin

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jwt"
)

// NewRSAKey generates a 2048-bit RSA private JWK like the one Okta's
// "Generate new key" offers: kid (random when empty), use sig, alg RS256.
func NewRSAKey(kid string) (jwk.Key, error) {
	raw, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("oktastandin: generate rsa key: %w", err)
	}
	return newJWK(raw, kid, jwa.RS256)
}

// NewECKey generates a P-256 private JWK with alg ES256.
func NewECKey(kid string) (jwk.Key, error) {
	raw, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("oktastandin: generate ec key: %w", err)
	}
	return newJWK(raw, kid, jwa.ES256)
}

func newJWK(raw any, kid string, alg jwa.SignatureAlgorithm) (jwk.Key, error) {
	key, err := jwk.FromRaw(raw)
	if err != nil {
		return nil, fmt.Errorf("oktastandin: wrap key: %w", err)
	}
	if kid == "" {
		kid = randomString(43)
	}
	for name, v := range map[string]any{
		jwk.KeyIDKey: kid, jwk.KeyUsageKey: "sig", jwk.AlgorithmKey: alg,
	} {
		if err := key.Set(name, v); err != nil {
			return nil, fmt.Errorf("oktastandin: set %s: %w", name, err)
		}
	}
	return key, nil
}

// PublicKeys returns a set holding the public halves of keys, ready for
// ServiceApp.Keys.
func PublicKeys(keys ...jwk.Key) (jwk.Set, error) {
	set := jwk.NewSet()
	for _, k := range keys {
		pub, err := jwk.PublicKeyOf(k)
		if err != nil {
			return nil, fmt.Errorf("oktastandin: public key: %w", err)
		}
		if err := set.AddKey(pub); err != nil {
			return nil, fmt.Errorf("oktastandin: add key: %w", err)
		}
	}
	return set, nil
}

// ClientAssertion signs a private_key_jwt client assertion as a well-
// behaved client does: iss and sub the client id, aud the token URL, a
// fresh jti, and exp five minutes after now. It signs with the key's alg,
// or RS256 when the key names none.
func ClientAssertion(key jwk.Key, clientID, tokenURL string, now time.Time) (string, error) {
	tok, err := jwt.NewBuilder().
		Issuer(clientID).
		Subject(clientID).
		Audience([]string{tokenURL}).
		IssuedAt(now).
		Expiration(now.Add(5 * time.Minute)).
		JwtID(uuid.NewString()).
		Build()
	if err != nil {
		return "", fmt.Errorf("oktastandin: build assertion: %w", err)
	}
	alg := jwa.RS256
	if a, ok := key.Algorithm().(jwa.SignatureAlgorithm); ok && a != "" {
		alg = a
	}
	signed, err := jwt.Sign(tok, jwt.WithKey(alg, key))
	if err != nil {
		return "", fmt.Errorf("oktastandin: sign assertion: %w", err)
	}
	return string(signed), nil
}
