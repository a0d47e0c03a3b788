/* widgets.js — small pieces every page shows: the connection badge, a countdown, the projector kept awake. */
import { t } from "./dom.js";

/** Wire a status element: text + data-state attribute, announced politely. */
export function statusBadge(el) {
  return function (s) {
    if (!el) return;
    el.dataset.state = s;
    el.textContent = t("status_" + s);
  };
}

/** mm:ss countdown of a round timer; calls render(text|null, secondsLeft) every second. */
export function ticker(render) {
  let endsAt = null, handle = null;
  function tick() {
    if (!endsAt) { render(null, null); return; }
    const left = Math.max(0, Math.round((endsAt - Date.now()) / 1000));
    const m = Math.floor(left / 60), s = left % 60;
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

/** A short visual pulse on el (the end of a countdown, without sound); none where motion is reduced (base.css). */
export function pulse(el) {
  if (!el) return;
  el.classList.remove("time-up-pulse");
  void el.offsetWidth;  // restart the animation
  el.classList.add("time-up-pulse");
  el.addEventListener("animationend", () => el.classList.remove("time-up-pulse"), { once: true });
}

/** Ask the laptop not to dim the projector (where the browser allows it; silently otherwise). */
export function keepAwake() {
  if (!navigator.wakeLock || !navigator.wakeLock.request) return;
  const ask = () => {
    if (document.visibilityState === "visible") navigator.wakeLock.request("screen").catch(() => {});
  };
  ask();
  document.addEventListener("visibilitychange", ask);
}
