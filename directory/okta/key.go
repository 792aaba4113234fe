package okta

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/lestrrat-go/jwx/v2/jwa"
	"github.com/lestrrat-go/jwx/v2/jwk"
	"github.com/lestrrat-go/jwx/v2/jws"

	"github.com/mailroom/oktasync/directory"
)

// minRSABits is the smallest RSA key Okta accepts for private_key_jwt
// client authentication.
const minRSABits = 2048

// privateKey is an admin's private JWK, checked and ready to sign client
// assertions. Its fields never leave the package.
type privateKey struct {
	// signer is the raw *rsa.PrivateKey or *ecdsa.PrivateKey.
	signer any
	alg    jwa.SignatureAlgorithm
	kid    string
	// thumbprint is the RFC 7638 SHA-256 thumbprint, base64url: it names
	// the key in cache keys without revealing it.
	thumbprint string
	// normalised is the single key re-serialised as JSON.
	normalised []byte
}

// keyHint holds the members of a JWK that decide which mistake, if any, an
// admin made before the key material itself is parsed.
type keyHint struct {
	Kty string          `json:"kty"`
	Crv string          `json:"crv"`
	Kid string          `json:"kid"`
	D   json.RawMessage `json:"d"`
}

// parsePrivateJWK checks a pasted private JWK, or a JWK set holding exactly
// one key, and returns it ready to sign. Problems are reported with the
// private_jwk field; no message ever echoes the input.
func parsePrivateJWK(raw []byte) (*privateKey, *directory.Error) {
	raw = bytes.TrimSpace(raw)
	one, problem := singleKeyJSON(raw)
	if problem != nil {
		return nil, problem
	}

	var hint keyHint
	if err := json.Unmarshal(one, &hint); err != nil {
		return nil, keyProblem(directory.CodeKeyNotJSON, "the key is not a JSON Web Key",
			fixKeyJSON)
	}
	if problem := checkKeyHint(hint); problem != nil {
		return nil, problem
	}

	return buildPrivateKey(one, hint.Kid)
}

// singleKeyJSON returns the JSON of the one key in raw: raw itself, or the
// only member of a JWK set.
func singleKeyJSON(raw []byte) ([]byte, *directory.Error) {
	switch {
	case len(raw) == 0:
		return nil, keyProblem(directory.CodeKeyRequired, "the private key is missing",
			"Paste the private key of the API Services app as JSON.")
	case bytes.Contains(raw, []byte("-----BEGIN")):
		return nil, keyProblem(directory.CodeKeyPEM, "the key is in PEM format",
			"Paste the key in JSON format: in Okta, under Public Keys, choose the JSON tab "+
				"when you generate the key.")
	case !json.Valid(raw):
		return nil, keyProblem(directory.CodeKeyNotJSON, "the key is not valid JSON",
			fixKeyJSON)
	}

	var members map[string]json.RawMessage
	if err := json.Unmarshal(raw, &members); err != nil {
		return nil, keyProblem(directory.CodeKeyNotJSON, "the key is not a JSON object",
			fixKeyJSON)
	}
	set, isSet := members["keys"]
	if !isSet {
		return raw, nil
	}
	return onlyKeyOfSet(set)
}

// onlyKeyOfSet returns the single key of a JWK set's "keys" member.
func onlyKeyOfSet(set json.RawMessage) ([]byte, *directory.Error) {
	var keys []json.RawMessage
	if err := json.Unmarshal(set, &keys); err != nil {
		return nil, keyProblem(directory.CodeKeyNotJSON, `the key set's "keys" is not a list`,
			fixKeyJSON)
	}
	if len(keys) != 1 {
		return nil, keyProblem(directory.CodeKeySetSize,
			fmt.Sprintf("the key set holds %d keys, not exactly one", len(keys)),
			"Paste only the private key you generated for this app, as one JSON object.")
	}
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(keys[0], &obj); err != nil {
		return nil, keyProblem(directory.CodeKeyNotJSON, "the key in the set is not a JSON object",
			fixKeyJSON)
	}
	return keys[0], nil
}

// fixKeyJSON tells the admin where Okta shows the key as JSON.
const fixKeyJSON = "Copy the private key again: in the API Services app, under Client " +
	"Credentials → Public Keys, generate a new key, choose the JSON tab and copy the " +
	"whole private key."

