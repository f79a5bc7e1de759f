/** A configuration file that cannot be used; `issues` name the file and the JSON pointer of each field at fault. */
export class ConfigError extends Error {
  readonly issues: { file: string; path: string; message: string }[];

  constructor(issues: { file: string; path: string; message: string }[]) {
    super(
      `Invalid Skjemaflyt configuration:\n${issues.map((i) => `  ${i.file}: ${i.path || '/'}: ${i.message}`).join('\n')}`,
    );
    this.name = 'ConfigError';
    this.issues = issues;
  }
}
