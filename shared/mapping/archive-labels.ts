/** Where a field of the archive mapping sits, in words a clerk knows: for messages about a mapping that failed. */
const LABELS: [RegExp, string][] = [
  [/^\/archive\/tittel$/, 'Journalpostens tittel'],
  [/^\/archive\/offentligTittel$/, 'Journalpostens offentlige tittel'],
  [/^\/archive\/korrespondansepart\/(\d+)\/navn$/, 'Navnet til korrespondansepart nr. $1'],
  [/^\/archive\/korrespondansepart\/(\d+)\/(\w+)/, 'Feltet $2 til korrespondansepart nr. $1'],
  [/^\/archive\/part\/(\d+)\/navn$/, 'Navnet til sakspart nr. $1'],
  [/^\/archive\/part\/(\d+)\/(\w+)/, 'Feltet $2 til sakspart nr. $1'],
  [/^\/archive\/beskrivelse$/, 'Journalpostens beskrivelse'],
  [/^\/archive\/dokumenter\/skjemadata\/tittel$/, 'Tittelen på skjemadata-dokumentet'],
  [/^\/archive\/saksmappe\/tittel$/, 'Saksmappens tittel'],
  [/^\/archive\/saksmappe\/offentligTittel$/, 'Saksmappens offentlige tittel'],
  [/^\/archive\/saksmappe\/noekkel$/, 'Saksmappens nøkkel (for å finne saken igjen)'],
  [/^\/archive\/saksmappe\/klassifikasjon\/(\d+)\/klasseID$/, 'Klassifikasjon nr. $1 (klasseID)'],
  [/^\/archive\/saksmappe\/klassifikasjon\/(\d+)\/tittel$/, 'Tittelen på klassifikasjon nr. $1'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/kommunenummer$/, 'Kommunenummeret i matrikkelnummeret'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/gaardsnummer$/, 'Gårdsnummeret'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/bruksnummer$/, 'Bruksnummeret'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/festenummer$/, 'Festenummeret'],
  [/^\/archive\/saksmappe\/matrikkelnummer\/seksjonsnummer$/, 'Seksjonsnummeret'],
  [/^\/archive\/saksmappe\/gbnr\/tittel$/, 'Tittelen på GBNR-klassifikasjonen'],
];

/** What a definition field is, in words a clerk knows (1-based numbers). */
export function archiveLabel(field: string): string {
  for (const [pattern, label] of LABELS) {
    const match = pattern.exec(field);
    if (match) return label.replace(/\$(\d)/g, (_, i) => (i === '1' ? String(Number(match[1]) + 1) : (match[2] ?? '')));
  }
  return `Arkivfeltet ${field}`;
}
