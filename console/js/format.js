/** Norwegian words and formats for what the API returns. */

export const STATUS_LABEL = {
  PENDING: 'Venter',
  QUEUED: 'I kø',
  SENT: 'Sendt',
  RETRYING: 'Prøver igjen',
  DELIVERED: 'Levert',
  FAILED: 'Feilet',
  RESOLVED: 'Lukket',
};

export const STATUS_HELP = {
  PENDING: 'Venter på en annen leveranse (arkivet først)',
  QUEUED: 'Ligger i kø for levering',
  SENT: 'Sendt til mottakeren; venter på kvittering',
  RETRYING: 'Et forsøk feilet; nytt forsøk kommer automatisk',
  DELIVERED: 'Levert til mottakeren',
  FAILED: 'Ga opp: trenger en person',
  RESOLVED: 'Lukket av en person',
};

const dateTime = new Intl.DateTimeFormat('nb-NO', {
  dateStyle: 'short',
  timeStyle: 'medium',
  timeZone: 'Europe/Oslo',
});

export function formatTime(iso) {
  if (!iso) return '–';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTime.format(date);
}

/** "3 t 5 min", "2 d 4 t", "under ett minutt" */
export function formatDuration(ms) {
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 1) return 'under ett minutt';
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const rest = minutes % 60;
  if (days > 0) return `${days} d ${hours} t`;
  if (hours > 0) return `${hours} t ${rest} min`;
  return `${rest} min`;
}

export function formatCount(n) {
  return new Intl.NumberFormat('nb-NO').format(n);
}
