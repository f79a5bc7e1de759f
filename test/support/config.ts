import { ConfigError } from '../../shared/config/errors.ts';

/** What a configuration is refused with: the issues of its ConfigError; fails the test if it loads. */
export async function refusalIssues(load: () => Promise<unknown>): Promise<ConfigError['issues']> {
  try {
    await load();
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected the configuration to be refused');
}
