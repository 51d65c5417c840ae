// leadnudge playground: a simplified Slack client for the local Slack.
// Every piece of text goes into the page as a text node; nothing is ever
// parsed as HTML. No inline handlers, no network beyond this origin.
"use strict";

(() => {
  const $ = (id) => document.getElementById(id);
  const el = (tag, cls, text) => {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  };

  let state = null;        // the last /play/api/state answer
  let viewer = "";         // the person the page posts as
  let current = "";        // "channel:<id>", "dm" or "home"
  const seenDMs = {};      // person → how many app DMs they have seen
  let modalID = "";        // the view id shown in the dialog
  let drawerOpen = false;

  const EMOJI = {
    wave: "👋", zzz: "💤", white_check_mark: "✅", thought_balloon: "💭", warning: "⚠️", tada: "🎉",
    seedling: "🌱", palm_tree: "🌴", notebook: "📓", no_bell: "🔕", lock: "🔒", bell: "🔔",
    face_with_thermometer: "🤒", wastebasket: "🗑️", thumbsup: "👍", "+1": "👍", thumbsdown: "👎",
    outbox_tray: "📤", ok_hand: "👌", memo: "📝", pencil: "📝", fire: "🔥", fast_forward: "⏩",
    coffee: "☕", clock9: "🕘", busts_in_silhouette: "👥", bulb: "💡", smile: "😄",
    slightly_smiling_face: "🙂", heart: "❤️", eyes: "👀", rocket: "🚀", speech_balloon: "💬",
    raised_hands: "🙌", pray: "🙏", star: "⭐", sparkles: "✨", calendar: "📅", question: "❓",
    x: "❌", bar_chart: "📊", chart_with_upwards_trend: "📈", mag: "🔍", handshake: "🤝",
    information_source: "ℹ️", arrow_right: "➡️", sunny: "☀️", beach_with_umbrella: "🏖️",
    desert_island: "🏝️", airplane: "✈️", thermometer: "🌡️", sneezing_face: "🤧", see_no_evil: "🙈",
    muscle: "💪", point_right: "👉", compass: "🧭", mirror: "🪞", ear: "👂", hourglass: "⌛",
  };

  // Slack escapes &, < and > in message text; undo exactly those.
  const unescape = (s) => s.replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

  const COLORS = ["#2c7be5", "#e01e5a", "#2eb67d", "#ecb22e", "#6f42c1", "#fd7e14"];
  function avatar(id, name) {
    const a = el("div", "avatar");
    if (!id) {
      a.classList.add("app");
      a.textContent = "ln";
      a.title = state ? state.app : "app";
      return a;
    }
    let h = 0;
    for (const c of id) h = (h * 31 + c.charCodeAt(0)) >>> 0;
    a.style.background = COLORS[h % COLORS.length];
    a.textContent = (name || id).split(/\s+/).map((w) => w[0] || "").join("").slice(0, 2).toUpperCase();
    a.title = name || id;
    return a;
  }

  // ---- mrkdwn -----------------------------------------------------------

  const INLINE = /(`[^`\n]+`)|(<[^>\n]+>)|(\*[^*\n]+\*)|(\b_[^_\n]+_\b)|(~[^~\n]+~)|(:[a-z0-9_+-]+:)/g;

  function inline(parent, text) {
    let last = 0;
    for (const m of text.matchAll(INLINE)) {
      if (m.index > last) parent.append(unescape(text.slice(last, m.index)));
      const t = m[0];
      if (m[1]) parent.append(el("code", "", unescape(t.slice(1, -1))));
      else if (m[2]) parent.append(link(t.slice(1, -1)));
      else if (m[3]) { const b = el("b"); inline(b, t.slice(1, -1)); parent.append(b); }
      else if (m[4]) { const i = el("i"); inline(i, t.slice(1, -1)); parent.append(i); }
      else if (m[5]) { const s = el("s"); inline(s, t.slice(1, -1)); parent.append(s); }
      else if (m[6]) parent.append(EMOJI[t.slice(1, -1)] || t);
      last = m.index + t.length;
    }
    if (last < text.length) parent.append(unescape(text.slice(last)));
  }

  function link(inner) {
    const [target, label] = inner.split("|", 2);
    if (target.startsWith("@")) return el("span", "mention", "@" + ((state && state.names[target.slice(1)]) || unescape(label || target.slice(1))));
    if (target.startsWith("#")) return el("span", "mention", "#" + (unescape(label || "") || (state && state.names[target.slice(1)]) || target.slice(1)));
    if (target.startsWith("!")) return el("span", "mention", "@" + target.slice(1).split("^")[0]);
    const url = unescape(target);
    if (/^(https?:|mailto:)/i.test(url)) {
      const a = el("a", "", unescape(label || target));
      a.href = url;
      a.rel = "noopener noreferrer";
      a.target = "_blank";
      return a;
    }
    return document.createTextNode(unescape(label || target));
  }

  // mrkdwn renders Slack's markup into parent: code blocks, quotes, lines.
  function mrkdwn(parent, text) {
    const parts = String(text).split(/```/);
    parts.forEach((part, i) => {
      if (i % 2 === 1) { parent.append(el("pre", "", unescape(part.replace(/^\n/, "")))); return; }
      let quote = null;
      for (const line of part.split("\n")) {
        const q = line.match(/^(&gt;|>)\s?(.*)$/);
        if (q) {
          if (!quote) { quote = el("blockquote"); parent.append(quote); }
          const p = el("p"); inline(p, q[2]); quote.append(p);
          continue;
        }
        quote = null;
        if (line === "" && parent.lastChild && parent.lastChild.tagName === "P" && parent.lastChild.textContent === "") continue;
        const p = el("p"); inline(p, line); parent.append(p);
      }
    });
    while (parent.lastChild && parent.lastChild.tagName === "P" && parent.lastChild.textContent === "") parent.lastChild.remove();
  }

  function textObject(parent, t) {
    if (!t) return;
    if (t.type === "mrkdwn") mrkdwn(parent, t.text || "");
    else { const p = el("p"); p.textContent = t.emoji === false ? (t.text || "") : (t.text || "").replace(/:([a-z0-9_+-]+):/g, (m, n) => EMOJI[n] || m); parent.append(p); }
  }

  // ---- Block Kit ----------------------------------------------------------

  // blocks renders a Block Kit array; ctx says where buttons answer.
  function blocks(parent, list, ctx) {
    for (const b of list || []) {
      switch (b.type) {
        case "section": {
          const s = el("div", "block-section");
          const t = el("div", "text");
          textObject(t, b.text);
          if (b.fields) {
            const f = el("div", "fields");
            for (const x of b.fields) { const c = el("div"); textObject(c, x); f.append(c); }
            t.append(f);
          }
          s.append(t);
          if (b.accessory && b.accessory.type === "button") s.append(button(b.accessory, b.block_id, ctx));
          parent.append(s);
          break;
        }
        case "context": {
          const c = el("div", "block-context");
          for (const x of b.elements || []) {
            if (x.type === "image") c.append(el("span", "", x.alt_text || ""));
            else { const span = el("span"); textObject(span, x); c.append(span); }
          }
          parent.append(c);
          break;
        }
        case "divider": parent.append(el("hr")); break;
        case "header": parent.append(el("div", "block-header", (b.text && b.text.text) || "")); break;
        case "actions": {
          const a = el("div", "block-actions");
          for (const x of b.elements || []) if (x.type === "button") a.append(button(x, b.block_id, ctx));
          parent.append(a);
          break;
        }
        case "input": parent.append(input(b)); break;
        case "rich_text": { const p = el("p"); p.textContent = richText(b); parent.append(p); break; }
        case "image": parent.append(el("p", "muted", b.alt_text || "")); break;
        default: break;
      }
    }
  }

  function richText(b) {
    const out = [];
    const walk = (n) => {
      if (!n) return;
      if (typeof n.text === "string") out.push(n.text);
      else if (n.type === "user") out.push("@" + ((state && state.names[n.user_id]) || n.user_id));
      else if (n.type === "channel") out.push("#" + ((state && state.names[n.channel_id]) || n.channel_id));
      else if (n.type === "emoji") out.push(EMOJI[n.name] || ":" + n.name + ":");
      for (const c of n.elements || []) walk(c);
    };
    walk(b);
    return out.join("");
  }

  function button(x, blockID, ctx) {
    const b = el("button", x.style === "primary" ? "primary" : x.style === "danger" ? "danger" : "", (x.text && x.text.text) || "");
    b.type = "button";
    b.addEventListener("click", async () => {
      b.disabled = true;
      await api("click", Object.assign({}, ctx, { action_id: x.action_id, block_id: blockID || "", value: x.value || "" }));
      setTimeout(() => { b.disabled = false; }, 1500);
    });
    return b;
  }

  function input(b) {
    const d = el("div", "input");
    const id = "in-" + b.block_id;
    const label = el("label", "", (b.label && b.label.text) || "");
    label.htmlFor = id;
    d.append(label);
    const e = b.element || {};
    const field = e.multiline ? el("textarea") : el("input");
    field.id = id;
    field.dataset.block = b.block_id;
    if (e.multiline) field.rows = 5; else field.type = "text";
    if (e.placeholder) field.placeholder = e.placeholder.text || "";
    if (e.initial_value) field.value = e.initial_value;
    if (e.max_length) field.maxLength = e.max_length;
    d.append(field);
    if (b.hint) d.append(el("p", "hint", b.hint.text || ""));
    const err = el("p", "error");
    err.id = id + "-error";
    err.hidden = true;
    d.append(err);
    return d;
  }

  // ---- API ------------------------------------------------------------------

  async function api(name, body) {
    body = Object.assign({ user: viewer }, body);
    try {
      const r = await fetch("/play/api/" + name, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
      const j = await r.json().catch(() => ({}));
      if (!r.ok) toast(j.error || r.statusText);
      return j;
    } catch (e) {
      toast("The local Slack is not answering: " + e.message);
      return {};
    }
  }

  let refreshing = false, again = false;
  async function refresh() {
    if (refreshing) { again = true; return; }
    refreshing = true;
    try {
      do {
        again = false;
        const r = await fetch("/play/api/state?user=" + encodeURIComponent(viewer));
        if (r.ok) { state = await r.json(); render(); }
      } while (again);
    } finally {
      refreshing = false;
    }
  }

  let toastTimer = 0;
  function toast(msg) {
    const t = $("toast");
    t.textContent = msg;
    t.classList.add("show");
    clearTimeout(toastTimer);
    toastTimer = setTimeout(() => t.classList.remove("show"), 4000);
  }

  // ---- rendering ------------------------------------------------------------

  function person(id) { return state.people.find((p) => p.id === id); }

  // Nodes are kept across refreshes while what they show is unchanged, so
  // focus, selection and scroll survive the live updates.
  const cache = new Map(); // signature → element
  function keyed(sig, make) {
    let n = cache.get(sig);
    if (!n) { n = make(); cache.set(sig, n); }
    return n;
  }
  function place(parent, nodes) {
    const cur = Array.from(parent.children);
    if (cur.length <= nodes.length && cur.every((n, i) => n === nodes[i])) {
      for (const n of nodes.slice(cur.length)) parent.append(n);
    } else {
      parent.replaceChildren(...nodes);
    }
    const keep = new Set(nodes);
    if (cache.size > 2000) for (const [k, v] of cache) if (!keep.has(v)) cache.delete(k);
  }

  function render() {
    if (!state) return;
    if (!current) current = "channel:" + state.channels[0].id;
    const unread = Math.max(0, state.dm.length - (seenDMs[viewer] || 0));
    if (current === "dm") seenDMs[viewer] = state.dm.length;
    sidebar(current === "dm" ? 0 : unread);
    $("nextweek").hidden = !state.features.next_week;
    $("rules").hidden = !state.features.explain;
    const log = $("log");
    const atBottom = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
    const composer = $("composer");
    const me = (person(viewer) || {}).name || "you";
    let nodes = [];
    log.classList.toggle("home", current === "home");
    if (current.startsWith("channel:")) {
      const ch = state.channels.find((c) => "channel:" + c.id === current);
      $("title").textContent = "# " + ch.name;
      composer.hidden = false;
      $("box").setAttribute("aria-label", "Message #" + ch.name);
      $("box").placeholder = "Message #" + ch.name;
      $("hint").textContent = "Enter to send, Shift+Enter for a new line. Try “I don't have to explain myself to you.”, or /nudges status, /reflect.";
      const msgs = state.messages[ch.id] || [];
      if (msgs.length === 0) nodes.push(keyed("empty|" + ch.id + "|" + me, () => el("p", "empty", "No messages yet. Say something as " + me + ".")));
      for (const m of msgs) {
        nodes.push(keyed(viewer + "|c|" + m.ts + "|" + (m.user || "") + "|" + m.text + "|" + JSON.stringify(m.blocks || null),
          () => article(m, { where: "ephemeral", channel: ch.id, ts: m.ts, response: m.response || "" })));
      }
    } else if (current === "dm") {
      $("title").textContent = state.app;
      composer.hidden = true;
      $("hint").textContent = "Only " + me + " sees these messages.";
      if (state.dm.length === 0) nodes.push(keyed("empty-dm|" + me, () => el("p", "empty", "The app has not written to " + me + " yet.")));
      for (const m of state.dm) {
        nodes.push(keyed(viewer + "|d|" + m.ts + "|" + m.edited + "|" + m.text + "|" + JSON.stringify(m.blocks || null),
          () => article(m, { where: "dm", ts: m.ts })));
      }
    } else if (current === "home") {
      $("title").textContent = state.app + " · Home";
      composer.hidden = true;
      $("hint").textContent = "";
      if (!state.home) nodes.push(keyed("home-wait", () => el("p", "empty", "Opening the Home tab…")));
      else {
        const home = state.home;
        nodes.push(keyed(viewer + "|h|" + JSON.stringify(home.blocks), () => {
          const d = el("div", "home-view");
          blocks(d, home.blocks, { where: "home", view_id: home.id });
          return d;
        }));
      }
    }
    place(log, nodes);
    if (atBottom && current !== "home") log.scrollTop = log.scrollHeight;
    modal();
    if (drawerOpen) explain();
  }

  const items = {}; // sidebar key → its button
  function sidebar(unread) {
    if (!items.built) {
      const item = (list, key, label) => {
        const li = el("li");
        const b = el("button", "", label);
        b.type = "button";
        b.addEventListener("click", () => open(key));
        li.append(b);
        list.append(li);
        items[key] = b;
      };
      for (const c of state.channels) item($("channels"), "channel:" + c.id, "# " + c.name);
      item($("dms"), "dm", state.app);
      item($("apps"), "home", state.app + " · Home");
      items.built = true;
    }
    for (const [key, b] of Object.entries(items)) {
      if (key === "built") continue;
      if (key === current) b.setAttribute("aria-current", "page"); else b.removeAttribute("aria-current");
    }
    const dm = items.dm;
    const badge = dm.querySelector(".badge");
    dm.classList.toggle("unread", unread > 0);
    if (unread > 0) {
      const b = badge || el("span", "badge");
      b.textContent = String(unread);
      b.setAttribute("aria-label", unread + " unread");
      if (!badge) dm.append(b);
    } else if (badge) {
      badge.remove();
    }
  }

  function article(m, ctx) {
    const a = el("article", m.ephemeral ? "ephemeral" : "");
    const p = m.user ? person(m.user) : null;
    const name = m.user ? (p ? p.name : m.user) : state.app;
    a.setAttribute("aria-label", (m.ephemeral ? "Only visible to you: " : "") + name);
    a.append(avatar(m.user, name));
    const right = el("div");
    const head = el("div");
    head.append(el("span", "who", name));
    if (!m.user) head.append(el("span", "tag", "APP"));
    head.append(el("span", "when", time(m.ts)));
    right.append(head);
    if (m.ephemeral) right.append(el("span", "only", "Only visible to you"));
    const body = el("div", "body");
    if (m.blocks && m.blocks.length && !m.user) blocks(body, m.blocks, ctx);
    else mrkdwn(body, m.text || "");
    if (m.edited) body.append(el("span", "edited", "(edited)"));
    right.append(body);
    a.append(right);
    return a;
  }

  function time(ts) {
    const d = new Date(parseFloat(ts) * 1000);
    return isNaN(d) ? "" : d.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function open(key) {
    current = key;
    if (key === "home") api("home", {});
    render();
    if (key.startsWith("channel:")) $("box").focus();
  }

  // ---- modal ----------------------------------------------------------------

  function modal() {
    const d = $("modal");
    const v = state.modal;
    if (!v) {
      if (d.open && modalID) d.close();
      modalID = "";
      return;
    }
    if (v.id === modalID && d.open) return;
    showView(v);
  }

  function showView(v) {
    const d = $("modal");
    modalID = v.id;
    $("modal-title").textContent = (v.title && v.title.text) || "";
    const body = $("modal-body");
    body.replaceChildren();
    blocks(body, v.blocks, { where: "modal", view_id: v.id });
    const submit = $("modal-submit");
    submit.hidden = !v.submit;
    submit.textContent = (v.submit && v.submit.text) || "Submit";
    $("modal-cancel").textContent = (v.close && v.close.text) || "Cancel";
    if (!d.open) d.showModal();
    const first = body.querySelector("textarea, input");
    if (first) first.focus();
  }

  async function submitModal(ev) {
    ev.preventDefault();
    const values = {};
    for (const f of $("modal-body").querySelectorAll("[data-block]")) values[f.dataset.block] = f.value;
    const r = await api("submit", { view_id: modalID, values });
    for (const e of $("modal-body").querySelectorAll(".error")) e.hidden = true;
    if (r.errors) {
      for (const [block, msg] of Object.entries(r.errors)) {
        const e = document.getElementById("in-" + block + "-error");
        if (e) { e.textContent = msg; e.hidden = false; }
      }
      return;
    }
    if (r.view) { showView(Object.assign({}, r.view, { id: modalID })); return; } // response_action: update
    if (r.closed) { $("modal").close(); modalID = ""; refresh(); }
  }

  async function dismissModal() {
    const id = modalID;
    if ($("modal").open) $("modal").close();
    modalID = "";
    if (id) await api("dismiss", { view_id: id });
    refresh();
  }

  // ---- rules drawer and weekly prompt ---------------------------------------

  let explaining = false;
  async function explain() {
    if (explaining) return;
    explaining = true;
    try {
      const r = await api("explain", {});
      $("explain-for").textContent = r.text ? "The last message: “" + r.text + "”" : "";
      $("explain").textContent = r.explain || "";
    } finally {
      explaining = false;
    }
  }

  // ---- start ----------------------------------------------------------------

  document.addEventListener("DOMContentLoaded", async () => {
    const sel = $("postas");
    const boot = await fetch("/play/api/people");
    const people = await boot.json();
    for (const p of people) {
      const o = el("option", "", p.name + " (" + [p.title, p.time_zone].filter(Boolean).join(", ") + ")");
      o.value = p.id;
      sel.append(o);
    }
    viewer = people[0].id;
    sel.addEventListener("change", () => { viewer = sel.value; refresh(); });
    $("composer").addEventListener("submit", async (ev) => {
      ev.preventDefault();
      const box = $("box");
      const text = box.value.trim();
      if (!text || !current.startsWith("channel:")) return;
      box.value = "";
      const r = await api("message", { channel: current.slice(8), text });
      if (r.ok && r.command) toast(r.command + " sent to the app");
    });
    $("box").addEventListener("keydown", (ev) => {
      if (ev.key === "Enter" && !ev.shiftKey && !ev.isComposing) { ev.preventDefault(); $("composer").requestSubmit(); }
    });
    $("modal-form").addEventListener("submit", submitModal);
    $("modal-cancel").addEventListener("click", dismissModal);
    $("modal").addEventListener("cancel", (ev) => { ev.preventDefault(); dismissModal(); });
    $("nextweek").addEventListener("click", async () => {
      $("nextweek").disabled = true;
      const r = await api("next-week", {});
      $("nextweek").disabled = false;
      if (r.summary) toast(r.summary);
    });
    $("rules").addEventListener("click", () => {
      drawerOpen = !drawerOpen;
      $("drawer").hidden = !drawerOpen;
      $("rules").setAttribute("aria-expanded", String(drawerOpen));
      if (drawerOpen) explain();
    });
    const es = new EventSource("/play/api/events");
    es.addEventListener("change", refresh);
    es.addEventListener("error", () => toast("Lost the connection to the local Slack; retrying…"));
    await refresh();
    $("box").focus();
  });
})();
