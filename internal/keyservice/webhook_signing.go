package keyservice

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math/big"
	"strconv"
)

// A webhook signing secret reads "whsec_" + 43 base62 characters (256 random
// bits). The server keeps it sealed (see sealer) because it must sign
// with it; the project's owner sees it once, when it is created or rotated.
const (
	webhookSecretPrefix    = "whsec_"
	webhookSecretLen       = 43
	webhookSignatureScheme = "v1="
)

func generateWebhookSecret() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate webhook signing secret: %w", err)
	}
	return webhookSecretPrefix + base62Fixed(new(big.Int).SetBytes(b[:]), webhookSecretLen), nil
}

// webhookSecretAAD binds a sealed secret to its project: a ciphertext copied
// onto another project's row does not open.
func webhookSecretAAD(projectID string) []byte {
	return []byte("webhook-signing-secret\x00" + projectID)
}

// signWebhook returns the X-Keyservice-Signature value for body sent at
// timestamp (Unix seconds): "v1=" + hex(HMAC-SHA256(secret, timestamp + "." +
// body)), the key being the secret string exactly as handed out.
func signWebhook(secret string, timestamp int64, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(strconv.FormatInt(timestamp, 10)))
	m.Write([]byte{'.'})
	m.Write(body)
	return webhookSignatureScheme + hex.EncodeToString(m.Sum(nil))
}
