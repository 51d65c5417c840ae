// Package directory keeps what leadnudge needs to know about a workspace's
// members (time zone, deactivated and bot flags, Slack status) without a
// Web API call per person: one paginated users.list, refreshed on a
// schedule sized to the workspace, kept current in between by the
// user_change, user_status_changed and team_join events, and users.info
// only for a member the last listing did not include.
//
// At 10,000 members a listing is 50 calls of users.list (Tier 2, 20 a
// minute), where asking users.info for each person before each weekly
// prompt would be 10,000 calls of a Tier 4 method (100 a minute): the
// difference between a fan-out paced by posting alone and one that spends
// most of its time in Retry-After.
//
// The package holds no Slack client: its consumer passes a Slack
// implementation (the bot's, which paces and retries every call).
package directory
