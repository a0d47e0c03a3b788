/* connection.js — the Socket.IO connection every page shares (docs/protocol.md).
 *
 * - one connection, authenticated in `auth`;
 * - a connection state (connecting / connected / reconnecting / offline) shown to the user;
 * - an outbox: every write gets an op_id, is kept in localStorage until the
 *   server acknowledges it, and is resent after a reconnection or a reload —
 *   the server applies an op_id once, so resending is always safe; a refusal that
 *   only says "not now" (`too_fast`, `busy`, with `retry_after`) keeps it queued and sends
 *   it again when the server says — a long outage never loses what was typed;
 * - pacing: every write keeps its creation time (`at`) and the outbox sends in that
 *   order; a write the server limits (options.pace: ideas, actions) goes no faster
 *   than the server's rate (`rules.idea_rate` in the snapshot), counting what was
 *   already accepted in the window, so an outage does not end in a burst of refusals;
 *   one still refused "not now" MAX_DEFERRALS times is answered as refused for good
 *   (the page keeps its text in a "not sent" list);
 * - after every (re)connection, a snapshot rebuilds the view (asked again if it does not come).
 */
import { t, storage } from "./dom.js";

const ACK_TIMEOUT = 10000;
/** Refusals that mean "later", not "no": the write stays in the outbox and goes again after retry_after. */
const TRANSIENT = { too_fast: true, busy: true };
const SNAPSHOT_RETRY = 5000;
/** A write refused "not now" this many times, despite the pacing, is given back to the page as refused. */
const MAX_DEFERRALS = 3;

export function newOpId() {
  if (window.crypto && window.crypto.randomUUID) return window.crypto.randomUUID();
  const bytes = new Uint8Array(16);
  (window.crypto || window.msCrypto).getRandomValues(bytes);
  return Array.prototype.map.call(bytes, (b) => ("0" + b.toString(16)).slice(-2)).join("");
}

/** A persistent list of writes not yet acknowledged. */
class Outbox {
  constructor(key) { this.key = key; this.items = []; this.load(); }
  /* Re-read before every change: two tabs of the same phone share the list. */
  load() {
    const raw = this.key && storage() && storage().getItem(this.key);
    if (!raw) return;
    try { this.items = JSON.parse(raw) || []; } catch (e) { /* keep what we have */ }
  }
  save() {
    const s = storage();
    if (!s || !this.key) return; // no key: kept in memory only
    if (this.items.length) s.setItem(this.key, JSON.stringify(this.items));
    else s.removeItem(this.key);
  }
  add(item) { this.load(); this.items.push(item); this.save(); }
  remove(opId) {
    this.load();
    this.items = this.items.filter((i) => i.payload.op_id !== opId);
    this.save();
  }
}

function failure(answer) { return (answer && answer.error) || { code: "error", message: t("error_generic") }; }

/**
 * connect(options) -> live
 *   options.auth        function() -> Socket.IO auth object (code/token/facilitator_token/role/lang)
 *   options.outboxKey   localStorage key of this client's outbox (null: no persistence)
 *   options.onConnect   function() — connected, the snapshot is on its way
 *   options.onSnapshot  function(data) — the snapshot after every (re)connection
 *   options.onStatus    function(state) — "connecting" | "connected" | "reconnecting" | "offline"
 *   options.onRefused   function(error) — the server refused the connection (error.code)
 *   options.onOutbox    function(items) — the pending writes changed
 *   options.onDelivered function(item, answer) — any queued write answered (also ones restored after a reload)
 *   options.onDeferred  function(item, error, seconds) — a write refused for now (or held back by the
 *                       pacing: error.code "paced"), sent again in `seconds`
 *   options.pace        function(event) -> {limit, window} | null — the server's rate for this kind of write
 *   options.events      {event: handler} for server broadcasts
 */
