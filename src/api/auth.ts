// Bearer API keys scope every /v1 request to one workspace.
import type { FastifyRequest } from 'fastify';
import { API_KEY_PATTERN } from '../core/apiKey.ts';
import type { Db } from '../db/database.ts';
import { authenticateApiKey } from '../db/workspaces.ts';
import { ApiError } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    workspaceId: string;
    apiKeyId: string;
  }
}

export function authenticate(db: Db) {
  return async (request: FastifyRequest): Promise<void> => {
    const header = request.headers.authorization;
    if (!header)
      throw new ApiError(401, 'unauthorized', 'Missing Authorization header: send "Authorization: Bearer <apiKey>"');
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match || !match[1]) throw new ApiError(401, 'unauthorized', 'Authorization header must be "Bearer <apiKey>"');
    const key = match[1];
    const found = API_KEY_PATTERN.test(key) ? await authenticateApiKey(db, key) : undefined;
    if (!found) throw new ApiError(401, 'unauthorized', 'API key is invalid or has been revoked');
    request.workspaceId = found.workspaceId;
    request.apiKeyId = found.keyId;
  };
}
