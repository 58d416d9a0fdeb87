/**
 * Which of the background's answers the panel shows.
 *
 * The panel learns its message from the background's reply, while the background broadcasts
 * every answer for every message meanwhile (offline, then final). An answer broadcast between the
 * background's reply and its arrival would be lost, and the older reply would then hold the panel
 * at "analysing…" for good. So answers broadcast while the panel asks are kept, and of two
 * answers for the panel's message the older (by `at`, when it arrived) never replaces the newer.
 */
export class Answers {
  /** show(value) draws one answer. */
  constructor(show) {
    this.show = show;
    this.messageId = null;
    this.asking = false;
    this.early = new Map(); // messageId -> the newest answer broadcast while the panel asked
    this.shownAt = -Infinity;
  }

  /** The panel is about to ask the background which message it shows, and its answer. */
  ask() {
    this.asking = this.messageId === null;
  }

  /** The background's reply: the panel's message (null: none) and its answer then. */
  replied(messageId, value) {
    this.asking = false;
    const broadcast = messageId === null ? undefined : this.early.get(messageId);
    this.early.clear();
    if (messageId === null) return;
    this.messageId = messageId;
    this.offer(value);
    if (broadcast) this.offer(broadcast);
  }

  /** An answer the background broadcast (for any message). */
  broadcast(messageId, value) {
    if (this.asking) this.early.set(messageId, value);
    else if (messageId === this.messageId) this.offer(value);
  }

  offer(value) {
    if (typeof value?.at === "number") {
      if (value.at < this.shownAt) return;
      this.shownAt = value.at;
    }
    this.show(value);
  }
}
