import {
  FOLDER_KEY_SECRET_NAME,
  FolderKeySecretMissing,
  folderKeySecret,
  provideFolderKeySecret,
} from '../mapping/folder-key.ts';
import type { SecretStore } from './store.ts';

/**
 * The secret fødselsnummer search terms are keyed with: the deployment's folder-key secret (FOLDER_KEY_SECRET, read
 * at run time from the secret store), so operators keep one secret; the terms use their own HMAC context
 * (shared/store/search-terms.ts). Locally, without it in the store, the same file under the data dir the folder
 * keys use, so receive and admin agree. Undefined when there is none (on Lambda, not configured).
 */
export function searchSecret(secrets: SecretStore | undefined): () => Promise<Buffer | undefined> {
  return async () => {
    const value = secrets ? await secrets.get(FOLDER_KEY_SECRET_NAME) : undefined;
    try {
      if (value) provideFolderKeySecret(value);
      return folderKeySecret();
    } catch (error) {
      if (error instanceof FolderKeySecretMissing) return undefined;
      throw error;
    }
  };
}
