// Reverse lookups for the tools: in-addr.arpa names (RFC 1035 § 3.5) and the per-run cache.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatIpv4, parseIpv4 } from '../../wire/addr.js';
import { addressOfReverseName, ReverseNames, reverseName } from './reverse.js';

const ip = (s: string): number => parseIpv4(s)!;

describe('reverse: in-addr.arpa names (RFC 1035 § 3.5)', () => {
  it('the octets in reverse order under in-addr.arpa', () => {
    assert.equal(reverseName(ip('198.51.100.80')), '80.100.51.198.in-addr.arpa.');
    assert.equal(reverseName(ip('10.0.0.1')), '1.0.0.10.in-addr.arpa.');
    assert.equal(reverseName(ip('0.0.0.0')), '0.0.0.0.in-addr.arpa.');
    assert.equal(reverseName(ip('255.254.253.252')), '252.253.254.255.in-addr.arpa.');
  });

  it('back to the address: full names only, any case, with or without the dot', () => {
    assert.equal(formatIpv4(addressOfReverseName('80.100.51.198.in-addr.arpa.')!), '198.51.100.80');
    assert.equal(formatIpv4(addressOfReverseName('1.0.64.100.IN-ADDR.ARPA')!), '100.64.0.1');
    for (let i = 0; i < 200; i++) {
      const a = (Math.imul(i, 2654435761) >>> 0) ^ i;
      assert.equal(addressOfReverseName(reverseName(a)), a >>> 0);
    }
    assert.equal(addressOfReverseName('100.51.198.in-addr.arpa.'), undefined); // a zone, not a host
    assert.equal(addressOfReverseName('256.1.1.1.in-addr.arpa.'), undefined);
    assert.equal(addressOfReverseName('1.2.3.4.ip6.arpa.'), undefined);
    assert.equal(addressOfReverseName('www.server.com.'), undefined);
    assert.equal(addressOfReverseName(''), undefined);
  });
});

describe('reverse: ReverseNames (one lookup per address per run)', () => {
  it('asks once per address, shares a lookup in flight, remembers "no name"', async () => {
    const asked: string[] = [];
    const names = new ReverseNames(async (a) => {
      asked.push(formatIpv4(a));
      if (a === ip('10.0.0.1')) return 'r1.example';
      if (a === ip('10.0.0.2')) throw new Error('NXDOMAIN');
      return undefined;
    });
    assert.equal(names.has(ip('10.0.0.1')), false);
    const [x, y] = await Promise.all([
      names.resolve(ip('10.0.0.1')),
      names.resolve(ip('10.0.0.1')),
    ]);
    assert.equal(x, 'r1.example');
    assert.equal(y, 'r1.example');
    assert.equal(await names.resolve(ip('10.0.0.2')), undefined, 'a failure is no name');
    assert.equal(await names.resolve(ip('10.0.0.3')), undefined);
    assert.equal(await names.resolve(ip('10.0.0.2')), undefined);
    assert.deepEqual(asked, ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    assert.equal(names.has(ip('10.0.0.2')), true);
    assert.equal(names.get(ip('10.0.0.1')), 'r1.example');
    assert.equal(names.get(ip('10.0.0.9')), undefined);
  });
});
