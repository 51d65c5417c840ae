// Package playground is the browser playground of `leadnudge demo --web`
// and `leadnudge fakeslack --web`: a page that looks and behaves like a
// simplified Slack desktop client, served next to the local Slack
// (package fakeslack), so anyone can try the real bot without a workspace.
//
// Nothing in it talks to the bot directly. A message typed in the page is
// injected into the local Slack as a message event, a slash command as a
// slash_commands envelope, a button as a block_actions payload and a modal
// as a view_submission, exactly as the bot's end-to-end tests do; what the
// bot sends back (DMs, chat.update, ephemeral replies, modals, the Home
// tab) is read from the local Slack's record of its Web API calls. Updates
// reach the page as server-sent events, pushed on every change of the local
// Slack's state.
//
// The page is plain HTML, CSS and JavaScript embedded in the binary, with
// no build step and nothing fetched from the network. It renders every
// piece of text with DOM text nodes (never as HTML), under a strict
// Content-Security-Policy without inline scripts or handlers; the JSON
// endpoints accept only same-origin requests.
package playground
