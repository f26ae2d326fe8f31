import { createServer, type Server } from 'node:net';

/**
 * A scripted RESP server for malformed replies and timeouts only (never to prove a feature):
 * `reply(command)` returns the raw RESP text to send, or null to never answer.
 */
export async function startFakeRespServer(reply: (command: string[]) => string | null): Promise<{ port: number; close: () => Promise<void> }> {
  const server: Server = createServer((socket) => {
    let buffer = '';
    socket.on('data', (chunk) => {
      buffer += chunk.toString();
      for (;;) {
        const parsed = parseCommand(buffer);
        if (parsed === undefined) break;
        buffer = buffer.slice(parsed.length);
        const answer = reply(parsed.args);
        if (answer !== null) socket.write(answer);
      }
    });
    socket.on('error', () => undefined);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { port, close: () => new Promise((resolve) => server.close(() => resolve())) };
}

function parseCommand(text: string): { args: string[]; length: number } | undefined {
  if (!text.startsWith('*')) return undefined;
  let offset = text.indexOf('\r\n');
  if (offset < 0) return undefined;
  const count = Number(text.slice(1, offset));
  offset += 2;
  const args: string[] = [];
  for (let i = 0; i < count; i++) {
    const lineEnd = text.indexOf('\r\n', offset);
    if (lineEnd < 0) return undefined;
    const size = Number(text.slice(offset + 1, lineEnd));
    const start = lineEnd + 2;
    if (text.length < start + size + 2) return undefined;
    args.push(text.slice(start, start + size));
    offset = start + size + 2;
  }
  return { args, length: offset };
}

export const bulk = (text: string): string => `$${Buffer.byteLength(text)}\r\n${text}\r\n`;
