package partner

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"time"
)

// tokenLifetime is the expires_in 360dialog answers with: one day.
const tokenLifetime = 24 * time.Hour

// tokenSigner makes and checks HS256 JWTs. A real JWT, so clients that decode
// the token (to read exp, say) work as they do against the real hub.
type tokenSigner struct {
	secret []byte
}

type claims struct {
	Sub       string `json:"sub"`
	PartnerID string `json:"partner_id"`
	Iat       int64  `json:"iat"`
	Exp       int64  `json:"exp"`
}

var jwtHeader = base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"HS256","typ":"JWT"}`))

func (s tokenSigner) sign(c claims) string {
	body, _ := json.Marshal(c) // a struct of strings and ints: cannot fail
	unsigned := jwtHeader + "." + base64.RawURLEncoding.EncodeToString(body)
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(s.mac(unsigned))
}

func (s tokenSigner) mac(unsigned string) []byte {
	m := hmac.New(sha256.New, s.secret)
	m.Write([]byte(unsigned))
	return m.Sum(nil)
}

var (
	errTokenInvalid = errors.New("invalid token")
	errTokenExpired = errors.New("token expired")
)

// verify checks the signature and the expiry against now.
func (s tokenSigner) verify(token string, now time.Time) (claims, error) {
	var c claims
	head, rest, ok := strings.Cut(token, ".")
	if !ok || head != jwtHeader {
		return c, errTokenInvalid
	}
	payload, sig, ok := strings.Cut(rest, ".")
	if !ok {
		return c, errTokenInvalid
	}
	got, err := base64.RawURLEncoding.DecodeString(sig)
	if err != nil || !hmac.Equal(got, s.mac(head+"."+payload)) {
		return c, errTokenInvalid
	}
	body, err := base64.RawURLEncoding.DecodeString(payload)
	if err != nil || json.Unmarshal(body, &c) != nil || c.PartnerID == "" {
		return c, errTokenInvalid
	}
	if now.Unix() >= c.Exp {
		return c, errTokenExpired
	}
	return c, nil
}
