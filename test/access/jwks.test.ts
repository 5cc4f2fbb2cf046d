/**
 * The issuer's key set is cached, and a token signed with a key the cache does not hold makes the
 * server fetch the set again: keys rotate without a restart. A real HTTP issuer on loopback.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { OAuthResourceServer } from '../../src/access/oauth.js';
import { orgIdentity } from '../mcp/support.js';
import { describeEachDialect } from '../support/databases.js';
import { testOrg } from '../support/workstream.js';

const RESOURCE = new URL('https://mcp.example.test/mcp');

async function key(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' } as JWK };
}

describeEachDialect('JWKS caching and key rotation', (db) => {
  let issuer: Server;
  let url: string;
  let published: JWK[] = [];
  let keyFetches = 0;
  let email: string;

  beforeAll(async () => {
    const org = await testOrg(db.store());
    ({ email } = await orgIdentity(db.store(), org.orgId, org.actor.memberId));
    issuer = createServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      if (req.url === '/.well-known/openid-configuration') {
        res.end(JSON.stringify({ issuer: url, jwks_uri: `${url}/jwks` }));
      } else if (req.url === '/jwks') {
        keyFetches++;
        res.end(JSON.stringify({ keys: published }));
      } else {
        res.statusCode = 404;
        res.end('{}');
      }
    });
    await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(issuer.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => issuer?.close(resolve));
  });

  const mint = (signer: Awaited<ReturnType<typeof key>>) =>
    new SignJWT({ email, scope: 'workstream:read' })
      .setProtectedHeader({ alg: 'ES256', kid: signer.kid, typ: 'at+jwt' })
      .setIssuer(url)
      .setAudience(RESOURCE.href)
      .setSubject('user-1')
      .setIssuedAt()
      .setExpirationTime('10m')
      .sign(signer.privateKey);

  it('fetches the key set once for many tokens, and again when a token names a new key', async () => {
    const first = await key('2026-a');
    const second = await key('2026-b');
    published = [first.jwk];
    const server = new OAuthResourceServer(db.store(), {
      issuers: [url],
      resource: RESOURCE,
      memberClaim: 'email',
      scopePrefix: 'workstream:',
      jwksCooldownMs: 0,
    });
    for (let i = 0; i < 5; i++) expect((await server.verify(await mint(first))).ok).toBe(true);
    expect(keyFetches).toBe(1);

    published = [second.jwk];
    const rotated = await server.verify(await mint(second));
    expect(rotated.ok).toBe(true);
    expect(keyFetches).toBe(2);

    const retired = await server.verify(await mint(first));
    expect(retired).toMatchObject({
      ok: false,
      status: 401,
      description: expect.stringMatching(/key its issuer does not publish/),
    });
  });
});
