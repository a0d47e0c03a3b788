/* live.js — the shared real-time client of the three screens (no framework).
 *
 * - one Socket.IO connection, authenticated in `auth` (docs/protocol.md);
 * - a connection state (connected / reconnecting / offline) shown to the user;
 * - an outbox: every write gets an op_id, is kept in localStorage until the
 *   server acknowledges it, and is resent after a reconnection or a reload —
 *   the server applies an op_id once, so resending is always safe;
 * - after every (re)connection, a snapshot rebuilds the view.
 */
(function () {
  "use strict";

  var ACK_TIMEOUT = 10000;

  function readJSON(id) {
    var el = document.getElementById(id);
    return el ? JSON.parse(el.textContent) : {};
  }

  var PAGE = readJSON("page-data");
  var STRINGS = PAGE.strings || {};

  /** Translated string by key; %(name)s placeholders filled from params. */
  function t(key, params) {
    var s = STRINGS[key] || key;
    if (params) {
      s = s.replace(/%\((\w+)\)s/g, function (_, name) {
        return params[name] === undefined ? "" : String(params[name]);
      });
    }
    return s;
  }

  function newOpId() {
    if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
    var bytes = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  /** Tiny DOM builder: h("button", {class: "x", onclick: fn}, "text", child). Text is never parsed as HTML. */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        var v = attrs[k];
        if (v === null || v === undefined || v === false) return;
        if (k.slice(0, 2) === "on" && typeof v === "function") el.addEventListener(k.slice(2), v);
        else if (k === "class") el.className = v;
        else if (k === "text") el.textContent = v;
        else if (k === "dataset") Object.keys(v).forEach(function (d) { el.dataset[d] = v[d]; });
        else if (v === true) el.setAttribute(k, "");
        else el.setAttribute(k, v);
      });
    }
    for (var i = 2; i < arguments.length; i++) {
      var c = arguments[i];
      if (c === null || c === undefined || c === false) continue;
      if (Array.isArray(c)) c.forEach(function (x) { if (x) el.appendChild(typeof x === "string" ? document.createTextNode(x) : x); });
      else el.appendChild(typeof c === "string" || typeof c === "number" ? document.createTextNode(String(c)) : c);
    }
    return el;
  }

  function storage() {
    try { return window.localStorage; } catch (e) { return null; }
  }

  /** A persistent list of writes not yet acknowledged. */
  function Outbox(key) {
    this.key = key;
    this.items = [];
    this.load();
  }
  /* Re-read before every change: two tabs of the same phone share the list. */
  Outbox.prototype.load = function () {
    var raw = this.key && storage() && storage().getItem(this.key);
    if (!raw) return;
    try { this.items = JSON.parse(raw) || []; } catch (e) { /* keep what we have */ }
  };
  Outbox.prototype.save = function () {
    var s = storage();
    if (!s || !this.key) return; // no key: kept in memory only
    if (this.items.length) s.setItem(this.key, JSON.stringify(this.items));
    else s.removeItem(this.key);
  };
  Outbox.prototype.add = function (item) { this.load(); this.items.push(item); this.save(); };
  Outbox.prototype.remove = function (opId) {
    this.load();
    this.items = this.items.filter(function (i) { return i.payload.op_id !== opId; });
    this.save();
  };

  /**
   * Live.connect(options) -> live
   *   options.auth        Socket.IO auth object (code/token/facilitator_token/role/lang)
   *   options.outboxKey   localStorage key of this client's outbox (null: no persistence)
   *   options.onSnapshot  function(data) — called after every (re)connection
   *   options.onStatus    function(state) — "connecting" | "connected" | "reconnecting" | "offline"
   *   options.onRefused   function(error) — the server refused the connection (error.code)
   *   options.onOutbox    function(items) — the pending writes changed
   *   options.onDelivered function(item, answer) — any queued write answered (also ones restored after a reload)
   *   options.events      {event: handler} for server broadcasts
   */
  function connect(options) {
    var outbox = new Outbox(options.outboxKey || null);
    var inflight = {};
    var waiters = {};
    var state = "connecting";
    var socket = window.io({
      auth: function (cb) { cb(options.auth()); },
      transports: ["websocket", "polling"],
      reconnectionDelay: 500,
      reconnectionDelayMax: 5000,
      timeout: 10000
    });

    function setState(s) {
      if (state === s) return;
      state = s;
      if (options.onStatus) options.onStatus(s);
    }
    function outboxChanged() { if (options.onOutbox) options.onOutbox(outbox.items.slice()); }

    function deliver(item) {
      var opId = item.payload.op_id;
      if (inflight[opId] || !socket.connected) return;
      inflight[opId] = true;
      socket.timeout(ACK_TIMEOUT).emit(item.event, item.payload, function (err, answer) {
        delete inflight[opId];
        if (err) {
          // No answer in time: it stays in the outbox; try again (same op_id, applied once).
          setTimeout(function () { if (outbox.items.some(function (i) { return i.payload.op_id === opId; })) deliver(item); }, 2000);
          return;
        }
        outbox.remove(opId);
        outboxChanged();
        if (options.onDelivered) options.onDelivered(item, answer);
        var waiter = waiters[opId];
        delete waiters[opId];
        if (!waiter) return;
        if (answer && answer.ok) waiter.resolve(answer.data);
        else waiter.reject((answer && answer.error) || { code: "error", message: t("error_generic") });
      });
    }

    function flush() { outbox.items.slice().forEach(deliver); }

    socket.on("connect", function () {
      inflight = {}; // whatever was on the wire before is resent: the server dedupes by op_id
      setState("connected");
      socket.timeout(ACK_TIMEOUT).emit("snapshot", {}, function (err, answer) {
        if (!err && answer && answer.ok && options.onSnapshot) options.onSnapshot(answer.data);
        flush();
      });
    });
    socket.on("disconnect", function () { setState(navigator.onLine === false ? "offline" : "reconnecting"); });
    socket.on("connect_error", function (err) {
      if (err && err.data && err.data.code) {
        if (options.onRefused) options.onRefused(err.data);
        return;
      }
      setState(navigator.onLine === false ? "offline" : "reconnecting");
    });
    window.addEventListener("offline", function () { setState("offline"); });
    window.addEventListener("online", function () {
      if (!socket.connected) { setState("reconnecting"); socket.connect(); }
    });
    // A phone waking from sleep: reconnect at once instead of waiting for the back-off.
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "visible" && !socket.connected) socket.connect();
    });
    Object.keys(options.events || {}).forEach(function (name) { socket.on(name, options.events[name]); });

    return {
      socket: socket,
      /** Send a write through the outbox; resolves with the ack data, rejects with the server's error. */
      send: function (event, payload) {
        payload = Object.assign({}, payload || {}, { op_id: newOpId() });
        var item = { event: event, payload: payload, at: Date.now() };
        var promise = new Promise(function (resolve, reject) { waiters[payload.op_id] = { resolve: resolve, reject: reject }; });
        outbox.add(item);
        outboxChanged();
        deliver(item);
        return promise;
      },
      /** A read (not queued): resolves with data or rejects with the error. */
      ask: function (event, payload) {
        return new Promise(function (resolve, reject) {
          socket.timeout(ACK_TIMEOUT).emit(event, payload || {}, function (err, answer) {
            if (err) return reject({ code: "timeout", message: t("error_timeout") });
            if (answer && answer.ok) resolve(answer.data);
            else reject((answer && answer.error) || { code: "error", message: t("error_generic") });
          });
        });
      },
      pending: function () { return outbox.items.slice(); },
      state: function () { return state; },
      reconnect: function () { socket.disconnect(); socket.connect(); },
      close: function () { socket.disconnect(); }
    };
  }

  /** Wire a status element: text + data-state attribute, announced politely. */
  function statusBadge(el) {
    return function (s) {
      if (!el) return;
      el.dataset.state = s;
      el.textContent = t("status_" + s);
    };
  }

  /** mm:ss countdown of a round timer; calls render(text|null, secondsLeft) every second. */
  function ticker(render) {
    var endsAt = null, handle = null;
    function tick() {
      if (!endsAt) { render(null, null); return; }
      var left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
      var m = Math.floor(left / 60), s = left % 60;
      render(m + ":" + (s < 10 ? "0" : "") + s, left);
      if (left === 0 && handle) { clearInterval(handle); handle = null; }
    }
    return function setTimer(timer) {
      // Use the server's remaining seconds, not its clock: phones' clocks drift.
      endsAt = timer && timer.remaining !== null && timer.remaining !== undefined ? Date.now() + timer.remaining * 1000 : null;
      if (handle) { clearInterval(handle); handle = null; }
      tick();
      if (endsAt) handle = setInterval(tick, 1000);
    };
  }

  /** Ask the laptop not to dim the projector (where the browser allows it; silently otherwise). */
  function keepAwake() {
    if (!navigator.wakeLock || !navigator.wakeLock.request) return;
    var ask = function () {
      if (document.visibilityState === "visible") navigator.wakeLock.request("screen").catch(function () {});
    };
    ask();
    document.addEventListener("visibilitychange", ask);
  }

  // The phases of a round and which vote each one holds (workshop/domain/phases.py).
  var PHASES = ["lobby", "diverge", "define", "converge", "closed"];
  var VOTE_PHASE = { theme: "define", action: "converge" };

  window.Live = { PHASES: PHASES, VOTE_PHASE: VOTE_PHASE, connect: connect, t: t, h: h, page: PAGE, newOpId: newOpId, statusBadge: statusBadge, ticker: ticker, keepAwake: keepAwake };
})();
