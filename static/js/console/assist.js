/* assist.js — the grouping assistant's UI (suggested themes, duplicates). A stub: another module fills it in.
 * The board (board.js) and the wall (wall.js) call these on every render and place what they return:
 *   assistPanel(r)             → Element|null  at the top of the unsorted pane (define) and above the idea wall (diverge)
 *   assistIdeaChip(r, idea)    → Element|null  inside each unsorted idea card (define)
 *   assistDuplicateChip(r, idea) → Element|null inside each idea card (diverge)
 * Cards are reused between renders (keyed by idea); only these slots are refreshed each time, so a chip
 * may return a new element or the same one. */

export function assistPanel(r) { return null; }
export function assistIdeaChip(r, idea) { return null; }
export function assistDuplicateChip(r, idea) { return null; }
