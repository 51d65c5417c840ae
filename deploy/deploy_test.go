package deploy_test

import (
	"bytes"
	"os"
	"slices"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/leadnudge/leadnudge/deploy"
)

// slackManifest is the subset of Slack's app manifest schema 1.x
// (slackapi/manifest-schema) that leadnudge uses. The file is decoded
// strictly, so a misspelt key (socket_mode_enable) fails the test instead of
// being silently ignored by Slack's defaults.
type slackManifest struct {
	Metadata struct {
		MajorVersion int `yaml:"major_version"`
		MinorVersion int `yaml:"minor_version"`
	} `yaml:"_metadata"`
	DisplayInformation struct {
		Name            string `yaml:"name"`
		Description     string `yaml:"description"`
		BackgroundColor string `yaml:"background_color"`
	} `yaml:"display_information"`
	Features struct {
		AppHome struct {
			HomeTabEnabled             bool `yaml:"home_tab_enabled"`
			MessagesTabEnabled         bool `yaml:"messages_tab_enabled"`
			MessagesTabReadOnlyEnabled bool `yaml:"messages_tab_read_only_enabled"`
		} `yaml:"app_home"`
		BotUser struct {
			DisplayName  string `yaml:"display_name"`
			AlwaysOnline bool   `yaml:"always_online"`
		} `yaml:"bot_user"`
		SlashCommands []struct {
			Command      string `yaml:"command"`
			Description  string `yaml:"description"`
			UsageHint    string `yaml:"usage_hint"`
			ShouldEscape *bool  `yaml:"should_escape"`
			URL          string `yaml:"url"`
		} `yaml:"slash_commands"`
	} `yaml:"features"`
	OAuthConfig struct {
		Scopes struct {
			Bot  []string `yaml:"bot"`
			User []string `yaml:"user"`
		} `yaml:"scopes"`
	} `yaml:"oauth_config"`
	Settings struct {
		EventSubscriptions struct {
			RequestURL string   `yaml:"request_url"`
			BotEvents  []string `yaml:"bot_events"`
			UserEvents []string `yaml:"user_events"`
		} `yaml:"event_subscriptions"`
		Interactivity struct {
			IsEnabled  bool   `yaml:"is_enabled"`
			RequestURL string `yaml:"request_url"`
		} `yaml:"interactivity"`
		OrgDeployEnabled     bool  `yaml:"org_deploy_enabled"`
		SocketModeEnabled    *bool `yaml:"socket_mode_enabled"`
		TokenRotationEnabled *bool `yaml:"token_rotation_enabled"`
	} `yaml:"settings"`
}

func parseManifest(t *testing.T) slackManifest {
	t.Helper()
	var m slackManifest
	dec := yaml.NewDecoder(bytes.NewReader(deploy.Manifest()))
	dec.KnownFields(true)
	if err := dec.Decode(&m); err != nil {
		t.Fatalf("slack-app-manifest.yaml: %v (a new key must be added to slackManifest after checking Slack's schema)", err)
	}
	return m
}

func TestManifestMatchesFile(t *testing.T) {
	onDisk, err := os.ReadFile("slack-app-manifest.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(onDisk, deploy.Manifest()) {
		t.Fatal("embedded manifest differs from slack-app-manifest.yaml")
	}
}

func TestManifestReturnsCopy(t *testing.T) {
	a := deploy.Manifest()
	a[0] ^= 0xff
	if b := deploy.Manifest(); b[0] == a[0] {
		t.Fatal("Manifest() returned shared memory: a caller's change leaked into the next call")
	}
}

