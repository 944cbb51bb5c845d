// Fake chat webhooks and seed 003's control plane, for fake-forge.ts. Each answers as its service documents:
// - Slack incoming webhooks: 200 "ok" (text/plain); 400 "invalid_payload" for non-JSON, "no_text" without
//   text or blocks, "invalid_blocks" for malformed blocks.
// - Teams Workflows webhooks ("when a Teams webhook request is received"): 202 Accepted; a body that is not a
//   message with an Adaptive Card attachment is refused (400).
// - Discord execute webhook: 204 No Content; 400 {code: 50006, message: "Cannot send an empty message"}
//   without content or embeds, 50035 "Invalid Form Body" for a content over 2000 characters.
// - Control plane (seed 003): POST /cp/admin/runtime-image/promote {template_name, image_digest, git_sha,
//   notes} with a bearer token; GET /cp/admin/runtime-image lists the pins.

export interface ChatMessage {
  service: 'slack' | 'teams' | 'discord' | 'generic';
  path: string;
  body: unknown;
}

export interface RuntimePin {
  template_name: string;
  image_digest: string;
  git_sha: string;
  notes: string;
  updated_at: string;
}

type Send = (status: number, body?: unknown, headers?: Record<string, string>) => void;
type Obj = Record<string, unknown>;

const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The runtime image templates the control plane's catalog knows (seed 003's PR lists them). */
export const runtimeTemplates = ['claude-code', 'codex', 'hermes', 'openclaw', 'autogen'];

export function routeChat(path: string, method: string, body: unknown, raw: Buffer, send: Send, log: ChatMessage[]) {
  const service = /^\/hooks\/(slack|teams|discord)\//.exec(path)?.[1] as ChatMessage['service'] | undefined;
  if (method !== 'POST') return send(405, { message: 'Method Not Allowed' });
  if (!service) {
    log.push({ service: 'generic', path, body });
    return send(204);
  }
  const text = (status: number, value: string) => send(status, Buffer.from(value), { 'content-type': 'text/plain' });
  if (!isObj(body)) {
    if (service === 'slack') return text(400, 'invalid_payload');
    return send(400, { code: 50109, message: 'The request body contains invalid JSON.' });
  }
  if (service === 'slack') {
    const blocks = body.blocks;
    if (typeof body.text !== 'string' && !Array.isArray(blocks)) return text(400, 'no_text');
    if (
      blocks !== undefined &&
      (!Array.isArray(blocks) || !blocks.every((b) => isObj(b) && typeof b.type === 'string'))
    )
      return text(400, 'invalid_blocks');
    const header: unknown = Array.isArray(blocks) ? (blocks as Obj[]).find((b) => b.type === 'header') : undefined;
    if (isObj(header) && isObj(header.text) && String(header.text.text).length > 150)
      return text(400, 'invalid_blocks');
    log.push({ service, path, body });
    return text(200, 'ok');
  }
  if (service === 'teams') {
    const attachment = Array.isArray(body.attachments) ? (body.attachments[0] as unknown) : undefined;
    const card = isObj(attachment) ? attachment.content : undefined;
    if (
      body.type !== 'message' ||
      !isObj(attachment) ||
      attachment.contentType !== 'application/vnd.microsoft.card.adaptive' ||
      !isObj(card) ||
      card.type !== 'AdaptiveCard' ||
      typeof card.version !== 'string' ||
      !Array.isArray(card.body)
    )
      return send(400, {
        error: { code: 'InvalidRequestContent', message: 'The request content is not a valid Adaptive Card message.' },
      });
    log.push({ service, path, body });
    return send(202);
  }
  const embeds = body.embeds;
  if (typeof body.content !== 'string' && !(Array.isArray(embeds) && embeds.length > 0))
    return send(400, { message: 'Cannot send an empty message', code: 50006 });
  if (typeof body.content === 'string' && body.content.length > 2000)
    return send(400, { message: 'Invalid Form Body', code: 50035 });
  log.push({ service, path, body });
  void raw;
  return send(204);
}

export function routeControlPlane(
  path: string,
  method: string,
  authorization: string,
  body: unknown,
  send: Send,
  tokens: Set<string>,
  pins: Map<string, RuntimePin>,
): boolean {
  if (!path.startsWith('/cp/admin/runtime-image')) return false;
  if (!tokens.has(authorization.replace(/^Bearer /, ''))) {
    send(401, { error: 'unauthorized' });
    return true;
  }
  if (path === '/cp/admin/runtime-image' && method === 'GET') {
    send(200, { pins: [...pins.values()] });
    return true;
  }
  if (path === '/cp/admin/runtime-image/promote' && method === 'POST') {
    const b = isObj(body) ? body : {};
    if (typeof b.template_name !== 'string' || !runtimeTemplates.includes(b.template_name)) {
      send(400, { error: `unknown template_name; known: ${runtimeTemplates.join(', ')}` });
      return true;
    }
    if (typeof b.image_digest !== 'string' || !/^sha256:[0-9a-f]{64}$/.test(b.image_digest)) {
      send(400, { error: 'image_digest must be sha256:<64 hex>' });
      return true;
    }
    if (typeof b.git_sha !== 'string' || !/^[0-9a-f]{40}$/.test(b.git_sha)) {
      send(400, { error: 'git_sha must be a 40-hex commit' });
      return true;
    }
    const pin: RuntimePin = {
      template_name: b.template_name,
      image_digest: b.image_digest,
      git_sha: b.git_sha,
      notes: typeof b.notes === 'string' ? b.notes : '',
      updated_at: new Date().toISOString(),
    };
    pins.set(pin.template_name, pin);
    send(200, { ok: true, pin });
    return true;
  }
  send(404, { error: 'not found' });
  return true;
}
