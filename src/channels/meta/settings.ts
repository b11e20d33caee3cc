// The Graph API version every Meta account uses unless its credentials name another.
import { z } from 'zod';
import type { ProviderSettings } from '../types.ts';

export type MetaSettings = { apiVersion: string };

export const META_DEFAULT_VERSION = 'v21.0';

const Env = z.object({
  META_GRAPH_API_VERSION: z
    .string()
    .regex(/^v\d{1,3}\.\d$/, 'must look like v21.0')
    .optional(),
});

export const metaSettings: ProviderSettings<MetaSettings> = {
  env: Env,
  resolve(env) {
    return { apiVersion: Env.parse(env).META_GRAPH_API_VERSION ?? META_DEFAULT_VERSION };
  },
};
