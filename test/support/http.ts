/** Minimal real-HTTP client for e2e tests (Node's fetch), returning status, parsed body and timing. */
export interface HttpResult<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
  ms: number;
}

export async function http<T = any>(
  method: string,
  url: string,
  options: { token?: string; json?: unknown; body?: string | FormData | Blob | Buffer; headers?: Record<string, string> } = {},
): Promise<HttpResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let body = options.body;
  if (options.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  const started = performance.now();
  const response = await fetch(url, { method, headers, body });
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown = text;
  if ((response.headers.get('content-type') ?? '').includes('json') && text !== '') parsed = JSON.parse(text);
  return { status: response.status, body: parsed as T, text, headers: response.headers, ms };
}

/** A multipart body with one `file` part per entry, as `curl -F file=@x.bpmn` sends it. */
export function modelForm(files: { name: string; xml: string | Buffer }[], fields: Record<string, string> = {}): FormData {
  const form = new FormData();
  for (const file of files) form.append('file', new Blob([file.xml], { type: 'application/octet-stream' }), file.name);
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  return form;
}
