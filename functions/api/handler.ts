import { cachedDirectory } from '../../shared/auth/directory.ts';
import { logError } from '../../shared/log.ts';
import { apiDeps } from '../../shared/wiring/api.ts';
import { type ApiEvent, dispatch } from './dispatch.ts';

const deps = apiDeps();
const directory = cachedDirectory(deps.store);

export const handler = (event: ApiEvent) => dispatch(event, deps, directory, logError);
