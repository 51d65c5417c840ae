'use strict';
// Drives the local Slack with Slack's official Node SDKs (@slack/socket-mode,
// @slack/web-api): connect, receive a message event and a slash command and
// ack them, post a message, get rate limited, reconnect after a disconnect.
// Run by fakeslack/node_test.go with FAKESLACK_API_URL and FAKESLACK_ADMIN_URL.
const { SocketModeClient } = require('@slack/socket-mode');
const { WebClient, ErrorCode } = require('@slack/web-api');
const { LogLevel } = require('@slack/logger');

const apiURL = process.env.FAKESLACK_API_URL;
const adminURL = process.env.FAKESLACK_ADMIN_URL;
if (!apiURL || !adminURL) {
  console.error('FAKESLACK_API_URL and FAKESLACK_ADMIN_URL must be set');
  process.exit(2);
}

const step = (name, detail) => console.log(`step: ${name}${detail ? ' ' + JSON.stringify(detail) : ''}`);

function fail(msg, detail) {
  throw new Error(`${msg}: ${JSON.stringify(detail)}`);
}

// waitFor resolves with the first `event` emitted by emitter that pred accepts.
function waitFor(emitter, event, ms, pred = () => true) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      emitter.off(event, handler);
      reject(new Error(`timed out after ${ms} ms waiting for ${event}`));
    }, ms);
    function handler(arg) {
      if (!pred(arg)) return;
      clearTimeout(timer);
      emitter.off(event, handler);
      resolve(arg);
    }
    emitter.on(event, handler);
  });
}

async function adminPost(path, body) {
  const resp = await fetch(adminURL + path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = await resp.json();
  if (resp.status !== 200) fail(`admin ${path} answered ${resp.status}`, json);
  return json;
}

async function messageRoundTrip(sm, text) {
  const got = waitFor(sm, 'message', 10000, (e) => e.event && e.event.text === text);
  const sent = await adminPost('messages', { user: 'U1', channel: 'C1', text });
  const evt = await got;
  if (evt.body.event_id !== sent.event_id) fail('event_id differs', { got: evt.body.event_id, sent });
  if (evt.event.user !== 'U1' || evt.event.channel !== 'C1' || evt.event.ts !== sent.ts) fail('bad message event', evt.event);
  await evt.ack();
  return { envelope_id: evt.envelope_id, event_id: evt.body.event_id };
}

async function main() {
  const sm = new SocketModeClient({
    appToken: 'xapp-node-check',
    clientOptions: { slackApiUrl: apiURL },
    clientPingTimeout: 2000, // also the reconnect delay after a disconnect
    logLevel: LogLevel.WARN,
  });
  await sm.start();
  step('connected');

  step('message acked', await messageRoundTrip(sm, 'hello from node'));

  const gotCmd = waitFor(sm, 'slash_commands', 10000);
  const cmd = await adminPost('commands', { user: 'U1', channel: 'C1', command: '/reflect', text: 'node' });
  const c = await gotCmd;
  if (c.envelope_id !== cmd.envelope_id || c.body.command !== '/reflect' || c.body.trigger_id !== cmd.trigger_id || !c.accepts_response_payload) {
    fail('bad slash command', c.body);
  }
  await c.ack({ response_type: 'ephemeral', text: 'ack from node' });
  step('command acked', { envelope_id: c.envelope_id });

  const web = new WebClient('xoxb-node-check', {
    slackApiUrl: apiURL,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
    logLevel: LogLevel.ERROR,
  });
  const auth = await web.auth.test();
  if (!auth.ok || !auth.user_id || !auth.bot_id) fail('bad auth.test', auth);
  const posted = await web.chat.postMessage({ channel: 'C1', text: 'posted from node' });
  if (!posted.ok || posted.channel !== 'C1' || !/^\d{10}\.\d{6}$/.test(posted.ts)) fail('bad chat.postMessage answer', posted);
  step('posted', { ts: posted.ts });

  await adminPost('faults', { method: 'chat.postMessage', status: 429, retry_after: 2, count: 1 });
  try {
    await web.chat.postMessage({ channel: 'C1', text: 'should be rate limited' });
    fail('expected a rate limit', {});
  } catch (e) {
    if (e.code !== ErrorCode.RateLimitedError || e.retryAfter !== 2) throw e;
  }
  step('rate limited', { retryAfter: 2 });

  const reconnected = waitFor(sm, 'connected', 20000);
  await adminPost('faults', { disconnect: 'refresh_requested' });
  await reconnected;
  step('reconnected');

  step('message after reconnect acked', await messageRoundTrip(sm, 'hello again'));

  await sm.disconnect();
  console.log('ok');
}

main().then(
  () => process.exit(0),
  (e) => {
    console.error('FAIL:', (e && e.stack) || e);
    process.exit(1);
  },
);
