import { fileURLToPath } from 'node:url';

/** The local stack's state (DynamoDB data, signing key, cursor secret): `.local/` in the repository. */
export const defaultStateDir = fileURLToPath(new URL('../../.local/', import.meta.url));
