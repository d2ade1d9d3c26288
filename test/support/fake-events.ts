/**
 * Kubernetes Events written by the controller (core `v1` and `events.k8s.io/v1`): created with POST, updated with
 * PATCH (JSON patch, merge patch or strategic merge patch, the last treated as a merge patch), all recorded.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { kubeTime } from './fake-pods.js';
import { statusReply, type Reply } from './http-replies.js';
import {
  applyJsonPatch,
  applyMergePatch,
  isJsonObject,
  type JsonObject,
  type JsonPatchOperation,
} from './json-patch.js';

/** The API group version an event was written through. */
export type EventApiVersion = 'v1' | 'events.k8s.io/v1';

/** One accepted write, with the body as the client sent it and the stored object as the server answered. */
export interface RecordedEvent {
  readonly method: 'POST' | 'PATCH';
  readonly apiVersion: EventApiVersion;
  readonly namespace: string;
  readonly name: string;
  readonly contentType: string | undefined;
  readonly body: unknown;
  readonly object: JsonObject;
}

const NAME_CHARS = 'bcdfghjklmnpqrstvwxz2456789';

function generateSuffix(): string {
  return Array.from({ length: 5 }, () => NAME_CHARS[Math.floor(Math.random() * NAME_CHARS.length)]).join('');
}

function metadataOf(value: JsonObject): JsonObject {
  return isJsonObject(value['metadata']) ? value['metadata'] : {};
}

/** Stores events by namespace/name (one store for both API versions, as on a real server; no conversion is done). */
export class EventStore {
  private readonly accepted: RecordedEvent[] = [];
  private readonly events = new Map<string, JsonObject>();

  /** Creates a store that takes resourceVersions from the server's shared counter. */
  constructor(private readonly nextResourceVersion: () => number) {}

  /** Returns every accepted POST and PATCH in arrival order. */
  get recorded(): readonly RecordedEvent[] {
    return this.accepted;
  }

  /** Returns a copy of a stored event, or undefined. */
  get(namespace: string, name: string): JsonObject | undefined {
    const event = this.events.get(`${namespace}/${name}`);
    return event === undefined ? undefined : structuredClone(event);
  }

  /** Answers a request on an events path (`/api/v1/…` or `/apis/events.k8s.io/v1/…`): GET, POST, or PATCH. */
  async handle(req: IncomingMessage, namespace: string, name: string | undefined): Promise<Reply> {
    const apiVersion: EventApiVersion = (req.url ?? '').startsWith('/apis/') ? 'events.k8s.io/v1' : 'v1';
    if (req.method === 'GET' && name !== undefined) {
      const event = this.get(namespace, name);
      return event === undefined ? statusReply(404, `events "${name}" not found`) : { status: 200, body: event };
    }
    if (req.method === 'GET') {
      const items = [...this.events.values()].filter((e) => metadataOf(e)['namespace'] === namespace);
      return { status: 200, body: { kind: 'EventList', apiVersion, metadata: {}, items: structuredClone(items) } };
    }
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      return statusReply(400, 'the request body is not valid JSON');
    }
    const contentType = req.headers['content-type'];
    if (req.method === 'POST' && name === undefined) return this.create(apiVersion, namespace, body, contentType);
    if (req.method === 'PATCH' && name !== undefined) return this.patch(apiVersion, namespace, name, body, contentType);
    return statusReply(405, 'the server does not allow this method on the requested resource');
  }

  /** Handles a POST: fills name (from generateName), uid, resourceVersion and creationTimestamp; answers 201. */
  create(apiVersion: EventApiVersion, namespace: string, body: unknown, contentType: string | undefined): Reply {
    if (!isJsonObject(body)) return statusReply(400, 'the request body must be a JSON object');
    const metadata = metadataOf(body);
    if (metadata['namespace'] !== undefined && metadata['namespace'] !== namespace) {
      return statusReply(400, 'the namespace of the provided object does not match the namespace sent on the request');
    }
    const given = typeof metadata['name'] === 'string' ? metadata['name'] : '';
    const prefix = typeof metadata['generateName'] === 'string' ? metadata['generateName'] : '';
    const name = given !== '' ? given : prefix !== '' ? prefix + generateSuffix() : '';
    if (name === '') {
      return statusReply(422, 'Event "" is invalid: metadata.name: Required value: name or generateName is required');
    }
    if (this.events.has(`${namespace}/${name}`)) return statusReply(409, `events "${name}" already exists`);
    const object: JsonObject = {
      ...body,
      kind: 'Event',
      apiVersion,
      metadata: {
        ...metadata,
        name,
        namespace,
        uid: randomUUID(),
        resourceVersion: String(this.nextResourceVersion()),
        creationTimestamp: kubeTime(),
      },
    };
    return this.store('POST', apiVersion, namespace, name, contentType, body, object, 201);
  }

  /** Handles a PATCH on an existing event; answers 200 with the result, 404 if unknown, 422 if the patch fails. */
  patch(
    apiVersion: EventApiVersion,
    namespace: string,
    name: string,
    body: unknown,
    contentType: string | undefined,
  ): Reply {
    const current = this.events.get(`${namespace}/${name}`);
    if (current === undefined) return statusReply(404, `events "${name}" not found`);
    const type = (contentType ?? '').split(';')[0]?.trim() ?? '';
    let patched: unknown;
    try {
      if (type === 'application/json-patch+json') {
        if (!Array.isArray(body)) return statusReply(400, 'a JSON patch must be an array of operations');
        patched = applyJsonPatch(current, body as JsonPatchOperation[]);
      } else if (type === 'application/merge-patch+json' || type === 'application/strategic-merge-patch+json') {
        patched = applyMergePatch(current, body);
      } else {
        return statusReply(
          415,
          `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/strategic-merge-patch+json`,
          'UnsupportedMediaType',
        );
      }
    } catch (error) {
      return statusReply(422, `patch failed: ${(error as Error).message}`);
    }
    if (!isJsonObject(patched)) return statusReply(422, 'patch did not produce an object');
    const metadata = { ...metadataOf(current), ...metadataOf(patched) };
    const object: JsonObject = {
      ...patched,
      metadata: {
        ...metadata,
        name,
        namespace,
        uid: metadataOf(current)['uid'],
        resourceVersion: String(this.nextResourceVersion()),
      },
    };
    return this.store('PATCH', apiVersion, namespace, name, contentType, body, object, 200);
  }

  private store(
    method: RecordedEvent['method'],
    apiVersion: EventApiVersion,
    namespace: string,
    name: string,
    contentType: string | undefined,
    body: unknown,
    object: JsonObject,
    status: number,
  ): Reply {
    this.events.set(`${namespace}/${name}`, object);
    this.accepted.push({ method, apiVersion, namespace, name, contentType, body, object: structuredClone(object) });
    return { status, body: object };
  }
}
