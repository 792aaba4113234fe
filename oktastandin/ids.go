package oktastandin

import (
	"crypto/rand"
	"math/big"
	mrand "math/rand/v2"
)

// Okta ids are a three-character type prefix and 17 letters or digits, 20
// characters in all: "00u" users, "00g" groups, "0oa" apps and OAuth
// clients.
const (
	userIDPrefix  = "00u"
	groupIDPrefix = "00g"
	appIDPrefix   = "0oa"
	idLength      = 20
	idAlphabet    = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
)

// NewUserID returns a random user id such as "00u1a2B3c4D5e6F7g8H9".
func NewUserID() string { return randomID(userIDPrefix) }

// NewGroupID returns a random group id ("00g…").
func NewGroupID() string { return randomID(groupIDPrefix) }

// NewAppID returns a random app or OAuth client id ("0oa…").
func NewAppID() string { return randomID(appIDPrefix) }

func randomID(prefix string) string {
	b := []byte(prefix)
	max := big.NewInt(int64(len(idAlphabet)))
	for len(b) < idLength {
		n, err := rand.Int(rand.Reader, max)
		if err != nil {
			panic("oktastandin: read random: " + err.Error())
		}
		b = append(b, idAlphabet[n.Int64()])
	}
	return string(b)
}

// seededID draws an id from a seeded generator, for reproducible fixtures.
func seededID(rng *mrand.Rand, prefix string) string {
	b := make([]byte, 0, idLength)
	b = append(b, prefix...)
	for len(b) < idLength {
		b = append(b, idAlphabet[rng.IntN(len(idAlphabet))])
	}
	return string(b)
}

// randomString returns n random letters and digits.
func randomString(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic("oktastandin: read random: " + err.Error())
	}
	out := make([]byte, n)
	for i, c := range b {
		out[i] = idAlphabet[int(c)%len(idAlphabet)]
	}
	return string(out)
}