func TestManifestBasics(t *testing.T) {
	m := parseManifest(t)
	if m.Metadata.MajorVersion != 1 {
		t.Errorf("_metadata.major_version = %d, want 1", m.Metadata.MajorVersion)
	}
	if m.DisplayInformation.Name != "leadnudge" || m.DisplayInformation.Description == "" {
		t.Errorf("display_information = %+v", m.DisplayInformation)
	}
	if len(m.DisplayInformation.Name) > 35 {
		t.Errorf("display_information.name is %d characters; Slack allows 35", len(m.DisplayInformation.Name))
	}
	if len(m.DisplayInformation.Description) > 140 {
		t.Errorf("display_information.description is %d characters; Slack allows 140", len(m.DisplayInformation.Description))
	}
	if m.Features.BotUser.DisplayName != "leadnudge" {
		t.Errorf("bot_user.display_name = %q, want leadnudge", m.Features.BotUser.DisplayName)
	}
	if !m.Features.AppHome.HomeTabEnabled || !m.Features.AppHome.MessagesTabEnabled {
		t.Errorf("app_home = %+v, want home and messages tabs enabled", m.Features.AppHome)
	}
	if s := m.Settings.SocketModeEnabled; s == nil || !*s {
		t.Error("settings.socket_mode_enabled must be true")
	}
	if s := m.Settings.TokenRotationEnabled; s == nil || *s {
		t.Error("settings.token_rotation_enabled must be false")
	}
	if !m.Settings.Interactivity.IsEnabled {
		t.Error("settings.interactivity.is_enabled must be true (buttons, modals)")
	}
	// Socket Mode: nothing is delivered over HTTP, so no URL may be set.
	if m.Settings.EventSubscriptions.RequestURL != "" || m.Settings.Interactivity.RequestURL != "" {
		t.Error("request_url set although Socket Mode is on")
	}
	if len(m.OAuthConfig.Scopes.User) != 0 || len(m.Settings.EventSubscriptions.UserEvents) != 0 {
		t.Error("leadnudge needs no user scopes or user events")
	}
}

func TestManifestSlashCommands(t *testing.T) {
	m := parseManifest(t)
	want := map[string]struct{ description, hint string }{
		"/nudges":  {"Your private leadership nudges", "on | off | snooze 7d | status | channel off | help"},
		"/reflect": {"Your private weekly reflection", "[your answer] | history | export | delete | on | off | help"},
	}
	seen := map[string]bool{}
	for _, c := range m.Features.SlashCommands {
		if seen[c.Command] {
			t.Errorf("%s declared twice", c.Command)
		}
		seen[c.Command] = true
		if len(c.Command) < 2 || len(c.Command) > 32 || c.Command[0] != '/' {
			t.Errorf("command %q: must be 2-32 characters starting with /", c.Command)
		}
		w, ok := want[c.Command]
		if !ok {
			t.Errorf("unexpected slash command %q", c.Command)
			continue
		}
		if c.Description != w.description || c.UsageHint != w.hint {
			t.Errorf("%s: description %q usage_hint %q, want %q %q", c.Command, c.Description, c.UsageHint, w.description, w.hint)
		}
		if c.ShouldEscape == nil || *c.ShouldEscape {
			t.Errorf("%s: should_escape must be present and false", c.Command)
		}
		if c.URL != "" {
			t.Errorf("%s: url set although Socket Mode is on", c.Command)
		}
	}
	for cmd := range want {
		if !seen[cmd] {
			t.Errorf("slash command %s missing", cmd)
		}
	}
}

func TestManifestEventsAndScopes(t *testing.T) {
	m := parseManifest(t)
	scopes := m.OAuthConfig.Scopes.Bot

	// Every event leadnudge handles, and the scope Slack requires for it.
	eventScope := map[string]string{
		"message.channels": "channels:history",
		"message.groups":   "groups:history",
		"message.mpim":     "mpim:history",
		"app_home_opened":  "",
		// the member directory (reflection's time zones, flags, statuses)
		"user_change":         "users:read",
		"user_status_changed": "users:read",
		"team_join":           "users:read",
	}
	events := m.Settings.EventSubscriptions.BotEvents
	for ev, scope := range eventScope {
		if !slices.Contains(events, ev) {
			t.Errorf("bot event %s missing", ev)
		}
		if scope != "" && !slices.Contains(scopes, scope) {
			t.Errorf("bot event %s needs scope %s, which is missing", ev, scope)
		}
	}
	for _, ev := range events {
		if _, ok := eventScope[ev]; !ok {
			t.Errorf("bot event %s is not one leadnudge handles", ev)
		}
	}

	// Least privilege: the scopes the bot needs, and nothing else.
	allowed := []string{
		"channels:history", "groups:history", "mpim:history", // message events
		"chat:write",                                // chat.postMessage, chat.postEphemeral, chat.update
		"im:write",                                  // conversations.open for the DM
		"commands",                                  // /nudges, /reflect
		"users:read",                                // users.info (time zone, bot, deactivated)
		"channels:read", "groups:read", "mpim:read", // conversations.members of reflection.channels
	}
	seen := map[string]bool{}
	for _, s := range scopes {
		if seen[s] {
			t.Errorf("scope %s listed twice", s)
		}
		seen[s] = true
		if !slices.Contains(allowed, s) {
			t.Errorf("scope %s is not in the allowed list; add it there only with the method that needs it", s)
		}
	}
	for _, s := range allowed {
		if !seen[s] {
			t.Errorf("scope %s missing", s)
		}
	}
}
