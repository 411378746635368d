package keyservice

import (
	"crypto/hkdf"
	"crypto/sha256"
	"fmt"
)

// MinServerSecretLen is the shortest accepted server secret, in bytes.
const MinServerSecretLen = 32

// HKDF info strings: each derived key has one purpose, so compromising one
// use (say, a replay ciphertext oracle) says nothing about the other.
const (
	hkdfInfoPepper      = "keyservice/v1/key-hash-pepper"
	hkdfInfoReplayAEAD  = "keyservice/v1/idempotency-replay-aead"
	hkdfInfoWebhookAEAD = "keyservice/v1/webhook-signing-secret-aead"
	hkdfInfoOTPAEAD     = "keyservice/v1/otp-secret-aead"
)

type derivedSecrets struct {
	pepper      []byte
	replayAEAD  []byte
	webhookAEAD []byte
	otpAEAD     []byte
}

func deriveSecrets(serverSecret []byte) (derivedSecrets, error) {
	if len(serverSecret) < MinServerSecretLen {
		return derivedSecrets{}, fmt.Errorf("server secret must be at least %d bytes, got %d", MinServerSecretLen, len(serverSecret))
	}
	pepper, err := hkdf.Key(sha256.New, serverSecret, nil, hkdfInfoPepper, 32)
	if err != nil {
		return derivedSecrets{}, fmt.Errorf("derive pepper: %w", err)
	}
	aead, err := hkdf.Key(sha256.New, serverSecret, nil, hkdfInfoReplayAEAD, 32)
	if err != nil {
		return derivedSecrets{}, fmt.Errorf("derive replay key: %w", err)
	}
	webhook, err := hkdf.Key(sha256.New, serverSecret, nil, hkdfInfoWebhookAEAD, 32)
	if err != nil {
		return derivedSecrets{}, fmt.Errorf("derive webhook secret key: %w", err)
	}
	otp, err := hkdf.Key(sha256.New, serverSecret, nil, hkdfInfoOTPAEAD, 32)
	if err != nil {
		return derivedSecrets{}, fmt.Errorf("derive otp secret key: %w", err)
	}
	return derivedSecrets{pepper: pepper, replayAEAD: aead, webhookAEAD: webhook, otpAEAD: otp}, nil
}
