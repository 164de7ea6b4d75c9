import { isIPv4 } from 'node:net';
import { isRecord } from '../json-value.js';

// The reference server's own reading of the AuditLog.co events API (shared/reference/wire/README.md section 1).
// Deliberately independent of the client's adapter and schemas: a bug shared by both sides must not pass.

export type Issues = Record<string, string>;

/** Checks one element of the events array as the vendor does; returns its problems keyed like `[0].client.uuid`. */
export function validateAuditLogElement(element: unknown, index: number): Issues {
  const issues: Issues = {};
  const at = (path: string): string => `[${index}].${path}`;
  if (!isRecord(element)) return { [`[${index}]`]: 'must be an object' };
  text(issues, at('uuid'), element.uuid, { required: true, max: 80 });
  text(issues, at('time'), element.time, { required: true });
  if (typeof element.time === 'string' && Number.isNaN(Date.parse(element.time))) issues[at('time')] = 'must be an ISO-8601 date-time';
  text(issues, at('action'), element.action, { required: true, max: 40 });
  text(issues, at('description'), element.description, { max: 120 });
  url(issues, at('url'), element.url);
  object(issues, at('client'), element.client, true, (client) => {
    text(issues, at('client.uuid'), client.uuid, { required: true, max: 120 });
    text(issues, at('client.name'), client.name, { max: 120 });
  });
  object(issues, at('actor'), element.actor, true, (actor) => {
    text(issues, at('actor.uuid'), actor.uuid, { required: true, max: 80 });
    text(issues, at('actor.name'), actor.name, { max: 120 });
    text(issues, at('actor.email'), actor.email, { max: 120 });
  });
  object(issues, at('context'), element.context, true, (context) => {
    object(issues, at('context.client'), context.client, false, (client) => {
      text(issues, at('context.client.ipAddress'), client.ipAddress, { max: 15 });
      if (typeof client.ipAddress === 'string' && !isIPv4(client.ipAddress)) issues[at('context.client.ipAddress')] = 'must be an IPv4 address';
      text(issues, at('context.client.browserAgent'), client.browserAgent, { max: 4096 });
    });
    object(issues, at('context.server'), context.server, true, (server) => {
      text(issues, at('context.server.serverId'), server.serverId, { required: true, max: 240 });
      text(issues, at('context.server.version'), server.version, { required: true, max: 80 });
    });
  });
  object(issues, at('target'), element.target, false, (target) => {
    text(issues, at('target.type'), target.type, { required: true, max: 40 });
    text(issues, at('target.uuid'), target.uuid, { required: true, max: 80 });
    url(issues, at('target.url'), target.url);
  });
  return issues;
}

function text(issues: Issues, path: string, value: unknown, rule: { required?: boolean; max?: number }): void {
  if (value === undefined || value === null) {
    if (rule.required) issues[path] = 'is required';
    return;
  }
  if (typeof value !== 'string') issues[path] = 'must be a string';
  else if (rule.required && value.length === 0) issues[path] = 'is required';
  else if (rule.max !== undefined && value.length > rule.max) issues[path] = `must be at most ${rule.max} characters`;
}

function url(issues: Issues, path: string, value: unknown): void {
  if (value === undefined) return;
  text(issues, path, value, { max: 400 });
  if (typeof value === 'string' && !/^https?:\/\/[^/\s]+/.test(value)) issues[path] = 'must be a valid absolute URL';
}

function object(issues: Issues, path: string, value: unknown, required: boolean, inner: (record: Record<string, unknown>) => void): void {
  if (value === undefined || value === null) {
    if (required) issues[path] = 'is required';
    return;
  }
  if (!isRecord(value)) issues[path] = 'must be an object';
  else inner(value);
}
