package mail_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"lms/mail"
)

func TestConfig_Enabled(t *testing.T) {
	t.Parallel()

	require.False(t, mail.Config{}.Enabled())
	require.True(t, mail.Config{Host: "smtp.example.com"}.Enabled())
}

func TestConfig_Validate(t *testing.T) {
	t.Parallel()

	valid := mail.Config{
		Host:      "smtp.example.com",
		Port:      587,
		TLSPolicy: mail.TLSMandatory,
		Username:  "lms",
		Password:  "secret",
		From:      "LMS <lms@example.com>",
		Timeout:   10 * time.Second,
	}
	tests := []struct {
		name    string
		modify  func(*mail.Config)
		wantErr string
	}{
		{name: "Valid", modify: func(*mail.Config) {}},
		{name: "DefaultPolicyAndTimeout", modify: func(c *mail.Config) { c.TLSPolicy, c.Timeout = "", 0 }},
		{name: "Opportunistic", modify: func(c *mail.Config) { c.TLSPolicy = "opportunistic" }},
		{name: "NoTLSWithoutCredentials", modify: func(c *mail.Config) { c.TLSPolicy, c.Username, c.Password = "none", "", "" }},
		{name: "NoTLSCredentialsToLocalhost", modify: func(c *mail.Config) { c.TLSPolicy, c.Host = "none", "localhost" }},
		{name: "NoHost", modify: func(c *mail.Config) { c.Host = "" }, wantErr: "host is required"},
		{name: "NoPort", modify: func(c *mail.Config) { c.Port = 0 }, wantErr: "port 0 is not between 1 and 65535"},
		{name: "PortTooLarge", modify: func(c *mail.Config) { c.Port = 65536 }, wantErr: "port 65536"},
		{name: "NoFrom", modify: func(c *mail.Config) { c.From = "" }, wantErr: "from address is required"},
		{name: "BadFrom", modify: func(c *mail.Config) { c.From = "lms at example.com" }, wantErr: `from address "lms at example.com"`},
		{name: "NegativeTimeout", modify: func(c *mail.Config) { c.Timeout = -time.Second }, wantErr: "timeout -1s is negative"},
		{name: "UnknownPolicy", modify: func(c *mail.Config) { c.TLSPolicy = "starttls" }, wantErr: `TLS policy "starttls"`},
		{name: "UsernameOnly", modify: func(c *mail.Config) { c.Password = "" }, wantErr: "username and password must be set together"},
		{name: "PasswordOnly", modify: func(c *mail.Config) { c.Username = "" }, wantErr: "username and password must be set together"},
		{name: "CredentialsInClearText", modify: func(c *mail.Config) { c.TLSPolicy = "none" }, wantErr: "refusing to send credentials to smtp.example.com without TLS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()

			cfg := valid
			tt.modify(&cfg)
			err := cfg.Validate()
			if tt.wantErr == "" {
				require.NoError(t, err)
				return
			}
			require.ErrorContains(t, err, tt.wantErr)

			_, err = mail.NewSender(cfg)
			require.ErrorContains(t, err, tt.wantErr, "NewSender validates too")
		})
	}
}
