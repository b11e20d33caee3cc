// Local fake of the Anthropic Messages API: POST /v1/messages with `x-api-key` and
// `anthropic-version` headers. Shapes from platform.claude.com/docs/en/api/messages (request
// `{model, max_tokens, system?, messages[], tools?, tool_choice?, output_config?}`, response
// `{id, type:"message", role, model, content[], stop_reason, stop_sequence, usage}`; errors
// `{type:"error", error:{type, message}}`) and /docs/en/build-with-claude/structured-outputs, and
// from what @ai-sdk/anthropic 3.0.138 sends: models with native structured outputs (Haiku 4.5 and
// later) get `output_config.format: {type:"json_schema", schema}` and answer with JSON text; older
// ones get a forced tool named "json" and answer with a `tool_use` block.
import { estimateTokens, startModelFake, type ModelFake, type Rendered } from './modelFakeServer.ts';

export type { FakeBehaviour, ModelFake, RecordedRequest } from './modelFakeServer.ts';

const ERROR_TYPES: Readonly<Record<number, string>> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  429: 'rate_limit_error',
  500: 'api_error',
  529: 'overloaded_error',
};

function error(status: number, message: string, retryAfter?: string): Rendered {
  return {
    status,
    headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    body: { type: 'error', error: { type: ERROR_TYPES[status] ?? 'api_error', message } },
  };
}

function wantsJsonTool(body: unknown): boolean {
  if (typeof body !== 'object' || body === null || !('tools' in body) || !Array.isArray(body.tools)) return false;
  return body.tools.some(
    (tool: unknown) => typeof tool === 'object' && tool !== null && 'name' in tool && tool.name === 'json',
  );
}

function modelOf(body: unknown): string {
  return typeof body === 'object' && body !== null && 'model' in body && typeof body.model === 'string'
    ? body.model
    : 'unknown';
}

let counter = 0;

export function startAnthropicFake(options: { apiKey?: string } = {}): Promise<ModelFake> {
  const apiKey = options.apiKey ?? 'test-anthropic-key';
  return startModelFake({
    path: '/v1/messages',
    authorize(headers) {
      if (headers['x-api-key'] !== apiKey) return error(401, 'invalid x-api-key');
      if (headers['anthropic-version'] === undefined) return error(400, 'anthropic-version header is required');
      return undefined;
    },
    render(behaviour, request) {
      if (behaviour.kind === 'status')
        return error(behaviour.status, behaviour.message ?? `scripted ${behaviour.status}`, behaviour.retryAfter);
      const id = `msg_fake_${++counter}`;
      let content: unknown[];
      let stopReason: string;
      let outputText: string;
      if (behaviour.kind === 'json' && wantsJsonTool(request.body)) {
        outputText = JSON.stringify(behaviour.value);
        content = [{ type: 'tool_use', id: `toolu_fake_${counter}`, name: 'json', input: behaviour.value }];
        stopReason = 'tool_use';
      } else if (behaviour.kind === 'refusal') {
        outputText = behaviour.text ?? '';
        content = outputText === '' ? [] : [{ type: 'text', text: outputText }];
        stopReason = 'refusal';
      } else {
        outputText = behaviour.kind === 'json' ? JSON.stringify(behaviour.value) : behaviour.text;
        content = [{ type: 'text', text: outputText }];
        stopReason = 'end_turn';
      }
      const usage = behaviour.kind === 'refusal' ? undefined : behaviour.usage;
      return {
        status: 200,
        body: {
          id,
          type: 'message',
          role: 'assistant',
          model: modelOf(request.body),
          content,
          stop_reason: stopReason,
          stop_sequence: null,
          usage: {
            input_tokens: usage?.input ?? estimateTokens(request.prompt),
            output_tokens: usage?.output ?? estimateTokens(outputText),
          },
        },
      };
    },
  });
}
