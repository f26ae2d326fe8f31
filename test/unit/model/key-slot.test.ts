import { describe, expect, it } from 'vitest';
import { keySlot } from '../../../src/model/key-slot';

describe('keySlot', () => {
  it('hashes the whole key with CRC16 (XModem) modulo 16384', () => {
    // CRC16 of "123456789" is 0x31C3, the check value of the Redis Cluster specification.
    expect(keySlot('123456789')).toBe(0x31c3 % 16384);
    expect(keySlot('')).toBe(0);
    expect(keySlot('foo')).toBe(12182);
  });

  it('hashes only a non-empty first hash tag', () => {
    expect(keySlot('{user1000}.following')).toBe(keySlot('user1000'));
    expect(keySlot('{user1000}.followers')).toBe(keySlot('user1000'));
    expect(keySlot('foo{{bar}}zap')).toBe(keySlot('{bar'));
    expect(keySlot('foo{bar}{zap}')).toBe(keySlot('bar'));
  });

  it('hashes the whole key when the first tag is empty, whatever tags follow', () => {
    // The values CLUSTER KEYSLOT returns for these keys.
    expect(keySlot('{}x{y}')).toBe(2166);
    expect(keySlot('{}{a}')).toBe(13650);
    expect(keySlot('a{}{b}')).toBe(15033);
    expect(keySlot('foo{}{bar}')).not.toBe(keySlot('bar'));
  });

  it('is binary-safe: a Buffer is hashed byte by byte, a string as UTF-8', () => {
    expect(keySlot(Buffer.from('{é}x', 'utf8'))).toBe(keySlot('{é}x'));
    expect(keySlot(Buffer.from([0x7b, 0xff, 0x7d, 0x00]))).toBe(keySlot(Buffer.from([0xff])));
    expect(keySlot(Buffer.from([0xff, 0xfe]))).not.toBe(keySlot(Buffer.from([0xff, 0xfd])));
  });
});
