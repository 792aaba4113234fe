// Package secrets seals the secrets this service keeps: the admin's private
// JWK at rest in the database, and Temporal payloads in workflow history.
//
// Both use AES-256-GCM with keys derived by HKDF-SHA256 from one master key
// taken from configuration, so a leaked database dump or history export
// reveals neither the key material nor directory data.
package secrets

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
)

// KeySize is the length in bytes of the master key and of derived keys.
const KeySize = 32

// Purposes separate the keys derived from one master key, so a payload
// sealed for Temporal can never be opened as a database secret.
const (
	PurposeDatabase = "mailroom-oktasync/database/v1"
	PurposePayloads = "mailroom-oktasync/temporal-payloads/v1"
)

// ErrOpen is returned when a ciphertext does not authenticate: it was
// tampered with, truncated, or sealed under another key.
var ErrOpen = errors.New("secrets: ciphertext does not authenticate")

// ParseMasterKey decodes a base64 (standard or URL alphabet, padding
// optional) master key of exactly KeySize bytes.
func ParseMasterKey(s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, errors.New("secrets: the master key is empty: set SECRET_KEY " +
			"to 32 random bytes in base64 (for example: openssl rand -base64 32)")
	}
	for _, enc := range []*base64.Encoding{
		base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding,
	} {
		if key, err := enc.DecodeString(s); err == nil {
			if len(key) != KeySize {
				return nil, fmt.Errorf("secrets: the master key is %d bytes, want %d",
					len(key), KeySize)
			}
			return key, nil
		}
	}
	return nil, errors.New("secrets: the master key is not base64")
}

// NewMasterKey returns a fresh random master key in base64, for demos and
// first-time set-up.
func NewMasterKey() string {
	key := make([]byte, KeySize)
	_, _ = rand.Read(key) // crypto/rand.Read never fails on supported platforms
	return base64.StdEncoding.EncodeToString(key)
}

// Box seals and opens byte strings with AES-256-GCM. The nonce is random
// and prepended to the ciphertext; associated data binds a ciphertext to
// its context (an organization id, say) so it cannot be moved elsewhere.
type Box struct {
	aead cipher.AEAD
}

// NewBox derives the key for purpose from master and returns a Box using it.
func NewBox(master []byte, purpose string) (*Box, error) {
	if len(master) != KeySize {
		return nil, fmt.Errorf("secrets: master key is %d bytes, want %d", len(master), KeySize)
	}
	key, err := hkdf.Key(sha256.New, master, nil, purpose, KeySize)
	if err != nil {
		return nil, fmt.Errorf("secrets: derive key: %w", err)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, fmt.Errorf("secrets: new cipher: %w", err)
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, fmt.Errorf("secrets: new gcm: %w", err)
	}
	return &Box{aead: aead}, nil
}

// Seal encrypts plaintext bound to associated data ad.
func (b *Box) Seal(plaintext, ad []byte) []byte {
	nonce := make([]byte, b.aead.NonceSize(), b.aead.NonceSize()+len(plaintext)+b.aead.Overhead())
	_, _ = rand.Read(nonce)
	return b.aead.Seal(nonce, nonce, plaintext, ad)
}

// Open decrypts a ciphertext made by Seal with the same associated data.
func (b *Box) Open(ciphertext, ad []byte) ([]byte, error) {
	n := b.aead.NonceSize()
	if len(ciphertext) < n+b.aead.Overhead() {
		return nil, ErrOpen
	}
	plain, err := b.aead.Open(nil, ciphertext[:n], ciphertext[n:], ad)
	if err != nil {
		return nil, ErrOpen
	}
	return plain, nil
}

// SealPrivateJWK seals an organization's private JWK for the database. The
// organization id is bound as associated data, so a ciphertext copied to
// another organization's row does not open.
func (b *Box) SealPrivateJWK(orgID string, jwk []byte) []byte {
	return b.Seal(jwk, []byte("private-jwk:"+orgID))
}

// OpenPrivateJWK opens what SealPrivateJWK sealed for orgID.
func (b *Box) OpenPrivateJWK(orgID string, ciphertext []byte) ([]byte, error) {
	return b.Open(ciphertext, []byte("private-jwk:"+orgID))
}
