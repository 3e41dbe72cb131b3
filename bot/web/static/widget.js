/*
 * The clinic FAQ bot's chat widget: the whole embed.
 *
 *   <script src="https://BOT-HOST/widget.js" defer
 *           data-title="Ask Riverside" data-accent="#0b5cad"></script>
 *
 * data-title, data-greeting, data-launcher (launcher text), data-accent (#rgb or
 * #rrggbb), data-position (right | left) and data-api-base (default: the origin this
 * file was loaded from) are read once, here. Numbers to call come from the bot itself:
 * SERVER below is written as the file is served, and urgent replies carry theirs.
 *
 * No dependencies, no build step, nothing fetched but the bot's /api/chat and
 * /api/feedback (a Yes/No vote on an answer: its first passage, the vote and the reply's
 * context; never message text). The UI lives in a Shadow DOM styled by a constructed
 * stylesheet (adoptedStyleSheets), so the host page's CSS cannot break it, its CSS cannot
 * leak, and a strict Content-Security-Policy (no inline styles or scripts) does not block
 * it. Text always goes in as textContent.
 */
(function () {
  "use strict";
  if (window.FaqBot) return; // loaded twice: the first copy does everything

  var STRINGS = {
    greeting: "Hello! Ask me a question about our clinic's patient documents.",
    launcher: "Ask a question",
    title: "Clinic assistant",
    placeholder: "Type your question",
    footnote:
      "Answers are quoted from the clinic's documents. Not medical advice. " +
      "In an emergency call ",
    unreachable: "Can't reach the clinic's assistant right now. Please try again later.",
    thinking: "The assistant is looking for an answer",
    feedbackQuestion: "Was this helpful?",
    feedbackYes: "Yes, this answer helped",
    feedbackNo: "No, this answer did not help",
  };
  // What a voted answer says in place of its question, by the vote's state.
  var FEEDBACK_NOTES = {
    sending: "Thanks for telling us.",
    sent: "Thanks for telling us.",
    failed: "Sorry, your feedback could not be sent.",
  };
  // The bot's settings, written into this line as it serves the file.
  var SERVER = {"emergency_number": "911"};
  var LEVEL_HEADINGS = { emergency: "Emergency", care_team_now: "Call your care team now" };
  var MAX_STORED_MESSAGES = 40;
  var REQUEST_TIMEOUT_MS = 20000;
  var DEFAULT_RETRY_SECONDS = 20; // when a 429 carries no readable Retry-After

  var config = readConfig(document.currentScript);
  var storageKey = "faqbot:" + config.apiBase;
  var state = loadState(); // {open, context, messages}; what survives navigation
  var ui = null; // the elements, once built
  var busy = false;
  var retryTimer = null;
  var conversation = 0; // bumped by reset, so a late reply can't land in the new one

  window.FaqBot = {
    open: function () { openPanel(true); },
    close: function () { closePanel(true); },
    reset: resetConversation,
    send: function (text) { sendMessage(String(text)); },
    config: config,
  };

  if (document.body) start();
  else document.addEventListener("DOMContentLoaded", start);

  // ---- configuration and saved state ------------------------------------------------

  function readConfig(script) {
    var data = (script && script.dataset) || {};
    var accent = /^#([0-9a-f]{3}|[0-9a-f]{6})$/i.test(data.accent || "") ? data.accent : "#0b5cad";
    return {
      title: data.title || STRINGS.title,
      greeting: data.greeting || STRINGS.greeting,
      launcher: data.launcher || STRINGS.launcher,
      accent: accent,
      position: data.position === "left" ? "left" : "right",
      emergencyNumber: String(SERVER.emergency_number || "911"),
      apiBase: readApiBase(script, data.apiBase),
    };
  }

  function readApiBase(script, given) {
    try {
      if (given) return new URL(given, location.href).href.replace(/\/+$/, "");
      return new URL(script.src).origin;
    } catch (error) {
      return location.origin; // no script src (inlined copy): assume the bot is this site
    }
  }

  function loadState() {
    try {
      var saved = JSON.parse(sessionStorage.getItem(storageKey) || "null");
      if (saved && Array.isArray(saved.messages)) {
        saved.messages = saved.messages.filter(function (m) { return m && (m.text || m.reply); });
        return saved;
      }
    } catch (error) {
      // storage blocked (privacy mode, sandboxed frame) or garbage: start afresh
    }
    return { open: false, context: "", messages: [] };
  }

  function saveState() {
    state.messages = state.messages.slice(-MAX_STORED_MESSAGES);
    try {
      sessionStorage.setItem(storageKey, JSON.stringify(state));
    } catch (error) {
      // the conversation simply won't survive navigation
    }
  }

  // ---- building the UI -----------------------------------------------------------------

  function start() {
    var host = document.createElement("faq-bot-widget");
    var root = host.attachShadow({ mode: "open" });
    adoptStyles(root);
    ui = buildUi(root);
    document.body.appendChild(host);
    ui.host = host;
    renderGreeting();
    state.messages.forEach(function (message) { appendMessage(message, false); });
    if (state.open) openPanel(false);
    watchVisualViewport();
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text != null) node.textContent = text;
    return node;
  }

  function icon(pathData) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", pathData);
    svg.appendChild(path);
    return svg;
  }

  function buildUi(root) {
    var launcher = el("button", "launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", "false");
    launcher.setAttribute("aria-controls", "faqbot-panel");
    launcher.append(icon("M4 4h16v12H7l-3 3V4z"), el("span", "", config.launcher));
    launcher.addEventListener("click", function () {
      if (state.open) closePanel(true);
      else openPanel(true);
    });

    var panel = el("section", "panel");
    panel.id = "faqbot-panel";
    panel.hidden = true;
    panel.setAttribute("role", "dialog");
    panel.setAttribute("aria-labelledby", "faqbot-title");
    panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closePanel(true);
    });

    var header = el("header", "header");
    var title = el("h2", "title", config.title);
    title.id = "faqbot-title";
    var restart = iconButton("New conversation", "M12 5V2L7 6l5 4V7a5 5 0 1 1-5 5H5a7 7 0 1 0 7-7z");
    restart.addEventListener("click", resetConversation);
    var close = iconButton("Close chat", "M6 6l12 12M18 6L6 18");
    close.addEventListener("click", function () { closePanel(true); });
    header.append(title, restart, close);

    var log = el("div", "log");
    log.setAttribute("role", "log");
    log.setAttribute("aria-live", "polite");
    log.setAttribute("aria-label", "Conversation");
    log.tabIndex = 0; // a scrollable region must be reachable by keyboard

    var typing = el("div", "typing");
    typing.setAttribute("role", "status");
    typing.append(el("span", "dot"), el("span", "dot"), el("span", "dot"), el("span", "visually-hidden"));

    var composer = el("div", "composer");
    var label = el("label", "visually-hidden", "Your question");
    label.htmlFor = "faqbot-input";
    var input = el("input", "input");
    input.id = "faqbot-input";
    input.type = "text";
    input.maxLength = 1000;
    input.autocomplete = "off";
    input.placeholder = STRINGS.placeholder;
    input.setAttribute("enterkeyhint", "send");
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.isComposing) {
        event.preventDefault();
        submitInput();
      }
    });
    var send = iconButton("Send", "M3 20l18-8L3 4v6l12 2-12 2z");
    send.classList.add("send");
    send.addEventListener("click", submitInput);
    composer.append(label, input, send);

    var status = el("p", "status");
    status.hidden = true;
    var footnote = el("p", "footnote", STRINGS.footnote);
    footnote.append(telLink(config.emergencyNumber), ".");
    panel.append(header, log, typing, composer, status, footnote);
    root.append(launcher, panel);
    return { launcher: launcher, panel: panel, log: log, typing: typing, input: input,
      send: send, status: status };
  }

  function iconButton(label, pathData) {
    var button = el("button", "icon-button");
    button.type = "button";
    button.setAttribute("aria-label", label);
    button.title = label;
    button.appendChild(icon(pathData));
    return button;
  }

  // ---- opening, closing, resetting -----------------------------------------------------

  function openPanel(moveFocus) {
    if (!ui) return;
    state.open = true;
    ui.panel.hidden = false;
    ui.launcher.setAttribute("aria-expanded", "true");
    ui.host.classList.add("open");
    saveState();
    updateViewportHeight();
    scrollToEnd();
    if (moveFocus) ui.input.focus({ preventScroll: true });
  }

  function closePanel(moveFocus) {
    if (!ui) return;
    state.open = false;
    ui.panel.hidden = true;
    ui.launcher.setAttribute("aria-expanded", "false");
    ui.host.classList.remove("open");
    saveState();
    if (moveFocus) ui.launcher.focus({ preventScroll: true });
  }

  function resetConversation() {
    conversation += 1;
    state.context = "";
    state.messages = [];
    saveState();
    if (!ui) return;
    ui.log.replaceChildren();
    renderGreeting();
    ui.input.value = "";
    ui.input.focus({ preventScroll: true });
  }

  // ---- talking to the bot --------------------------------------------------------------

  function submitInput() {
    var text = ui.input.value.trim();
    if (!text || busy || retryTimer) return;
    ui.input.value = "";
    sendMessage(text);
  }

  async function sendMessage(text) {
    text = text.trim();
    if (!ui || !text || busy || retryTimer) return;
    if (!state.open) openPanel(false);
    addMessage({ from: "user", text: text });
    setBusy(true);
    var asked = conversation;
    try {
      var response = await postChat(text);
      if (asked === conversation) await handleResponse(response);
    } catch (error) {
      if (asked !== conversation) return;
      showNotice(STRINGS.unreachable);
      if (!ui.input.value) ui.input.value = text; // let them try again without retyping
    } finally {
      setBusy(false);
    }
  }

  function postChat(text) {
    var body = { message: text };
    if (state.context) body.context = state.context; // the only memory we send back
    return postJson("/api/chat", body);
  }

  function postJson(path, body) {
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    return fetch(config.apiBase + path, {
      method: "POST",
      mode: "cors",
      credentials: "omit", // the bot needs no cookies, and must never see the site's
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body),
      signal: controller.signal,
    }).finally(function () { clearTimeout(timer); });
  }

  async function handleResponse(response) {
    var body = await response.json().catch(function () { return null; });
    if (response.ok && body && typeof body.reply === "string") {
      state.context = typeof body.context === "string" ? body.context : "";
      addMessage({ from: "bot", reply: body });
      return;
    }
    var message = body && body.error && body.error.message;
    showNotice(message || "The clinic's assistant had a problem (HTTP " + response.status + "). Please try again later.");
    if (response.status === 429) startRetryCountdown(retryAfterSeconds(response));
  }

  function retryAfterSeconds(response) {
    // Cross-origin, Retry-After is readable only when the bot exposes it (CORS).
    var value = response.headers.get("Retry-After");
    if (!value) return DEFAULT_RETRY_SECONDS;
    var seconds = /^\d+$/.test(value) ? Number(value) : (Date.parse(value) - Date.now()) / 1000;
    return Math.min(Math.max(Math.ceil(seconds) || 1, 1), 3600);
  }

  function startRetryCountdown(seconds) {
    var until = Date.now() + seconds * 1000;
    function tick() {
      var left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) {
        clearInterval(retryTimer);
        retryTimer = null;
        ui.status.hidden = true;
        updateSendButton();
        return;
      }
      ui.status.textContent = "Too many questions in a short time. You can ask again in " + left + " s.";
    }
    clearInterval(retryTimer);
    retryTimer = setInterval(tick, 1000);
    ui.status.hidden = false;
    tick();
    updateSendButton();
  }

  function setBusy(isBusy) {
    busy = isBusy;
    ui.typing.classList.toggle("shown", isBusy);
    // Filled only while shown, so the status region announces it once per question.
    ui.typing.lastChild.textContent = isBusy ? STRINGS.thinking : "";
    ui.log.setAttribute("aria-busy", String(isBusy));
    updateSendButton();
    if (isBusy) scrollToEnd();
  }

  function updateSendButton() {
    var blocked = busy || retryTimer !== null;
    ui.send.disabled = Boolean(retryTimer);
    ui.send.setAttribute("aria-disabled", String(blocked));
  }

  // ---- rendering -----------------------------------------------------------------------

  function addMessage(message) {
    state.messages.push(message);
    saveState();
    appendMessage(message, true);
  }

  function showNotice(text) {
    // Notices (errors) are shown, not saved: after a reload they would only confuse.
    appendMessage({ from: "notice", text: text }, true);
  }

  function appendMessage(message, isNew) {
    var node;
    if (message.from === "user") node = el("div", "msg user", message.text);
    else if (message.from === "bot") node = renderReply(message, isNew);
    else node = el("div", "msg notice", message.text);
    // Only the latest reply offers buttons, so old choices don't pile up.
    ui.log.querySelectorAll(".choices").forEach(function (old) { old.remove(); });
    ui.log.appendChild(node);
    if (message.from === "bot" && isNew) scrollToMessage(node);
    else scrollToEnd();
  }

  function renderGreeting() {
    ui.log.appendChild(el("div", "msg bot greeting", config.greeting));
  }

  function renderReply(message, isNew) {
    var reply = message.reply;
    var kind = String(reply.kind || "answer");
    var bubble = el("div", "msg bot kind-" + kind.replace(/[^a-z_]/g, ""));
    // Announce an emergency at once; not again when the conversation is restored.
    if (kind === "urgent" && isNew) bubble.setAttribute("role", "alert");
    if (kind === "urgent") renderUrgency(bubble, reply.urgency);
    bubble.appendChild(el("p", "lead", reply.reply));
    if (kind === "urgent") renderCalls(bubble, reply.urgency);
    var answers = Array.isArray(reply.answers) ? reply.answers.slice(0, 3) : [];
    answers.forEach(function (answer) { bubble.appendChild(renderPassage(answer)); });
    if (wantsFeedback(reply)) bubble.appendChild(renderFeedback(message));
    var suggestions = Array.isArray(reply.suggestions) ? reply.suggestions : [];
    if (suggestions.length) {
      var heading = kind === "clarify" ? "Choose one" : "You could also ask";
      bubble.appendChild(renderChoices(heading, suggestions));
    }
    return bubble;
  }

  function renderUrgency(bubble, urgency) {
    var level = urgency && urgency.level === "care_team_now" ? "care_team_now" : "emergency";
    bubble.classList.add("level-" + level);
    bubble.appendChild(el("p", "level", LEVEL_HEADINGS[level]));
  }

  function renderCalls(bubble, urgency) {
    var calls = urgency && Array.isArray(urgency.calls) ? urgency.calls : [];
    var list = el("ul", "calls");
    calls.forEach(function (call) {
      if (!call || typeof call.number !== "string") return;
      var item = el("li", "", String(call.name || "Call") + ": ");
      item.appendChild(telLink(call.number));
      list.appendChild(item);
    });
    if (list.children.length) bubble.appendChild(list);
  }

  function telLink(number) {
    // The number as the bot wrote it, dialled as its digits (and a leading +).
    var link = el("a", "tel", number);
    link.href = "tel:" + number.replace(/[^0-9+]/g, "").replace(/(?!^)\+/g, "");
    return link;
  }

  function renderPassage(answer) {
    var figure = el("figure", "passage");
    var quote = el("blockquote", "quote");
    quote.appendChild(highlightedText(String(answer.text || ""), answer.highlights));
    figure.appendChild(quote);
    if (answer.citation) figure.appendChild(renderCitation(answer.citation, answer.passage_id));
    return figure;
  }

  function highlightedText(text, highlights) {
    // Offsets count Unicode code points (Python's str), not JavaScript's UTF-16 units.
    var chars = Array.from(text);
    var spans = (Array.isArray(highlights) ? highlights : [])
      .filter(function (span) { return Array.isArray(span) && span.length === 2; })
      .map(function (span) { return [Number(span[0]), Number(span[1])]; })
      .sort(function (a, b) { return a[0] - b[0]; });
    var fragment = document.createDocumentFragment();
    var at = 0;
    spans.forEach(function (span) {
      var start = Math.max(span[0], at);
      var end = Math.min(span[1], chars.length);
      if (!(start < end)) return; // overlapping, reversed or out of range: skip
      if (start > at) fragment.append(chars.slice(at, start).join(""));
      fragment.appendChild(el("mark", "", chars.slice(start, end).join("")));
      at = end;
    });
    if (at < chars.length) fragment.append(chars.slice(at).join(""));
    return fragment;
  }

  function renderCitation(citation, passageId) {
    var caption = el("figcaption", "citation", "Source: ");
    var title = String(citation.title || citation.document_id || "clinic document");
    var href = documentLink(citation, passageId);
    var source;
    if (href) {
      source = el("a", "", title);
      source.href = href;
      source.target = "_blank";
      source.rel = "noopener";
    } else {
      source = el("cite", "", title);
    }
    caption.appendChild(source);
    if (citation.section && citation.section !== title) {
      caption.append(" \u2014 " + citation.section);
    }
    return caption;
  }

  function documentLink(citation, passageId) {
    // The document's own page when it has one, else the bot's page of the document,
    // scrolled to the cited passage.
    if (isWebLink(citation.url)) return citation.url;
    if (typeof citation.document_id !== "string" || !citation.document_id) return "";
    var link = config.apiBase + "/documents/" + encodeURIComponent(citation.document_id);
    return typeof passageId === "string" ? link + "#" + encodeURIComponent(passageId) : link;
  }

  function isWebLink(url) {
    // Only http(s): a javascript: or data: URL in a document must never become a link.
    try {
      return typeof url === "string" && /^https?:$/.test(new URL(url).protocol);
    } catch (error) {
      return false;
    }
  }

  function renderChoices(heading, suggestions) {
    var group = el("div", "choices");
    group.setAttribute("role", "group");
    var label = el("p", "choices-label", heading);
    label.id = "faqbot-choices-" + Math.random().toString(36).slice(2);
    group.setAttribute("aria-labelledby", label.id);
    group.appendChild(label);
    suggestions.slice(0, 5).forEach(function (text) {
      var button = el("button", "chip", String(text));
      button.type = "button";
      button.addEventListener("click", function () {
        // This button is about to go away: keep the focus in the chat.
        ui.input.focus({ preventScroll: true });
        sendMessage(String(text));
      });
      group.appendChild(button);
    });
    return group;
  }

  // ---- feedback: was this answer helpful? ---------------------------------------------

  function wantsFeedback(reply) {
    var first = Array.isArray(reply.answers) ? reply.answers[0] : null;
    return reply.kind === "answer" && Boolean(first) && typeof first.passage_id === "string";
  }

  function renderFeedback(message) {
    // Voted already (also before a reload): the note, never the buttons again.
    if (message.feedback) return feedbackNote(message.feedback);
    var group = el("div", "feedback");
    group.setAttribute("role", "group");
    var label = el("p", "feedback-label", STRINGS.feedbackQuestion);
    label.id = "faqbot-feedback-" + Math.random().toString(36).slice(2);
    group.setAttribute("aria-labelledby", label.id);
    group.appendChild(label);
    [true, false].forEach(function (helpful) {
      // Visible "Yes"/"No"; the name says what it means out of context too.
      var button = el("button", "vote", helpful ? "Yes" : "No");
      button.type = "button";
      button.setAttribute("aria-label", helpful ? STRINGS.feedbackYes : STRINGS.feedbackNo);
      button.addEventListener("click", function () { sendFeedback(message, group, helpful); });
      group.appendChild(button);
    });
    return group;
  }

  function feedbackNote(outcome) {
    // Added inside the log, whose polite live region reads it out once.
    return el("p", "feedback-note", FEEDBACK_NOTES[outcome] || FEEDBACK_NOTES.sent);
  }

  async function sendFeedback(message, group, helpful) {
    if (message.feedback) return; // one vote per reply, and no retries
    message.feedback = "sending";
    saveState();
    group.querySelectorAll("button").forEach(function (button) {
      button.setAttribute("aria-disabled", "true");
    });
    var reply = message.reply;
    var outcome = "sent";
    try {
      var response = await postJson("/api/feedback", {
        passage_id: reply.answers[0].passage_id,
        helpful: helpful,
        context: typeof reply.context === "string" ? reply.context : "",
      });
      if (!response.ok) outcome = "failed";
    } catch (error) {
      outcome = "failed"; // unreachable or timed out: said quietly, not retried
    }
    message.feedback = outcome;
    saveState();
    var focused = group.getRootNode().activeElement;
    var hadFocus = Boolean(focused) && group.contains(focused);
    group.replaceWith(feedbackNote(outcome));
    // The focused button has gone: keep the focus in the chat.
    if (hadFocus) ui.input.focus({ preventScroll: true });
  }

  function scrollToEnd() {
    ui.log.scrollTop = ui.log.scrollHeight;
  }

  function scrollToMessage(node) {
    // A long answer is read from its start, not its end: show the question, then it.
    var previous = node.previousElementSibling;
    var anchor = previous && previous.classList.contains("user") ? previous : node;
    ui.log.scrollTop = Math.max(0, anchor.offsetTop - ui.log.offsetTop - 8);
  }

  // ---- phones: keep the input above the on-screen keyboard ------------------------------

  var viewportSheet = null;

  function watchVisualViewport() {
    if (!window.visualViewport) return;
    window.visualViewport.addEventListener("resize", updateViewportHeight);
    window.visualViewport.addEventListener("scroll", updateViewportHeight);
  }

  function updateViewportHeight() {
    // 100dvh ignores the keyboard on iOS; the visual viewport does not.
    if (!window.visualViewport || !viewportSheet) return;
    var viewport = window.visualViewport;
    viewportSheet.replaceSync(
      ":host { --faqbot-viewport-height: " + Math.round(viewport.height) + "px; " +
      "--faqbot-viewport-top: " + Math.round(viewport.offsetTop) + "px; }");
  }

  // ---- styles --------------------------------------------------------------------------

  function adoptStyles(root) {
    var css = stylesheetText();
    if ("adoptedStyleSheets" in root && typeof CSSStyleSheet.prototype.replaceSync === "function") {
      var sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      viewportSheet = new CSSStyleSheet();
      root.adoptedStyleSheets = [sheet, viewportSheet];
    } else {
      // Old browsers: a <style> element works wherever the page's CSP allows it.
      root.appendChild(el("style", "", css));
    }
  }

  function onAccentColour(hex) {
    // White or near-black text on the accent, whichever has the better contrast.
    var full = hex.length === 4 ? "#" + hex[1] + hex[1] + hex[2] + hex[2] + hex[3] + hex[3] : hex;
    var channels = [1, 3, 5].map(function (i) {
      var c = parseInt(full.slice(i, i + 2), 16) / 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var luminance = 0.2126 * channels[0] + 0.7152 * channels[1] + 0.0722 * channels[2];
    return (1.05 / (luminance + 0.05)) >= ((luminance + 0.05) / 0.05) ? "#ffffff" : "#111111";
  }

  function stylesheetText() {
    var side = config.position;
    var onAccent = onAccentColour(config.accent);
    // On white, the accent is used for text only if it is dark enough (WCAG AA 4.5:1).
    var accentText = onAccent === "#ffffff" ? config.accent : "#1d4f91";
    return [
      ":host { all: initial !important; display: block !important; }",
      ":host { --accent: " + config.accent + "; --on-accent: " + onAccent + "; --accent-text: " + accentText + ";",
      "  --ink: #1f2328; --muted: #4d5761; --line: #d0d7de; --paper: #ffffff; --bubble: #f1f3f5; }",
      // `all: initial` cut inheritance from the page; set the base once, then inherit.
      "* { box-sizing: border-box; }",
      ".launcher, .panel { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif;",
      "  font-size: 15px; line-height: 1.45; color: var(--ink); }",
      "[hidden] { display: none !important; }",
      "button, input { font: inherit; color: inherit; }",
      "button { display: inline-flex; align-items: center; justify-content: center; gap: 6px; margin: 0;",
      "  border: 0; cursor: pointer; background: none; }",
      "button:focus-visible, input:focus-visible, a:focus-visible, .log:focus-visible {",
      "  outline: 3px solid var(--accent-text); outline-offset: 2px; }",
      "svg { width: 20px; height: 20px; fill: currentColor; stroke: currentColor; stroke-width: 0; flex: none; }",
      ".launcher { position: fixed; bottom: 20px; " + side + ": 20px; z-index: 2147483000; padding: 12px 18px;",
      "  border-radius: 999px; background: var(--accent); color: var(--on-accent); font-weight: 600;",
      "  box-shadow: 0 4px 14px rgba(0,0,0,.25); }",
      ".launcher:focus-visible { outline-color: var(--ink); outline-offset: 3px; }",
      ".panel { position: fixed; bottom: 84px; " + side + ": 20px; z-index: 2147483001; width: 380px;",
      "  height: min(600px, calc(100vh - 110px)); display: flex; flex-direction: column; background: var(--paper);",
      "  border: 1px solid var(--line); border-radius: 14px; box-shadow: 0 12px 40px rgba(0,0,0,.25); overflow: hidden; }",
      ".header { display: flex; align-items: center; gap: 4px; padding: 10px 10px 10px 16px;",
      "  background: var(--accent); }",
      ".title { flex: 1; margin: 0; font-size: 17px; font-weight: 700; color: var(--on-accent); }",
      ".header .icon-button { color: var(--on-accent); }",
      ".header .icon-button svg { stroke-width: 2; }",
      ".header .icon-button:focus-visible { outline-color: var(--on-accent); outline-offset: -3px; }",
      ".icon-button { width: 40px; height: 40px; border-radius: 8px; }",
      ".icon-button:hover { background: rgba(127,127,127,.18); }",
      ".log { flex: 1; overflow-y: auto; overscroll-behavior: contain; padding: 14px; display: flex;",
      "  flex-direction: column; gap: 10px; }",
      ".msg { max-width: 90%; padding: 9px 12px; border-radius: 12px; overflow-wrap: anywhere; }",
      ".msg.user { align-self: flex-end; background: var(--accent); color: var(--on-accent); border-bottom-right-radius: 4px; }",
      ".msg.bot { align-self: flex-start; background: var(--bubble); border-bottom-left-radius: 4px; }",
      ".msg.notice { align-self: stretch; max-width: none; background: #fff4e5; border: 1px solid #b25e00; }",
      ".msg.kind-urgent { align-self: stretch; max-width: none; background: #fdecea; border: 2px solid #b3261e; }",
      ".msg.kind-urgent .lead { color: #8c1d18; font-weight: 700; font-size: 16px; }",
      ".msg.level-care_team_now { background: #fff4e5; border-color: #b25e00; }",
      ".msg.level-care_team_now .lead, .msg.level-care_team_now .level { color: #7a3e00; }",
      ".level { margin: 0 0 4px; font-size: 13px; font-weight: 700; text-transform: uppercase;",
      "  letter-spacing: .04em; color: #8c1d18; }",
      ".calls { margin: 8px 0 0; padding: 0; list-style: none; display: flex; flex-direction: column; gap: 6px; }",
      ".calls a { display: inline-block; min-height: 44px; line-height: 44px; padding: 0 14px; border-radius: 8px;",
      "  background: #b3261e; color: #fff; font-weight: 700; font-size: 17px; text-decoration: none; }",
      ".msg.level-care_team_now .calls a { background: #7a3e00; }",
      ".calls a:focus-visible { outline: 3px solid #1f2328; outline-offset: 2px; }",
      ".footnote a { color: inherit; font-weight: 600; }",
      ".lead { margin: 0; }",
      ".passage { margin: 10px 0 0; padding: 8px 10px; background: var(--paper); border-left: 3px solid var(--accent);",
      "  border-radius: 6px; }",
      ".quote { margin: 0; white-space: pre-line; }",
      "mark { background: #ffe58a; color: #1f2328; padding: 0 1px; border-radius: 2px; }",
      ".citation { margin-top: 6px; font-size: 13px; color: var(--muted); }",
      ".citation a, .citation cite { font-size: 13px; font-style: normal; font-weight: 600; color: var(--accent-text); }",
      ".citation cite { color: var(--ink); }",
      ".choices { margin-top: 10px; display: flex; flex-wrap: wrap; gap: 6px; }",
      ".choices-label { width: 100%; margin: 0; font-size: 13px; color: var(--muted); }",
      ".chip { padding: 6px 12px; min-height: 36px; border: 1px solid var(--accent-text); border-radius: 999px;",
      "  background: var(--paper); color: var(--accent-text); font-size: 14px; text-align: left; }",
      ".chip:hover { background: #eef3fb; }",
      ".feedback { margin-top: 10px; display: flex; flex-wrap: wrap; align-items: center; gap: 8px; }",
      ".feedback-label, .feedback-note { margin: 0; font-size: 14px; color: var(--muted); }",
      ".feedback-label { margin-right: 4px; }",
      ".feedback-note { margin-top: 10px; }",
      ".vote { min-width: 64px; min-height: 44px; padding: 0 16px; border: 1px solid var(--accent-text);",
      "  border-radius: 999px; background: var(--paper); color: var(--accent-text); font-weight: 600; }",
      ".vote:hover { background: #eef3fb; }",
      ".vote[aria-disabled=true] { cursor: progress; }",
      ".typing { display: none; gap: 4px; align-self: flex-start; margin: 0 14px 10px; padding: 12px 14px;",
      "  background: var(--bubble); border-radius: 12px; border-bottom-left-radius: 4px; }",
      ".typing.shown { display: flex; }",
      ".dot { width: 8px; height: 8px; border-radius: 50%; background: var(--muted); animation: faqbot-blink 1.2s infinite; }",
      ".dot:nth-child(2) { animation-delay: .2s; } .dot:nth-child(3) { animation-delay: .4s; }",
      "@keyframes faqbot-blink { 0%, 80%, 100% { opacity: .25; } 40% { opacity: 1; } }",
      "@media (prefers-reduced-motion: reduce) { .dot { animation: none; } }",
      ".composer { display: flex; gap: 8px; padding: 10px 12px; border-top: 1px solid var(--line); }",
      ".input { flex: 1; min-width: 0; padding: 9px 12px; border: 1px solid #6e7781; border-radius: 10px;",
      "  font-size: 16px; background: var(--paper); }",
      ".input::placeholder { color: #5c6670; opacity: 1; }",
      ".send { width: 44px; height: 44px; border-radius: 10px; background: var(--accent); color: var(--on-accent); }",
      ".send:disabled { background: #8c959f; cursor: not-allowed; }",
      ".status { margin: 0; padding: 0 12px 6px; font-size: 13px; color: #8c1d18; }",
      ".footnote { margin: 0; padding: 0 12px 10px; font-size: 12px; color: var(--muted); }",
      ".visually-hidden { position: absolute; width: 1px; height: 1px; margin: -1px; padding: 0; overflow: hidden;",
      "  clip: rect(0 0 0 0); white-space: nowrap; border: 0; }",
      // Phones, upright or on their side: the panel takes the whole screen.
      "@media (max-width: 480px), (max-height: 480px) {",
      "  .panel { top: var(--faqbot-viewport-top, 0px); left: 0; right: 0; bottom: auto; width: 100%;",
      "    height: 100vh; height: 100dvh; height: var(--faqbot-viewport-height, 100dvh); border: 0; border-radius: 0; }",
      "  :host(.open) .launcher { display: none; }",
      "  .msg { max-width: 95%; }",
      "}",
    ].join("\n");
  }
})();
