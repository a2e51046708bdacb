import { cachedDirectory } from '../../shared/auth/directory.ts';
import { apiDeps } from '../../shared/wiring/api.ts';
import { apiHandler } from './dispatch.ts';

const deps = apiDeps();

export const handler = apiHandler(deps, cachedDirectory(deps.store));
