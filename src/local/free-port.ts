import { createServer } from 'node:net';

/** True when `port` can be bound on `host` right now. */
export function isPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A port P such that both P and its cluster bus port P + 10000 are free on `host`. Starts at
 * `from` when given (then tries upwards), else at a random port in 20000-44999 so parallel test
 * workers rarely collide; `exclude` holds ports already handed out.
 */
export async function findClusterPort(host: string, options: { from?: number; exclude?: ReadonlySet<number> } = {}): Promise<number> {
  let port = options.from ?? 20_000 + Math.floor(Math.random() * 25_000);
  for (let tries = 0; tries < 2000; tries++, port++) {
    if (port > 55_535) port = 20_000;
    if (options.exclude?.has(port) === true || options.exclude?.has(port + 10_000) === true) continue;
    if ((await isPortFree(host, port)) && (await isPortFree(host, port + 10_000))) return port;
  }
  throw new Error(`No free port pair (P and P+10000) found on ${host}`);
}
