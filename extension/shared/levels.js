/**
 * How each verdict level looks: a symbol or word on the badge (never colour alone), a colour,
 * and the message key of the level's name for titles that screen readers announce.
 */

export const LEVELS = Object.freeze({
  safe: { badge: "✓", color: "#2f855a", key: "levelSafe", rank: 0 },
  caution: { badge: "?", color: "#b7791f", key: "levelCaution", rank: 1 },
  suspicious: { badge: "!", color: "#dd6b20", key: "levelSuspicious", rank: 2 },
  dangerous: { badge: "!!", color: "#c53030", key: "levelDangerous", rank: 3 },
  unknown: { badge: "–", color: "#718096", key: "levelUnknown", rank: -1 },
  pending: { badge: "…", color: "#718096", key: "levelPending", rank: -1 },
  error: { badge: "×", color: "#4a5568", key: "levelError", rank: -1 },
});

export function levelInfo(level) {
  return LEVELS[level] || LEVELS.unknown;
}

/** Tags the add-on owns, by level. Keys follow Thunderbird's rules (lower case, no spaces). */
export const TAGS = Object.freeze({
  dangerous: { key: "whence_dangerous", color: "#C53030", nameKey: "tagDangerous" },
  suspicious: { key: "whence_suspicious", color: "#DD6B20", nameKey: "tagSuspicious" },
});
