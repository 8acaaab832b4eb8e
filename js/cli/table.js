'use strict';
// table.js: plain-text columns and human durations for CLI output.

/** columns: rows (arrays of strings) padded into aligned columns, two spaces apart. */
function columns(rows) {
  const widths = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] || 0, String(cell).length)));
  return rows.map((row) => row.map((cell, i) => (i === row.length - 1 ? String(cell) : String(cell).padEnd(widths[i]))).join('  ').trimEnd());
}

/** duration: seconds as "45 s", "12 min", "5 h", "59 days". */
function duration(seconds) {
  const s = Math.abs(Math.round(seconds));
  if (s < 90) return `${s} s`;
  if (s < 90 * 60) return `${Math.round(s / 60)} min`;
  if (s < 48 * 3600) return `${Math.round(s / 3600)} h`;
  return `${Math.round(s / 86400)} days`;
}

/** expiry: "in 59 days", "expired 2 h ago", or "-" for unknown (0). */
function expiry(expiresAt, now = Date.now() / 1000) {
  if (!expiresAt) return '-';
  const left = expiresAt - now;
  return left >= 0 ? `in ${duration(left)}` : `expired ${duration(left)} ago`;
}

module.exports = { columns, duration, expiry };
