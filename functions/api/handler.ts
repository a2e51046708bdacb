import middy from '@middy/core';
import { randomUUID } from 'node:crypto';
import { CursorCodec } from '../../shared/http/cursor.ts';
import { cachedDirectory } from '../../shared/auth/directory.ts';
import { BeianStore } from '../../shared/store/beian-store.ts';
import { createDocumentClient, storeConfigFromEnv } from '../../shared/store/dynamo.ts';
import { calendarCache, type Deps } from '../../shared/use-cases/deps.ts';
import { type ApiEvent, dispatch } from './dispatch.ts';
import { logError } from '../../shared/log.ts';

const config = storeConfigFromEnv();
const store = new BeianStore(createDocumentClient(config), config.tableName);
const deps: Deps = {
  store,
  cursors: new CursorCodec(process.env.CURSOR_SECRET ?? ''),
  now: () => new Date(),
  newId: randomUUID,
  calendarFor: calendarCache(),
};
const directory = cachedDirectory(store);

export const handler = middy<ApiEvent>().handler((event) => dispatch(event, deps, directory, logError));
