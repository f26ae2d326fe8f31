/** The level an event is logged at. */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Any logger with pino-style methods (pino, bunyan, console-like wrappers): each call gets the
 * event payload as an object (plus `event` and `source`) and the event name as the message.
 */
export interface Logger {
  debug(object: Record<string, unknown>, message?: string): void;
  info(object: Record<string, unknown>, message?: string): void;
  warn(object: Record<string, unknown>, message?: string): void;
  error(object: Record<string, unknown>, message?: string): void;
}

/** Keys whose values are never logged, at any depth (credentials, lease tokens, TLS material). */
const SECRET_KEYS = new Set(['password', 'pass', 'secret', 'token', 'auth', 'tls', 'privatekey', 'passphrase']);

/**
 * A copy of an event payload fit for a log: values under secret-sounding keys replaced by
 * `[redacted]`, the given secrets scrubbed from every string, Buffers summarised, no cycles.
 */
/** An emitter's event names at runtime, from its table of log levels (which the compiler keeps complete). */
export function eventNames<Name extends string>(levels: Readonly<Record<Name, LogLevel>>): readonly Name[] {
  return Object.freeze(Object.keys(levels) as Name[]);
}

export function redactForLog(value: unknown, secrets: readonly (string | undefined)[] = [], depth = 0): unknown {
  if (typeof value === 'string') return scrub(value, secrets);
  if (value === null || typeof value !== 'object') return value;
  if (Buffer.isBuffer(value)) return `<${value.length} bytes>`;
  if (depth > 6) return '[deep]';
  if (Array.isArray(value)) return value.slice(0, 100).map((item) => redactForLog(item, secrets, depth + 1));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    copy[key] = SECRET_KEYS.has(key.toLowerCase()) ? '[redacted]' : redactForLog(item, secrets, depth + 1);
  }
  return copy;
}

/** The emitter side forwardEvents needs: eventemitter3's on/off with any names. */
interface Listenable {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  off(event: string, listener: (...args: unknown[]) => void): unknown;
}

/**
 * Forwards every event named in `levels` from `emitter` to `logger`, at the event's level, with
 * the payload redacted. An `-end` event whose status is not `done` is logged as a warning.
 * Returns the function that stops forwarding.
 */
export function forwardEvents(emitter: object, source: string, levels: Readonly<Record<string, LogLevel>>, logger: Logger, secrets: readonly (string | undefined)[] = []): () => void {
  const target = emitter as Listenable;
  const detach: (() => void)[] = [];
  for (const [event, level] of Object.entries(levels)) {
    const listener = (payload: unknown): void => {
      const data = redactForLog(payload, secrets);
      const fields = data !== null && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : { payload: data };
      const failed = typeof fields.status === 'string' && fields.status !== 'done' && (event === 'end' || event.endsWith('-end'));
      try {
        logger[failed && level !== 'error' ? 'warn' : level]({ ...fields, event, source }, event);
      } catch {
        // A failing logger must not break the operation that emitted the event.
      }
    };
    target.on(event, listener);
    detach.push(() => target.off(event, listener));
  }
  return () => {
    for (const off of detach) off();
  };
}

function scrub(text: string, secrets: readonly (string | undefined)[]): string {
  let result = text;
  for (const secret of secrets) if (secret !== undefined && secret.length > 0) result = result.split(secret).join('***');
  return result;
}
