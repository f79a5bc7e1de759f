/**
 * The Fiks Arkiv V1 code lists (schemas/fiks-arkiv-v1/kodelister, vendored as published): the one source of the
 * codes a mapping definition or configuration may use, and of their descriptions.
 */
import dokumentstatus from '../../schemas/fiks-arkiv-v1/kodelister/dokumentstatus.json' with { type: 'json' };
import dokumenttype from '../../schemas/fiks-arkiv-v1/kodelister/dokumenttype.json' with { type: 'json' };
import journalposttype from '../../schemas/fiks-arkiv-v1/kodelister/journalposttype.json' with { type: 'json' };
import journalstatus from '../../schemas/fiks-arkiv-v1/kodelister/journalstatus.json' with { type: 'json' };
import korrespondanseparttype from '../../schemas/fiks-arkiv-v1/kodelister/korrespondanseparttype.json' with {
  type: 'json',
};
import partrolle from '../../schemas/fiks-arkiv-v1/kodelister/partrolle.json' with { type: 'json' };
import saksstatus from '../../schemas/fiks-arkiv-v1/kodelister/saksstatus.json' with { type: 'json' };
import skjermingdokument from '../../schemas/fiks-arkiv-v1/kodelister/skjermingdokument.json' with { type: 'json' };
import variantformat from '../../schemas/fiks-arkiv-v1/kodelister/variantformat.json' with { type: 'json' };

interface CodeListFile {
  navn: string;
  kodeliste: { kodeverdi: string; kodebeskrivelse: string }[];
}

export type CodeListName =
  | 'dokumentstatus'
  | 'dokumenttype'
  | 'journalposttype'
  | 'journalstatus'
  | 'korrespondanseparttype'
  | 'partrolle'
  | 'saksstatus'
  | 'skjermingdokument'
  | 'variantformat';

const files: Record<CodeListName, CodeListFile> = {
  dokumentstatus,
  dokumenttype,
  journalposttype,
  journalstatus,
  korrespondanseparttype,
  partrolle,
  saksstatus,
  skjermingdokument,
  variantformat,
};

const lists = new Map(
  Object.entries(files).map(([name, file]) => [
    name as CodeListName,
    new Map(file.kodeliste.map((k) => [k.kodeverdi, k.kodebeskrivelse])),
  ]),
);

export function isCode(list: CodeListName, code: string): boolean {
  return lists.get(list)?.has(code) ?? false;
}

/** The code's description, e.g. dokumenttype "SØKNAD" → "Søknad"; undefined for a code not in the list. */
export function describeCode(list: CodeListName, code: string): string | undefined {
  return lists.get(list)?.get(code);
}

export function codesOf(list: CodeListName): string[] {
  return [...(lists.get(list)?.keys() ?? [])];
}
