const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

export const durationPattern = /^(\d+)(ms|s|m|h|d|w)$/;

/** "90s", "15m", "36h", "14d", "2w" -> milliseconds. */
export function parseDuration(text: string): number {
  const match = durationPattern.exec(text.trim());
  if (!match) throw new Error(`"${text}" is not a duration: write a number and a unit, e.g. 90s, 15m, 36h, 14d`);
  return Number(match[1]) * (units[match[2] ?? 's'] ?? 1000);
}
