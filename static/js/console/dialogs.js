/* dialogs.js — modal dialogs of the console: open/close, and a yes/no confirmation. */
import { t, $, replace } from "../lib/dom.js";

export function openDialog(d) {
  d.querySelectorAll(".dialog-alerts").forEach((a) => { replace(a, []); });
  if (!d.open) d.showModal();
}
export function closeDialog(d) { if (d.open) d.close(); }

export function confirmDialog(title, text, okLabel) {
  const d = $("confirm-dialog");
  $("confirm-title").textContent = title;
  $("confirm-text").textContent = text;
  $("confirm-ok").textContent = okLabel || t("confirm");
  openDialog(d);
  $("confirm-cancel").focus();
  return new Promise((resolve) => {
    function done(value) {
      $("confirm-form").removeEventListener("submit", onOk);
      $("confirm-cancel").removeEventListener("click", onCancel);
      d.removeEventListener("cancel", onCancel);
      closeDialog(d);
      resolve(value);
    }
    function onOk(e) { e.preventDefault(); done(true); }
    function onCancel(e) { if (e) e.preventDefault(); done(false); }
    $("confirm-form").addEventListener("submit", onOk);
    $("confirm-cancel").addEventListener("click", onCancel);
    d.addEventListener("cancel", onCancel);
  });
}

/** A form dialog "<name>-dialog": its cancel button closes it, onClose runs when it closes, onSubmit(e, d) on submit.
 * With isDirty(), Escape or "Cancel" on a form holding unsaved typing asks before throwing it away. */
export function formDialog(name, onClose, onSubmit, isDirty) {
  const d = $(name + "-dialog");
  let asking = false;
  function leave(e) {
    if (e) e.preventDefault();
    if (asking) return;
    if (!isDirty || !isDirty()) { closeDialog(d); return; }
    asking = true;
    confirmDialog(t("discard_title"), t("discard_text"), t("discard_ok")).then((yes) => {
      asking = false;
      if (yes) closeDialog(d);
    });
  }
  $(name + "-cancel").addEventListener("click", () => leave());
  d.addEventListener("cancel", leave);
  d.addEventListener("close", onClose);
  $(name + "-form").addEventListener("submit", (e) => { e.preventDefault(); onSubmit(d); });
  return d;
}
