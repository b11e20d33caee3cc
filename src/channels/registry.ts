// Every provider, by id. Adding a provider is one folder, its id in PROVIDER_IDS and one line
// here; a missing entry fails to compile.
import { gmailAdapter } from './gmail/adapter.ts';
import { httpAdapter } from './http/adapter.ts';
import { resendAdapter } from './resend/adapter.ts';
import { sandboxAdapter } from './sandbox/adapter.ts';
import { smtpAdapter } from './smtp/adapter.ts';
import { register, type ProviderId, type RegisteredAdapter } from './types.ts';

export type AdapterRegistry = Record<ProviderId, RegisteredAdapter>;

export function defaultAdapters(): AdapterRegistry {
  return {
    sandbox: register(sandboxAdapter),
    http: register(httpAdapter),
    smtp: register(smtpAdapter),
    gmail: register(gmailAdapter),
    resend: register(resendAdapter),
  };
}
