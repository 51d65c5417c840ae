package store

import (
	"context"
	"fmt"
)

// SetChannelNudgesOff turns nudges off (or back on) for everyone in one
// channel (/nudges channel off|on). It records no person.
func (s *Store) SetChannelNudgesOff(ctx context.Context, channelID string, off bool) error {
	if err := checkID("channel id", channelID); err != nil {
		return fmt.Errorf("store: set channel nudges: %w", err)
	}
	_, err := s.b.exec(ctx, `INSERT INTO channels (id, nudges_off, updated_at) VALUES ($1, $2, $3)
		ON CONFLICT (id) DO UPDATE SET nudges_off = excluded.nudges_off, updated_at = excluded.updated_at`,
		channelID, off, s.nowMicros())
	if err != nil {
		return fmt.Errorf("store: set channel nudges for %s: %w", channelID, err)
	}
	return nil
}

// ChannelNudgesOff reports whether nudges are turned off in the channel
// (false for a channel never configured).
func (s *Store) ChannelNudgesOff(ctx context.Context, channelID string) (bool, error) {
	if err := checkID("channel id", channelID); err != nil {
		return false, fmt.Errorf("store: channel nudges: %w", err)
	}
	var off bool
	err := s.b.queryRow(ctx, `SELECT nudges_off FROM channels WHERE id = $1`, channelID).Scan(&off)
	if isNoRows(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("store: channel nudges for %s: %w", channelID, err)
	}
	return off, nil
}
