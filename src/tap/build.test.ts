import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addonPath, helperPath, TapBuildError } from './build.js';

test('without a compiler, using TAP fails with a message that says what to install', async () => {
  const saved = process.env.CC;
  process.env.CC = '/nonexistent/wiretrail-cc';
  try {
    await assert.rejects(helperPath(), (e: unknown) => {
      assert.ok(e instanceof TapBuildError);
      assert.match(
        (e as Error).message,
        /needs a C compiler .* "\/nonexistent\/wiretrail-cc" was not found \(Debian: apt-get install gcc; or set CC\)/,
      );
      return true;
    });
  } finally {
    if (saved === undefined) delete process.env.CC;
    else process.env.CC = saved;
  }
});

test(
  'the helper and the addon build from source with the system compiler',
  { skip: process.platform !== 'linux' },
  async (t) => {
    try {
      assert.match(await helperPath(), /tap-helper-[0-9a-f]{16}$/);
      assert.match(await addonPath(), /tap-addon-[0-9a-f]{16}\.node$/);
    } catch (e) {
      if (e instanceof TapBuildError) t.skip(`no compiler or Node headers here: ${e.message}`);
      else throw e;
    }
  },
);