// checkKeyHint rejects key types Okta cannot use, public-only keys and keys
// without a kid, which Okta needs to pick the public key to verify with.
func checkKeyHint(h keyHint) *directory.Error {
	switch h.Kty {
	case "RSA", "EC":
	case "":
		return keyProblem(directory.CodeKeyInvalid, `the key has no "kty" (key type)`,
			fixKeyJSON)
	default:
		return keyProblem(directory.CodeKeyUnsupported,
			fmt.Sprintf("keys of type %q cannot sign Okta client assertions", h.Kty),
			"Generate an RSA key in Okta (Client Credentials → Public Keys → "+
				"Generate new key) and paste its private JWK.")
	}
	if d := string(h.D); d == "" || d == "null" || d == `""` {
		return keyProblem(directory.CodeKeyPublicOnly, "this is the public key: it has no "+
			`private part ("d")`,
			"Paste the private key: Okta shows it once, when you choose Generate new key "+
				"under Public Keys. If it is lost, generate a new key.")
	}
	if h.Kid == "" {
		return keyProblem(directory.CodeKeyMissingKID, `the key has no "kid" (key id)`,
			"Paste the key exactly as Okta generated it: it includes the kid that Okta "+
				"shows under Public Keys.")
	}
	return nil
}

// buildPrivateKey parses the key material, picks the signing algorithm and
// proves the key can sign.
func buildPrivateKey(one []byte, kid string) (*privateKey, *directory.Error) {
	key, err := jwk.ParseKey(one)
	if err != nil {
		return nil, brokenKey()
	}
	var raw any
	if err := key.Raw(&raw); err != nil {
		return nil, brokenKey()
	}

	alg, problem := signingAlgorithm(raw)
	if problem != nil {
		return nil, problem
	}
	if !canSign(raw, alg) {
		return nil, brokenKey()
	}

	return finishKey(key, raw, alg, kid)
}

// finishKey computes the thumbprint and the normalised JSON of a checked key.
func finishKey(key jwk.Key, raw any, alg jwa.SignatureAlgorithm,
	kid string) (*privateKey, *directory.Error) {
	thumb, err := key.Thumbprint(crypto.SHA256)
	if err != nil {
		return nil, brokenKey()
	}
	normalised, err := json.Marshal(key)
	if err != nil {
		return nil, brokenKey()
	}
	return &privateKey{
		signer:     raw,
		alg:        alg,
		kid:        kid,
		thumbprint: base64.RawURLEncoding.EncodeToString(thumb),
		normalised: normalised,
	}, nil
}

// signingAlgorithm maps a key to the algorithm Okta expects for it: RS256
// for RSA, and the ES variant matching the curve for EC.
func signingAlgorithm(raw any) (jwa.SignatureAlgorithm, *directory.Error) {
	switch k := raw.(type) {
	case *rsa.PrivateKey:
		if k.N.BitLen() < minRSABits {
			return "", keyProblem(directory.CodeKeyInvalid,
				fmt.Sprintf("the RSA key has %d bits; Okta needs at least %d",
					k.N.BitLen(), minRSABits),
				"Generate a new key in Okta (Client Credentials → Public Keys → "+
					"Generate new key) and paste its private JWK.")
		}
		return jwa.RS256, nil
	case *ecdsa.PrivateKey:
		return ecAlgorithm(k)
	}
	return "", keyProblem(directory.CodeKeyUnsupported, "the key is not an RSA or EC key",
		fixKeyJSON)
}

// ecAlgorithm picks ES256, ES384 or ES512 by curve; Okta accepts no other
// curves.
func ecAlgorithm(k *ecdsa.PrivateKey) (jwa.SignatureAlgorithm, *directory.Error) {
	switch k.Curve.Params().Name {
	case "P-256":
		return jwa.ES256, nil
	case "P-384":
		return jwa.ES384, nil
	case "P-521":
		return jwa.ES512, nil
	}
	return "", keyProblem(directory.CodeKeyUnsupported,
		"the EC key uses a curve Okta does not accept (use P-256, P-384 or P-521)",
		"Generate an RSA key in Okta (Client Credentials → Public Keys → "+
			"Generate new key) and paste its private JWK.")
}

// canSign signs a probe and verifies it with the public half, which catches
// key material that parses but does not fit together.
func canSign(raw any, alg jwa.SignatureAlgorithm) bool {
	var public any
	switch k := raw.(type) {
	case *rsa.PrivateKey:
		if k.Validate() != nil {
			return false
		}
		public = &k.PublicKey
	case *ecdsa.PrivateKey:
		public = &k.PublicKey
	default:
		return false
	}

	probe := []byte("oktasync key probe")
	signed, err := jws.Sign(probe, jws.WithKey(alg, raw))
	if err != nil {
		return false
	}
	_, err = jws.Verify(signed, jws.WithKey(alg, public))
	return err == nil
}

// brokenKey reports key material that cannot be used, without saying more
// about the secret than that.
func brokenKey() *directory.Error {
	return keyProblem(directory.CodeKeyInvalid, "the key material is damaged or incomplete",
		fixKeyJSON)
}

// keyProblem builds a problem with the private key field.
func keyProblem(code directory.Code, message, fix string) *directory.Error {
	return &directory.Error{Code: code, Field: FieldPrivateJWK, Message: message, Fix: fix}
}
