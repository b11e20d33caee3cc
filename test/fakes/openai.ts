// Local fake of the OpenAI Chat Completions API (and of the OpenAI-compatible servers that copy
// it: Ollama, vLLM, LM Studio): POST /v1/chat/completions with `Authorization: Bearer <key>`.
// Shapes from platform.openai.com/docs/api-reference/chat/create (request `{model, messages[],
// response_format?, max_tokens?, temperature?}`, response `{id, object:"chat.completion", created,
// model, choices:[{index, message:{role, content, refusal}, finish_reason}], usage:{prompt_tokens,
// completion_tokens, total_tokens}}`, errors `{error:{message, type, param, code}}`) and the
// structured-outputs guide (a refusal arrives as `message.refusal` with `content: null`), matching
// what @ai-sdk/openai 3.0.141's `.chat()` model sends (`response_format: {type:"json_schema",
// json_schema:{name, schema, strict:true}}`).
import { estimateTokens, startModelFake, type ModelFake, type Rendered } from './modelFakeServer.ts';

export type { FakeBehaviour, ModelFake, RecordedRequest } from './modelFakeServer.ts';

function error(status: number, message: string, retryAfter?: string): Rendered {
  const type = status === 401 ? 'invalid_request_error' : status === 429 ? 'rate_limit_exceeded' : 'server_error';
  return {
    status,
    headers: retryAfter === undefined ? {} : { 'retry-after': retryAfter },
    body: { error: { message, type, param: null, code: status === 401 ? 'invalid_api_key' : null } },
  };
}

function modelOf(body: unknown): string {
  return typeof body === 'object' && body !== null && 'model' in body && typeof body.model === 'string'
    ? body.model
    : 'unknown';
}

let counter = 0;

export function startOpenAIFake(options: { apiKey?: string } = {}): Promise<ModelFake> {
  const apiKey = options.apiKey ?? 'test-openai-key';
  return startModelFake({
    path: '/v1/chat/completions',
    authorize(headers) {
      return headers.authorization === `Bearer ${apiKey}` ? undefined : error(401, 'Incorrect API key provided');
    },
    render(behaviour, request) {
      if (behaviour.kind === 'status')
        return error(behaviour.status, behaviour.message ?? `scripted ${behaviour.status}`, behaviour.retryAfter);
      const refusal = behaviour.kind === 'refusal' ? (behaviour.text ?? "I'm sorry, I can't help with that.") : null;
      const content =
        behaviour.kind === 'json' ? JSON.stringify(behaviour.value) : behaviour.kind === 'text' ? behaviour.text : null;
      const usage = behaviour.kind === 'refusal' ? undefined : behaviour.usage;
      const promptTokens = usage?.input ?? estimateTokens(request.prompt);
      const completionTokens = usage?.output ?? estimateTokens(content ?? refusal ?? '');
      return {
        status: 200,
        body: {
          id: `chatcmpl-fake-${++counter}`,
          object: 'chat.completion',
          created: 1_772_000_000,
          model: modelOf(request.body),
          choices: [
            { index: 0, message: { role: 'assistant', content, refusal }, logprobs: null, finish_reason: 'stop' },
          ],
          usage: {
            prompt_tokens: promptTokens,
            completion_tokens: completionTokens,
            total_tokens: promptTokens + completionTokens,
          },
        },
      };
    },
  });
}
