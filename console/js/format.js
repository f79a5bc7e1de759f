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

/** "1 leveranse", "2 leveranser" */
export function plural(n, one, many) {
  return `${formatCount(n)} ${n === 1 ? one : many}`;
}

/**
 * Dates typed as text, the Norwegian way (dd.mm.åååå), so the field looks the same in every browser and locale
 * (a native date field shows mm/dd/yyyy in some). ISO (åååå-mm-dd) is accepted too. Returns åååå-mm-dd, or null.
 */
export function parseDateInput(text) {
  const value = String(text ?? '').trim();
  let y;
  let m;
  let d;
  const norwegian = /^(\d{1,2})\.(\d{1,2})\.(\d{4})$/.exec(value);
  const iso = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (norwegian) [, d, m, y] = norwegian;
  else if (iso) [, y, m, d] = iso;
  else return null;
  const date = new Date(Date.UTC(Number(y), Number(m) - 1, Number(d)));
  if (date.getUTCFullYear() !== Number(y) || date.getUTCMonth() !== Number(m) - 1 || date.getUTCDate() !== Number(d)) {
    return null;
  }
  return date.toISOString().slice(0, 10);
}

/** åååå-mm-dd as dd.mm.åååå (anything else as it is). */
export function formatDateInput(iso) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso ?? '');
  return match ? `${match[3]}.${match[2]}.${match[1]}` : (iso ?? '');
}

export function formatBytes(n) {
  if (n < 1024) return `${formatCount(n)} byte`;
  if (n < 1024 * 1024) return `${formatCount(Math.round(n / 1024))} kB`;
  return `${new Intl.NumberFormat('nb-NO', { maximumFractionDigits: 1 }).format(n / 1024 / 1024)} MB`;
}

/** The causes of failures (failure codes), in words staff use. */
export const CAUSE_LABEL = {
  'mapping-failed': 'Verdier i skjemaet passer ikke mottakerens format',
  'record-format': 'Arkivformatet kan ikke uttrykke innsendingen',
  'xsd-invalid': 'Arkivmeldingen ble ikke gyldig',
  'target-rejected': 'Mottakeren avviste innsendingen',
  'target-server-error': 'Feil hos mottakeren',
  'target-unavailable': 'Mottakeren var ikke tilgjengelig',
  'target-redirected': 'Mottakerens adresse er flyttet',
  'auth-refused': 'Mottakeren godtok ikke påloggingen',
  'configuration-missing': 'Oppsettet er ufullstendig',
  'receipt-overdue': 'Ingen kvittering fra mottakeren',
  internal: 'Uventet feil i Skjemaflyt',
};
