import { fileURLToPath } from 'node:url';

/**
 * The local stack's state (DynamoDB data, signing key, cursor secret): `.local/` in the repository, or
 * BEIAN_STATE_DIR when set (two stacks side by side, or tests).
 */
export const defaultStateDir = process.env.BEIAN_STATE_DIR ?? fileURLToPath(new URL('../../.local/', import.meta.url));
