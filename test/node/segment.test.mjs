// Sends Segment calls to a running Kith server with the real
// @segment/analytics-node SDK, configured as docs/SEGMENT.md says, and
// checks the resulting profiles through Kith's API.
//
// Environment: KITH_URL (the server), KITH_KEY (a write key: tracker or
// secret), KITH_SECRET (a secret key, for reading profiles).
// segment/node_test.go starts a server and runs this file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { Analytics } from '@segment/analytics-node';

const { KITH_URL: url, KITH_KEY: key, KITH_SECRET: secret } = process.env;
if (!url || !key || !secret) {
  throw new Error('set KITH_URL, KITH_KEY and KITH_SECRET (segment/node_test.go does)');
}

// client returns an SDK sending each call at once, and the HTTP statuses
// and errors it reports.
function client(writeKey = key) {
  const analytics = new Analytics({ writeKey, host: url, flushAt: 1, maxRetries: 2 });
  const statuses = [];
  const errors = [];
  analytics.on('http_response', (r) => statuses.push(r.status));
  analytics.on('error', (e) => errors.push(e));
  // send makes one call and resolves once the SDK has delivered it (or
  // given up), so that calls reach Kith in order.
  const send = (method, params) =>
    new Promise((resolve) => analytics[method](params, (err) => resolve(err)));
  return { analytics, statuses, errors, send };
}

async function profile(kind, value) {
  const res = await fetch(`${url}/api/v1/profiles/by-${kind}/${encodeURIComponent(value)}`, {
    headers: { Authorization: `Bearer ${secret}` },
  });
  if (res.status === 404) return null;
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return JSON.parse(body);
}

test('anonymous visitor becomes the identified customer', async () => {
  const c = client();
  const anonymousId = randomUUID();
  const device2 = `device-${randomUUID()}`;
  const userId = `node-${randomUUID()}`;
  const email = `${userId}@example.com`;

  assert.equal(await c.send('track', { anonymousId, event: 'Product Viewed', properties: { sku: 'A1', price: 9.5 } }), undefined);
  assert.equal(await c.send('page', { anonymousId, name: 'Home', properties: { url: 'https://shop.test/' } }), undefined);
  assert.equal(await c.send('track', { anonymousId: device2, event: 'Cart Viewed' }), undefined);
  const anon = await profile('uuid', anonymousId);
  assert.ok(anon, 'the anonymous visitor has a profile');
  assert.equal(anon.anonymous, true);

  assert.equal(await c.send('identify', {
    anonymousId, userId,
    traits: { email: email.toUpperCase(), firstName: 'Grace', last_name: 'Hopper',
      address: { city: 'Arlington', country: 'US', state: 'VA' }, plan: 'team' },
  }), undefined);
  assert.equal(await c.send('screen', { userId, name: 'Checkout' }), undefined);
  assert.equal(await c.send('group', { userId, groupId: 'navy', traits: { name: 'US Navy' } }), undefined);
  assert.equal(await c.send('alias', { previousId: device2, userId }), undefined);
  await c.analytics.closeAndFlush({ timeout: 10000 });

  assert.deepEqual(c.errors, []);
  assert.ok(c.statuses.length >= 7 && c.statuses.every((s) => s === 200), `statuses ${c.statuses}`);

  const p = await profile('custom-id', userId);
  assert.ok(p, 'the customer has a profile');
  assert.equal(p.clientId, anon.clientId, 'the anonymous profile became the customer');
  assert.equal(p.anonymous, false);
  assert.equal(p.email, email);
  assert.ok(p.uuids.includes(anonymousId), `uuids ${p.uuids}`);
  assert.equal(p.uuids.length, 2, `alias brought the second device: ${p.uuids}`);
  assert.equal(p.attributes.firstName, 'Grace');
  assert.equal(p.attributes.lastName, 'Hopper');
  assert.equal(p.attributes.city, 'Arlington');
  assert.equal(p.attributes.province, 'VA');
  assert.equal(p.attributes.countryCode, 'US');
  assert.equal(p.attributes.plan, 'team');
  assert.equal((await profile('email', email)).clientId, p.clientId);
});

test('one device identified by two users gives two profiles', async () => {
  const c = client();
  const anonymousId = randomUUID();
  const [u1, u2] = [`node-${randomUUID()}`, `node-${randomUUID()}`];
  await c.send('identify', { anonymousId, userId: u1, traits: { email: `${u1}@example.com` } });
  await c.send('identify', { anonymousId, userId: u2, traits: { email: `${u2}@example.com` } });
  await c.analytics.closeAndFlush({ timeout: 10000 });
  assert.deepEqual(c.errors, []);
  const [p1, p2] = [await profile('custom-id', u1), await profile('custom-id', u2)];
  assert.notEqual(p1.clientId, p2.clientId);
  assert.equal((await profile('uuid', anonymousId)).clientId, p1.clientId, 'the device stays with the first user');
});

test('a wrong write key is refused and not retried', async () => {
  const c = client('pk_not_a_key');
  const err = await c.send('track', { userId: 'u', event: 'Nope' });
  await c.analytics.closeAndFlush({ timeout: 10000 });
  assert.ok(err, 'the SDK reports the delivery failure');
  assert.deepEqual(c.statuses, [401]);
});