export function connect(options) {
  const outbox = new Outbox(options.outboxKey || null);
  let inflight = {};
  const deferredUntil = {}; // op_id -> when the server said it may be sent again
  const deferrals = {}; // op_id -> how many times the server said "not now"
  const acceptedAt = {}; // event -> when the server accepted its recent writes (ms), for the pacing
  const holdUntil = {}; // event -> no write of it before then (the server said "not now")
  let paceTimer = null;
  const waiters = {};
  let state = "connecting";
  let snapshotTimer = null;
  const socket = window.io({
    auth: (cb) => cb(options.auth()),
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
  function queued(opId) { return outbox.items.some((i) => i.payload.op_id === opId); }

  function deliver(item) {
    const opId = item.payload.op_id;
    if (inflight[opId] || !socket.connected) return;
    inflight[opId] = true;
    socket.timeout(ACK_TIMEOUT).emit(item.event, item.payload, (err, answer) => {
      delete inflight[opId];
      if (err) {
        // No answer in time: it stays in the outbox; try again (same op_id, applied once).
        setTimeout(() => { if (queued(opId)) deliver(item); }, 2000);
        return;
      }
      const error = answer && !answer.ok ? failure(answer) : null;
      if (error && TRANSIENT[error.code] && (deferrals[opId] || 0) < MAX_DEFERRALS) {
        deferrals[opId] = (deferrals[opId] || 0) + 1;
        const seconds = Math.max(1, Math.min(300, Number((error.params || {}).retry_after) || 5));
        deferredUntil[opId] = Date.now() + seconds * 1000;
        holdUntil[item.event] = Math.max(holdUntil[item.event] || 0, deferredUntil[opId]);
        if (options.onDeferred) options.onDeferred(item, error, seconds);
        setTimeout(() => { if (queued(opId)) flush(); }, seconds * 1000 + Math.floor(Math.random() * 500));
        return;
      }
      delete deferrals[opId];
      if (!error && rate(item.event)) (acceptedAt[item.event] = acceptedAt[item.event] || []).push(Date.now());
      outbox.remove(opId);
      outboxChanged();
      if (options.onDelivered) options.onDelivered(item, answer);
      const waiter = waiters[opId];
      delete waiters[opId];
      if (!waiter) return;
      if (answer && answer.ok) waiter.resolve(answer.data);
      else waiter.reject(failure(answer));
    });
  }

  function deferred(item) { return (deferredUntil[item.payload.op_id] || 0) > Date.now(); }
  function rate(event) {
    const r = options.pace ? options.pace(event) : null;
    return r && r.limit > 0 && r.window > 0 ? r : null;
  }
  /** How long the pacing holds a write of `event` back (ms; 0: it may go now), given `taken` slots of this flush. */
  function paceWait(event, taken) {
    const r = rate(event);
    if (!r) return 0;
    const now = Date.now(), windowMs = r.window * 1000;
    const recent = (acceptedAt[event] || []).filter((at) => at > now - windowMs);
    acceptedAt[event] = recent;
    if ((holdUntil[event] || 0) > now) return holdUntil[event] - now;
    if (recent.length + taken < r.limit) return 0;
    // the window frees a slot when its oldest accepted write grows older than the window
    return Math.max(250, (recent[0] || now) + windowMs - now);
  }
  /** Send what waits, oldest first, at the server's pace; what must wait is sent by a timer. */
  function flush() {
    if (!socket.connected) return;
    const items = outbox.items.slice().sort((a, b) => (a.at || 0) - (b.at || 0));
    const taken = {}, wait = {};
    items.forEach((item) => {
      if (deferred(item) || inflight[item.payload.op_id]) {
        if (inflight[item.payload.op_id]) taken[item.event] = (taken[item.event] || 0) + 1;
        return;
      }
      if (wait[item.event] === undefined) {
        const ms = paceWait(item.event, taken[item.event] || 0);
        if (ms > 0) { wait[item.event] = ms; if (options.onDeferred) options.onDeferred(item, { code: "paced" }, Math.ceil(ms / 1000)); }
      }
      if (wait[item.event] !== undefined) return; // keeps its place: later ones of this kind wait too
      taken[item.event] = (taken[item.event] || 0) + 1;
      deliver(item);
    });
    const soonest = Object.keys(wait).reduce((m, e) => Math.min(m, wait[e]), Infinity);
    if (soonest < Infinity) {
      clearTimeout(paceTimer);
      paceTimer = setTimeout(flush, soonest + 50);
    }
  }

  /** The snapshot; when it does not come back, asked again while connected (the view must recover alone). */
  function askSnapshot(first) {
    clearTimeout(snapshotTimer);
    if (!socket.connected) return;
    socket.timeout(ACK_TIMEOUT).emit("snapshot", {}, (err, answer) => {
      if (!err && answer && answer.ok) {
        if (options.onSnapshot) options.onSnapshot(answer.data);
      } else {
        snapshotTimer = setTimeout(() => askSnapshot(false), SNAPSHOT_RETRY);
      }
      if (first) flush();
    });
  }

  socket.on("connect", () => {
    inflight = {}; // whatever was on the wire before is resent: the server dedupes by op_id
    if (options.onConnect) options.onConnect();
    setState("connected");
    askSnapshot(true);
  });
  socket.on("disconnect", () => { setState(navigator.onLine === false ? "offline" : "reconnecting"); });
  socket.on("connect_error", (err) => {
    if (err && err.data && err.data.code === "too_fast") {
      // Too many phones opening connections from this address at once (a hall behind one NAT):
      // not a refusal of this person — connect again when the server says, with some spread.
      const seconds = Math.max(1, Math.min(60, Number((err.data.params || {}).retry_after) || 2));
      setState("reconnecting");
      setTimeout(() => { if (!socket.connected) socket.connect(); }, seconds * 1000 + Math.floor(Math.random() * 2000));
      return;
    }
    if (err && err.data && err.data.code) {
      if (options.onRefused) options.onRefused(err.data);
      return;
    }
    setState(navigator.onLine === false ? "offline" : "reconnecting");
  });
  window.addEventListener("offline", () => { setState("offline"); });
  window.addEventListener("online", () => {
    if (!socket.connected) { setState("reconnecting"); socket.connect(); }
  });
  // A phone waking from sleep: reconnect at once instead of waiting for the back-off.
  document.addEventListener("visibilitychange", () => {
    if (document.visibilityState === "visible" && !socket.connected) socket.connect();
  });
  Object.keys(options.events || {}).forEach((name) => { socket.on(name, options.events[name]); });

  return {
    socket: socket,
    /** Send a write through the outbox; resolves with the ack data, rejects with the server's error. */
    send(event, payload) {
      payload = Object.assign({}, payload || {}, { op_id: newOpId() });
      // `at`: when it was written (kept across reloads), the order and the pace it is resent in
      const item = { event: event, payload: payload, at: Date.now(), offline: !socket.connected };
      const promise = new Promise((resolve, reject) => { waiters[payload.op_id] = { resolve: resolve, reject: reject }; });
      outbox.add(item);
      outboxChanged();
      flush();
      return promise;
    },
    /** A read (not queued): resolves with data or rejects with the error. */
    ask(event, payload) {
      return new Promise((resolve, reject) => {
        socket.timeout(ACK_TIMEOUT).emit(event, payload || {}, (err, answer) => {
          if (err) return reject({ code: "timeout", message: t("error_timeout") });
          if (answer && answer.ok) resolve(answer.data);
          else reject(failure(answer));
        });
      });
    },
    pending() { return outbox.items.slice(); },
    state() { return state; },
    reconnect() { socket.disconnect(); socket.connect(); },
    close() { socket.disconnect(); }
  };
}
