const osloParts = new Intl.DateTimeFormat('en-CA', {
  timeZone: 'Europe/Oslo',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'longOffset',
});

/** A moment as Norwegian local time: { date: 'YYYY-MM-DD', dateTime: RFC 3339 with the Oslo offset }. */
export function osloTime(moment: string | Date): { date: string; dateTime: string } {
  const parts = Object.fromEntries(osloParts.formatToParts(new Date(moment)).map((p) => [p.type, p.value]));
  const offset = (parts.timeZoneName ?? 'GMT').replace('GMT', '') || '+00:00';
  const date = `${parts.year}-${parts.month}-${parts.day}`;
  return { date, dateTime: `${date}T${parts.hour}:${parts.minute}:${parts.second}${offset}` };
}
