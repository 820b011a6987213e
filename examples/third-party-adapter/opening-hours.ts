import { WEEKDAYS, type BusinessHoursParams } from './params.js';

const MINUTE_MS = 60_000;
const DAY_MS = 24 * 60 * MINUTE_MS;

/** Opening hours compiled from the params: days as numbers, times as minutes. */
export class OpeningHours {
  private constructor(
    private readonly days: ReadonlySet<number>,
    private readonly opensMinute: number,
    private readonly closesMinute: number,
    private readonly offsetMinutes: number,
  ) {}

  static fromParams(params: BusinessHoursParams): OpeningHours {
    return new OpeningHours(
      new Set(params.days.map((day) => WEEKDAYS.indexOf(day))),
      clockMinutes(params.opens),
      clockMinutes(params.closes),
      offsetMinutes(params.utcOffset),
    );
  }

  /** Whether the service is open at `timeMs` (milliseconds since the epoch). */
  isOpen(timeMs: number): boolean {
    const local = timeMs + this.offsetMinutes * MINUTE_MS;
    const day = Math.floor(local / DAY_MS);
    const weekday = (((day + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday
    const minute = Math.floor((local - day * DAY_MS) / MINUTE_MS);
    return this.days.has(weekday) && minute >= this.opensMinute && minute < this.closesMinute;
  }

  /** Milliseconds until isOpen() next changes (Infinity if it never does). */
  msUntilChange(timeMs: number): number {
    const open = this.isOpen(timeMs);
    const localDay = Math.floor((timeMs + this.offsetMinutes * MINUTE_MS) / DAY_MS);
    for (let day = localDay; day <= localDay + 8; day++) {
      for (const minute of [this.opensMinute, this.closesMinute]) {
        const instant = day * DAY_MS + (minute - this.offsetMinutes) * MINUTE_MS;
        if (instant > timeMs && this.isOpen(instant) !== open) return instant - timeMs;
      }
    }
    return Number.POSITIVE_INFINITY;
  }
}

/** `HH:MM` → minutes since midnight. */
export function clockMinutes(text: string): number {
  const [hours = 0, minutes = 0] = text.split(':').map(Number);
  return hours * 60 + minutes;
}

/** `+HH:MM` / `-HH:MM` → signed minutes. */
function offsetMinutes(text: string): number {
  const minutes = clockMinutes(text.slice(1));
  return text.startsWith('-') ? -minutes : minutes;
}
