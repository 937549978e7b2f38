// The shipped zone files: src/world/zones/index.ts (what the browser build embeds) must be
// regenerated from the *.zone files (scripts/gen-zones.mjs), and every file must pass NSD's
// own checker as well as ours.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { defaultServers } from '../src/apps/dns/hierarchy.js';
import { formatIpv4 } from '../src/wire/addr.js';
import { ZONE_FILES } from '../src/world/zones/index.js';

const ROOT = resolve(import.meta.dirname, '..');

describe('dns zones: the shipped files', () => {
  it('src/world/zones/index.ts is in sync with the zone files', () => {
    const r = spawnSync(process.execPath, ['scripts/gen-zones.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    assert.equal(r.status, 0, r.stderr || r.stdout);
  });

  it('every embedded text equals its file', () => {
    for (const z of ZONE_FILES)
      assert.equal(z.text, readFileSync(join(ROOT, 'src/world/zones', z.file), 'utf8'), z.file);
  });

  it('nsd-checkzone accepts every zone', () => {
    const bin = '/usr/sbin/nsd-checkzone';
    assert.ok(existsSync(bin), `${bin} is missing: install Debian's nsd (CI: .ci/packages.txt)`);
    for (const z of ZONE_FILES) {
      const r = spawnSync(bin, [z.origin, join(ROOT, 'src/world/zones', z.file)], {
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, `${z.file}: ${r.stderr}${r.stdout}`);
    }
  });

  it('the server table: which server serves which zone at which address', () => {
    const table = defaultServers().map(
      (s) => `${s.name} ${formatIpv4(s.address)} ${s.zones.join(',')}`,
    );
    assert.deepEqual(table.sort(), [
      'a.dns.cn. 203.119.25.1 cn.',
      'a.gtld-servers.net. 192.5.6.30 com.,net.',
      'a.root-servers.net. 198.41.0.4 .,0.41.198.in-addr.arpa.,170.247.170.in-addr.arpa.,25.119.203.in-addr.arpa.,57.19.199.in-addr.arpa.,6.5.192.in-addr.arpa.',
      'b.root-servers.net. 170.247.170.2 .',
      'd0.org.afilias-nst.org. 199.19.57.1 org.',
      'ns1.example.org. 192.0.2.53 example.org.,2.0.192.in-addr.arpa.',
      'ns1.server.com. 198.51.100.2 isp.net.,server.com.,64.100.in-addr.arpa.,100.51.198.in-addr.arpa.,113.0.203.in-addr.arpa.',
    ]);
  });
});
