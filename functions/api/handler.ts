import middy from '@middy/core';
import { cachedDirectory } from '../../shared/auth/directory.ts';
import { logError } from '../../shared/log.ts';
import { apiDeps } from '../../shared/wiring/api.ts';
import { type ApiEvent, dispatch } from './dispatch.ts';

const deps = apiDeps();
const directory = cachedDirectory(deps.store);

export const handler = middy<ApiEvent>().handler((event) => dispatch(event, deps, directory, logError));
