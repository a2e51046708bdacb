/** Jurisdictions and agencies: the admin registers them; others see their own part. */
import type { Caller } from '../auth/caller.ts';
import type { AgencyRecord, JurisdictionRecord } from '../domain/records.ts';
import { conflict, notFound, unprocessable } from '../errors.ts';
import type { AgencyBody, JurisdictionBody } from '../schemas/api.ts';
import type { Deps } from './deps.ts';
import { ClientTakenError, JurisdictionMissingError } from './ports.ts';

const callerJurisdiction = (caller: Caller) => (caller.role === 'admin' ? undefined : caller.jurisdictionId);

export async function putJurisdiction(deps: Deps, id: string, body: JurisdictionBody): Promise<JurisdictionRecord> {
  const record = await deps.store.putJurisdiction(id, body, deps.now().toISOString());
  deps.rules.forget(id);
  return record;
}

export async function getJurisdiction(deps: Deps, caller: Caller, id: string): Promise<JurisdictionRecord> {
  const visible = caller.role === 'admin' || callerJurisdiction(caller) === id;
  const record = visible ? await deps.store.getJurisdiction(id) : undefined;
  if (!record) throw notFound(`jurisdiction "${id}" does not exist or is not visible to you`);
  return record;
}

export async function listJurisdictions(deps: Deps, caller: Caller): Promise<{ items: JurisdictionRecord[] }> {
  const all = await deps.store.listJurisdictions();
  const own = callerJurisdiction(caller);
  return { items: caller.role === 'admin' ? all : all.filter((j) => j.jurisdictionId === own) };
}

export async function putAgency(deps: Deps, id: string, body: AgencyBody): Promise<AgencyRecord> {
  try {
    return await deps.store.putAgency(id, body, deps.now().toISOString());
  } catch (e) {
    if (e instanceof JurisdictionMissingError) {
      throw unprocessable('unknown-jurisdiction', `jurisdiction "${body.jurisdictionId}" is not registered: PUT /v1/jurisdictions/${body.jurisdictionId} first`, {
        errors: [{ field: 'jurisdictionId', in: 'body', reason: 'no such jurisdiction' }],
      });
    }
    if (e instanceof ClientTakenError) throw conflict('client-taken', `app client "${e.clientId}" is already linked to another agency`);
    throw e;
  }
}

function canSeeAgency(caller: Caller, agency: AgencyRecord): boolean {
  if (caller.role === 'admin') return true;
  if (caller.role === 'reviewer') return agency.jurisdictionId === caller.jurisdictionId;
  return agency.agencyId === caller.agencyId;
}

export async function getAgency(deps: Deps, caller: Caller, id: string): Promise<AgencyRecord> {
  const record = await deps.store.getAgency(id);
  if (!record || !canSeeAgency(caller, record)) throw notFound(`agency "${id}" does not exist or is not visible to you`);
  return record;
}

export async function listAgencies(deps: Deps, caller: Caller): Promise<{ items: AgencyRecord[] }> {
  return { items: (await deps.store.listAgencies()).filter((a) => canSeeAgency(caller, a)) };
}
