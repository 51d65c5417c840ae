// The peer baseline of `leadnudge loadtest --peer bolt`: a minimal Slack Bolt
// app of the kind a team would write in an afternoon. Socket Mode, ONE
// case-insensitive regular expression over a handful of phrases, and a DM
// (conversations.open + chat.postMessage) for every matching message.
//
// Environment: SLACK_BOT_TOKEN, SLACK_APP_TOKEN, SLACK_API_URL (the local
// Slack's Web API base, with the trailing slash). It prints "ready" on
// standard output once connected and never logs message text or tokens.
'use strict';

const { App, LogLevel } = require('@slack/bolt');

// Keep in step with boltPhrases in loadtest/peer.go: the harness computes the
// expected DMs with the same expression.
const PHRASES = /because i said so|i'm the boss|not up for discussion|just do it|end of discussion|don't question me|i outrank you|who asked you/i;

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  appToken: process.env.SLACK_APP_TOKEN,
  socketMode: true,
  logLevel: LogLevel.ERROR,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
});

app.message(PHRASES, async ({ message, client, logger }) => {
  if (message.subtype || !message.user) {
    return; // edits, bot messages and other subtypes: not a person's new words
  }
  try {
    const open = await client.conversations.open({ users: message.user });
    await client.chat.postMessage({
      channel: open.channel.id,
      text: 'A private leadership nudge: share the reason, not just the rank.',
    });
  } catch (err) {
    logger.error(`DM failed: ${err.code || 'error'}`);
  }
});

(async () => {
  await app.start();
  process.stdout.write('ready\n');
})().catch((err) => {
  process.stderr.write(`bolt peer failed to start: ${err.code || err.message}\n`);
  process.exit(1);
});

for (const sig of ['SIGTERM', 'SIGINT']) {
  process.on(sig, () => {
    app.stop().finally(() => process.exit(0));
    setTimeout(() => process.exit(0), 2000).unref();
  });
}
