// The hook's own SHA-256 (src/domain/sha256.ts) against node:crypto: its run ids must stay the ones a
// resumed run was approved under.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex } from '../../../src/domain/sha256';

const nodeSha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

describe('domain: sha256Hex', () => {
  it('gives the FIPS 180-4 test vectors', () => {
    assert.equal(sha256Hex(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    assert.equal(sha256Hex('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    assert.equal(
      sha256Hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'),
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });

  it('matches node:crypto on every length around the block edges, and on non-ASCII text', () => {
    for (let length = 0; length <= 200; length++) {
      const text = randomBytes(length).toString('latin1');
      assert.equal(sha256Hex(text), nodeSha256(text), `length ${length}`);
    }
    for (const text of ['session-é\ntoolu_01', '日本語のプロンプト', '🙂'.repeat(40), 'x'.repeat(100_000)])
      assert.equal(sha256Hex(text), nodeSha256(text));
  });
});
