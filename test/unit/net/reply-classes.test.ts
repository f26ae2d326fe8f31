import { describe, expect, it } from 'vitest';
import { deniedCommand, isForeignGreeting, printableGreeting, replyCode } from '../../../src/net/reply-classes';

describe('reply classes', () => {
  it('reads the error code of a reply from its first word only', () => {
    expect(replyCode("NOPERM this user has no permissions to run the 'cluster|nodes' command")).toBe('NOPERM');
    expect(replyCode('WRONGPASS invalid username-password pair or user is disabled.')).toBe('WRONGPASS');
    expect(replyCode('ERR Target instance replied with error: NOPERM ...')).toBe('ERR');
    expect(replyCode('connect ECONNREFUSED 127.0.0.1:1')).toBe('');
  });

  it('finds the refused command in NOPERM replies of Redis 6.2, 7.0 and 7.2', () => {
    expect(deniedCommand("NOPERM this user has no permissions to run the 'cluster' command or its subcommand")).toBe('cluster');
    expect(deniedCommand("NOPERM this user has no permissions to run the 'cluster|nodes' command")).toBe('cluster|nodes');
    expect(deniedCommand("NOPERM User ops has no permissions to run the 'CLUSTER|INFO' command")).toBe('cluster|info');
    expect(deniedCommand('NOPERM No permissions to access a key')).toBeUndefined();
  });

  it('tells a RESP reply from the first bytes of another protocol', () => {
    for (const reply of ['+OK\r\n', '-ERR x\r\n', ':1\r\n', '$3\r\nabc\r\n', '*0\r\n', '%1\r\n', '_\r\n']) expect(isForeignGreeting(Buffer.from(reply))).toBe(false);
    expect(isForeignGreeting(Buffer.from('HTTP/1.1 400 Bad Request\r\n\r\n'))).toBe(true);
    expect(isForeignGreeting(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02]))).toBe(true);
    expect(isForeignGreeting(Buffer.from('SSH-2.0-OpenSSH_9.6\r\n'))).toBe(true);
    expect(isForeignGreeting(Buffer.alloc(0))).toBe(false);
  });

  it('shows the first line of a foreign answer, printable and short', () => {
    expect(printableGreeting(Buffer.from('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n'))).toBe('HTTP/1.1 400 Bad Request');
    expect(printableGreeting(Buffer.from([0x15, 0x03, 0x03, 0x00, 0x02]))).toBe('?????');
    expect(printableGreeting(Buffer.from('x'.repeat(200)))).toHaveLength(60);
  });
});
