import { describe, expect, it } from 'vitest';
import { keyId, listKeys, printableKey } from '../../../src/model/key-name';

describe('printableKey', () => {
  it('shows valid UTF-8 as itself, escaping only control characters and backslashes', () => {
    expect(printableKey(Buffer.from('user:{42}:café'))).toBe('user:{42}:café');
    expect(printableKey(Buffer.from('a\nb\tc\0d\\e'))).toBe('a\\nb\\tc\\x00d\\\\e');
  });

  it('shows a name that is not UTF-8 byte by byte, as redis-cli quotes it', () => {
    expect(printableKey(Buffer.from([0x7b, 0x62, 0x7d, 0xff, 0x0d, 0x0a, 0x00, 0xc3, 0x28]))).toBe('{b}\\xff\\r\\n\\x00\\xc3(');
  });

  it('lists at most ten names, then "..."', () => {
    const keys = Array.from({ length: 12 }, (_, i) => Buffer.from(`k${i}`));
    expect(listKeys(keys)).toBe('k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, ...');
    expect(listKeys(keys.slice(0, 2))).toBe('k0, k1');
  });
});

describe('keyId', () => {
  it('is one-to-one over bytes, where a UTF-8 string round trip is not', () => {
    const a = Buffer.from([0xff]);
    const b = Buffer.from([0xfe]);
    expect(a.toString('utf8')).toBe(b.toString('utf8'));
    expect(keyId(a)).not.toBe(keyId(b));
    for (let byte = 0; byte < 256; byte++) expect(Buffer.from(keyId(Buffer.from([byte])), 'latin1')).toEqual(Buffer.from([byte]));
  });
});
