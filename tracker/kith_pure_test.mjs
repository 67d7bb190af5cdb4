// Unit tests of the tracker's pure logic. Run: node --test tracker/
// Expected hashes and UUIDs were computed with Python's hashlib and
// uuid.uuid5(uuid.NAMESPACE_URL, name) (identical to Go's uuid.NewSHA1).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { internals: k } = require('./kith.js');
const enc = (s) => new TextEncoder().encode(s);

test('sha1 known vectors', () => {
  const vectors = [
    ['', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
    ['abc', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
    ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
    ['é€😀', 'c18ebd62bacc0aac83670707d9204486ec605731'], // multi-byte UTF-8
    ['a'.repeat(55), 'c1c8bbdc22796e28c0e15163d20899b65621d65a'], // padding fits one block
    ['a'.repeat(56), 'c2db330f6083854c99d4b5bfb6e8f29f201be699'], // padding needs a second block
    ['a'.repeat(64), '0098ba824b5c16427bd7a1122a5a442a25ec644d'],
  ];
  for (const [input, want] of vectors) assert.equal(k.sha1Hex(input), want, JSON.stringify(input).slice(0, 20));
  assert.equal(Buffer.from(k.sha1(new Uint8Array(1000000).fill(97))).toString('hex'), '34aa973cd4c4daa4f61eeb2bdbad27316534016f');
});

test('uuidV5 matches Python/Go vectors', () => {
  assert.equal(k.URL_NAMESPACE, '6ba7b811-9dad-11d1-80b4-00c04fd430c8');
  assert.equal(k.uuidV5(k.URL_NAMESPACE, 'http://example.com/'), '0a300ee9-f9e4-5697-a51a-efc7fafaba67');
  assert.equal(k.derivedUuid('s3cr3t', 'ada@example.com'), 'e670b2f8-7cfb-5a26-baac-0029a794839d');
  assert.equal(k.derivedUuid('salt', 'LOY-1'), 'ce2925e6-2c8f-5168-a190-376e36893256');
  assert.equal(k.derivedUuid('sél', 'zoë@exämple.com'), '33355098-674c-5779-b916-f1dbe285478d');
});

test('uuidV4 and randomUuid produce canonical lower-case v4', () => {
  const re = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  assert.equal(k.uuidV4(new Uint8Array(16).fill(255)), 'ffffffff-ffff-4fff-bfff-ffffffffffff');
  assert.equal(k.uuidV4(new Uint8Array(16)), '00000000-0000-4000-8000-000000000000');
  assert.match(k.randomUuid(globalThis.crypto), re);
  // getRandomValues fallback (plain-http pages have no randomUUID).
  const onlyRandomValues = { getRandomValues: (b) => globalThis.crypto.getRandomValues(b) };
  const a = k.randomUuid(onlyRandomValues);
  assert.match(a, re);
  assert.notEqual(a, k.randomUuid(onlyRandomValues));
});

test('uuidV7 matches the RFC 9562 vector, and event ids sort by time', () => {
  const rand = [0, 0, 0, 0, 0, 0, 0x0c, 0xc3, 0x18, 0xc4, 0xdc, 0x0c, 0x0c, 0x07, 0x39, 0x8f];
  assert.equal(k.uuidV7(0x017f22e279b0, rand), '017f22e2-79b0-7cc3-98c4-dc0c0c07398f');
  const re = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const before = Date.now();
  const id = k.eventUuid(globalThis.crypto);
  assert.match(id, re);
  const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  assert.ok(ms >= before && ms <= Date.now(), `timestamp ${ms} of ${id}`);
  const ids = [1, 2, 256, 65536, 2 ** 40].map((t) => k.uuidV7(before + t, new Uint8Array(16).fill(255)));
  assert.deepEqual([...ids].sort(), ids);
  assert.notEqual(k.eventUuid(globalThis.crypto), k.eventUuid(globalThis.crypto));
});

test('normalizeUuid', () => {
  assert.equal(k.normalizeUuid(' 0A300EE9-F9E4-5697-A51A-EFC7FAFABA67 '), '0a300ee9-f9e4-5697-a51a-efc7fafaba67');
  for (const bad of ['', 'x', '0a300ee9f9e45697a51aefc7fafaba67', '00000000-0000-0000-0000-000000000000', null, 42, {}])
    assert.equal(k.normalizeUuid(bad), '', String(bad));
});

test('identifier normalisation and junk values', () => {
  assert.equal(k.normalizeEmail('  Ada@Example.COM '), 'ada@example.com');
  for (const bad of ['ada', 'ada@', 'ada@example', 'a b@example.com', 'undefined', 'test@test.com', null, 7])
    assert.equal(k.normalizeEmail(bad), '', String(bad));
  assert.equal(k.normalizeCustomId(' LOY-1 '), 'LOY-1');
  assert.equal(k.normalizeCustomId(1234), '1234');
  for (const bad of ['', 'null', 'Guest', '0', '-1', 'a\nb', 'x'.repeat(257), '😀', undefined])
    assert.equal(k.normalizeCustomId(bad), '', String(bad));
});

test('reset decision (SPEC §2 Tracker reset)', () => {
  const h = k.identityHash;
  assert.equal(k.shouldReset('', h('ada@example.com')), false, 'first identification: no reset');
  assert.equal(k.shouldReset(h('ada@example.com'), h('ada@example.com')), false, 'same person');
  assert.equal(k.shouldReset(h('ada@example.com'), h('bob@example.com')), true, 'other person');
  assert.equal(k.shouldReset(h('ada@example.com'), h('')), false, 'no main identifier in the write');
  assert.equal(h(''), '');
  assert.doesNotMatch(h('ada@example.com'), /ada/, 'the identifier itself is not stored');
  assert.equal(k.mainIdentifier({ email: 'a@b.co', customId: 'C1' }, 'email'), 'a@b.co');
  assert.equal(k.mainIdentifier({ email: 'a@b.co', customId: 'C1' }, 'customId'), 'C1');
  assert.equal(k.mainIdentifier({ email: 'a@b.co' }, 'customId'), '');
});

test('cookie building and parsing', () => {
  const u = '0a300ee9-f9e4-5697-a51a-efc7fafaba67';
  assert.equal(k.buildCookie(u), `_kith_uuid=${u}; Max-Age=63072000; Path=/; SameSite=Lax`);
  assert.equal(k.buildCookie(u, { secure: true, domain: '.example.com' }),
    `_kith_uuid=${u}; Max-Age=63072000; Path=/; SameSite=Lax; Domain=.example.com; Secure`);
  assert.equal(k.parseCookie(`a=1; _kith_uuid=${u}; b=2`, '_kith_uuid'), u);
  assert.equal(k.parseCookie(`x_kith_uuid=nope;_kith_uuid=${u}`, '_kith_uuid'), u);
  assert.equal(k.parseCookie('a=1', '_kith_uuid'), '');
  assert.equal(k.parseCookie('', '_kith_uuid'), '');
  assert.equal(k.parseCookie('_kith_uuid=%E0%A4%A', '_kith_uuid'), '', 'malformed escape');
});

test('apiBase and pageKey', () => {
  assert.equal(k.apiBase('https://kith.example.com/sdk/kith.js', 'https://shop.example/'), 'https://kith.example.com');
  assert.equal(k.apiBase('https://h.example/kith/sdk/kith.js?v=3', 'https://shop.example/'), 'https://h.example/kith');
  assert.equal(k.apiBase('/sdk/kith.js', 'https://shop.example/a/b'), 'https://shop.example');
  assert.equal(k.apiBase('https://cdn.example/js/tracker.js', 'https://shop.example/'), 'https://cdn.example');
  assert.equal(k.pageKey('https://s.example/a#section'), 'https://s.example/a');
  assert.equal(k.pageKey('https://s.example/#/cart'), 'https://s.example/#/cart');
  assert.equal(k.pageKey('https://s.example/#!/cart'), 'https://s.example/#!/cart');
  assert.equal(k.pageKey('https://s.example/a?x=1'), 'https://s.example/a?x=1');
});

// f builds a field descriptor as readFields produces it.
const f = (o) => Object.assign({ type: 'text', value: '', checked: false }, o);

test('mapForm: identifiers, attributes, agreements, tags, params', () => {
  const r = k.mapForm([
    f({ name: 'mail', type: 'email', value: ' Ada@Example.com ', kith: 'email' }),
    f({ name: 'loyaltyCard', value: 'LOY-1', kith: 'customId' }), // mapped: allowed despite "card"
    f({ name: 'fn', value: 'Ada', kith: 'firstName' }),
    f({ name: 'club', type: 'checkbox', value: 'on', checked: true, kith: 'attributes.ClubMember' }),
    f({ name: 'kids', type: 'number', value: '2', kith: 'attributes.kids' }),
    f({ name: 'nl', type: 'checkbox', checked: true, kith: 'agreements.email' }),
    f({ name: 'sms', type: 'checkbox', checked: false, kith: 'agreements.sms' }), // unchecked → false
    f({ name: 'push', type: 'checkbox', checked: false, kith: 'agreements.push', only: true }), // opt-out of false
    f({ name: 'wifi', type: 'select-one', value: 'yes', kith: 'agreements.wifi' }),
    f({ name: 'interest', type: 'checkbox', value: 'ski', checked: true, kith: 'tags' }),
    f({ name: 'interest', type: 'checkbox', value: 'golf', checked: false, kith: 'tags' }),
    f({ name: 'message', type: 'textarea', value: ' Hello ' }),
    f({ name: 'topics', type: 'checkbox', value: 'a', checked: true }),
    f({ name: 'topics', type: 'checkbox', value: 'b', checked: true }),
    f({ name: 'topics', type: 'checkbox', value: 'c', checked: false }),
    f({ name: 'ok', type: 'checkbox', value: 'on', checked: true }),
    f({ name: 'size', type: 'radio', value: 'S', checked: false }),
    f({ name: 'size', type: 'radio', value: 'M', checked: true }),
    f({ name: 'colors', type: 'select-multiple', value: ['red', 'blue'] }),
    f({ name: 'empty', value: '   ' }),
    f({ name: '', value: 'no name' }),
    f({ name: 'go', type: 'submit', value: 'Send' }),
    f({ name: 'off', value: 'x', disabled: true }),
    f({ name: 'skip', value: 'x', ignore: true }),
    f({ name: 'odd', value: 'v', kith: 'somethingElse' }),
  ], 'newsletter, summer ,newsletter');
  assert.deepEqual(r.client, { email: 'ada@example.com', customId: 'LOY-1' });
  assert.deepEqual(r.attributes, { firstName: 'Ada', ClubMember: true, kids: 2 });
  assert.deepEqual(r.agreements, { email: true, sms: false, wifi: true });
  assert.deepEqual(r.tags, ['newsletter', 'summer', 'ski']);
  assert.deepEqual(r.params, { message: 'Hello', topics: ['a', 'b'], ok: true, size: 'M', colors: ['red', 'blue'], somethingElse: 'v' });
});

test('mapForm never sends passwords, card data or anti-forgery tokens', () => {
  const secret = [
    f({ name: 'pass', type: 'password', value: 'hunter2' }),
    f({ name: 'pass2', type: 'password', value: 'hunter2', kith: 'attributes.pass' }), // even when mapped
    f({ name: 'password', type: 'text', value: 'shown-password' }), // "show password" toggles the type
    f({ name: 'x1', value: '4111111111111111', autocomplete: 'cc-number' }),
    f({ name: 'x2', value: '12/29', autocomplete: 'billing cc-exp' }),
    f({ name: 'x3', value: 'hunter2', autocomplete: 'current-password' }),
    f({ name: 'otp', value: '123456', autocomplete: 'one-time-code' }),
    f({ name: 'cardnumber', value: '4111111111111111' }),
    f({ name: 'cc-number', value: '4111111111111111' }),
    f({ name: 'card', value: '4111111111111111' }),
    f({ name: 'card_holder', value: 'ADA LOVELACE' }),
    f({ name: 'cvc', value: '123' }),
    f({ name: 'CVV2', value: '123' }),
    f({ name: 'ccv', value: '123' }),
    f({ name: 'field7', id: 'credit-card-number', value: '4111111111111111' }),
    f({ name: 'pan', value: '4111111111111111', kith: 'attributes.pan' }),
    f({ name: 'csrf_token', type: 'hidden', value: 'abc' }),
    f({ name: '_csrf', type: 'hidden', value: 'abc' }),
    f({ name: 'authenticity_token', type: 'hidden', value: 'abc' }),
    f({ name: '__RequestVerificationToken', type: 'hidden', value: 'abc' }),
    f({ name: 'g-recaptcha-response', type: 'textarea', value: 'abc' }),
    f({ name: 'loyalty_card_number', value: '4111 1111 1111 1111', kith: 'customId' }), // payment-like name, even mapped
    f({ name: 'number', value: '4111 1111 1111 1111' }), // unmapped, Luhn-valid card number
    f({ name: 'field9', value: '4111-1111-1111-1111' }),
  ];
  const r = k.mapForm(secret.concat([f({ name: 'source', type: 'hidden', value: 'footer' })]), '');
  assert.deepEqual(r, { client: {}, params: { source: 'footer' }, attributes: {}, agreements: {}, tags: [] });
  const body = JSON.stringify(r);
  for (const s of ['hunter2', '4111', '123', 'abc', 'ADA']) assert.ok(!body.includes(s), s);
});

test('looksLikeCardNumber (Luhn)', () => {
  assert.equal(k.looksLikeCardNumber('4111111111111111'), true);
  assert.equal(k.looksLikeCardNumber('5500 0000 0000 0004'), true);
  assert.equal(k.looksLikeCardNumber('4111111111111112'), false, 'bad check digit');
  assert.equal(k.looksLikeCardNumber('+33 6 12 34 56 78'), false, 'phone number');
  assert.equal(k.looksLikeCardNumber('123456789012'), false, 'too short');
  assert.equal(k.looksLikeCardNumber(4111111111111111), false, 'not a string');
});

test('mapForm keeps an invalid email out of the identifiers', () => {
  const r = k.mapForm([f({ name: 'email', value: 'not-an-email', kith: 'email' })], '');
  assert.deepEqual(r.client, {});
  assert.deepEqual(r.params, { email: 'not-an-email' });
});

test('buildEvent and profilePart omit empty members', () => {
  assert.equal(k.profilePart({}, [], {}), undefined);
  assert.deepEqual(k.profilePart({ a: 1 }, [], undefined), { attributes: { a: 1 } });
  const e = k.buildEvent({
    eventId: 'e', action: 'a', label: '', time: 't', client: { uuid: 'u' }, params: {},
    context: { url: 'https://s.example/', referrer: '' },
  });
  assert.deepEqual(e, { eventId: 'e', action: 'a', time: 't', client: { uuid: 'u' }, context: { url: 'https://s.example/' } });
  assert.ok(!('source' in e));
});

// memStorage is a minimal Storage.
function memStorage() {
  const m = new Map();
  return {
    getItem: (x) => (m.has(x) ? m.get(x) : null),
    setItem: (x, v) => m.set(x, String(v)),
    removeItem: (x) => m.delete(x),
    map: m,
  };
}

test('retry backoff: 1 s, 2 s, 4 s … capped at 30 s', () => {
  assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map(k.backoff), [1000, 2000, 4000, 8000, 16000, 30000, 30000]);
});

test('retry queue: tries, cap, persistence', () => {
  const s = memStorage();
  const q = k.createQueue(s);
  assert.equal(q.delay(), -1);
  q.failed([{ e: { eventId: '1' }, n: 0 }]);
  assert.equal(q.delay(), 1000);
  assert.ok(s.getItem(k.QUEUE_KEY).includes('"eventId":"1"'), 'mirrored into sessionStorage');
  // A new page in the same tab picks the queue up.
  assert.deepEqual(k.createQueue(s).items.map((it) => it.e.eventId), ['1']);

  // An event is retried MAX_RETRIES (5) times after the first failure, then dropped.
  let batch = q.take();
  assert.equal(s.getItem(k.QUEUE_KEY), null);
  const delays = [];
  for (let i = 0; i < 10 && batch.length; i++) {
    q.failed(batch);
    delays.push(q.delay());
    batch = q.take();
  }
  assert.deepEqual(delays, [2000, 4000, 8000, 16000, -1]);

  // Capped at 100 events, the oldest dropped first.
  const many = Array.from({ length: 130 }, (_, i) => ({ e: { eventId: String(i) }, n: 0 }));
  q.failed(many);
  const items = q.items;
  assert.equal(items.length, k.QUEUE_MAX);
  assert.equal(items[0].e.eventId, '30');
  assert.equal(items[99].e.eventId, '129');
});

test('retry queue survives broken storage', () => {
  const broken = { getItem: () => '{not json', setItem: () => { throw new Error('quota'); }, removeItem: () => {} };
  const q = k.createQueue(broken);
  q.failed([{ e: { eventId: 'x' } }]);
  assert.equal(q.items.length, 1);
  assert.equal(k.createQueue(null).delay(), -1);
});
