import { describe, expect, it } from 'vitest';
import { clientKey, createRateBuckets } from '../../server/rate-limit.js';

describe('the client a request is counted for', () => {
  it('is one "loopback" for every loopback address, IPv4-mapped ones too', () => {
    for (const a of ['127.0.0.1', '127.0.0.2', '127.255.3.4', '::1', '::ffff:127.0.0.1', '::ffff:127.8.9.10', '0:0:0:0:0:0:0:1']) {
      expect(clientKey(a), a).toBe('loopback');
    }
  });

  it('is the address itself for other IPv4 (mapped or not), and the /56 for IPv6', () => {
    expect(clientKey('10.0.0.1')).toBe('10.0.0.1');
    expect(clientKey('::ffff:10.0.0.1')).toBe('10.0.0.1');
    expect(clientKey('10.0.0.2')).not.toBe(clientKey('10.0.0.1'));
    // one host's privacy addresses, and its other /64s inside the /56 it was given, share a bucket
    expect(clientKey('2001:db8:1:2::1')).toBe('2001:db8:1:0::/56');
    expect(clientKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:0::/56');
    expect(clientKey('2001:0db8:0001:00ff:0:0:0:9')).toBe('2001:db8:1:0::/56');
    // another /56 is another client
    expect(clientKey('2001:db8:1:100::1')).toBe('2001:db8:1:100::/56');
    expect(clientKey('fe80::1%eth0')).toBe('fe80:0:0:0::/56');
  });

  it('keeps what it cannot parse as its own key', () => {
    expect(clientKey(undefined)).toBe('unknown');
    expect(clientKey('not an address')).toBe('not an address');
  });

  it('gives addresses of one key one bucket', () => {
    const buckets = createRateBuckets({ capacity: 2, refillPerSecond: 0.001, now: () => 0 });
    const takes = ['2001:db8:1:2::1', '2001:db8:1:2::2', '2001:db8:1:3::3', '2001:db8:2:3::1'].map((a) => buckets.take(clientKey(a)));
    expect(takes.map((w) => w === 0)).toEqual([true, true, false, true]);
  });
});
