// Tests of the browser runtime (start) against a small fake window: what is
// sent, when the uuid changes, retries. No jsdom: the fakes implement only
// what kith.js touches. Run: node --test tracker/
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const { internals: k, start } = require('./kith.js');

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
// Event ids are time-ordered (version 7).
const EVENT_ID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const TIME_RE = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;
const ENDPOINT = 'https://kith.example.com/api/v1/events?key=pk_test';

function memStorage() {
  const m = new Map();
  return { getItem: (x) => (m.has(x) ? m.get(x) : null), setItem: (x, v) => m.set(x, String(v)), removeItem: (x) => m.delete(x), map: m };
}

function emitter() {
  const ls = {};
  return {
    ls,
    addEventListener(type, fn, capture) { (ls[type] = ls[type] || []).push({ fn, capture }); },
    emit(type, ev) { for (const l of ls[type] || []) l.fn(ev || { type }); },
  };
}

// fakeWindow builds a window with a script tag carrying `attrs`. Network:
// every fetch is recorded in `sent`; `respond(events)` decides the answer.
function fakeWindow(opts = {}) {
  const attrs = Object.assign({ 'data-key': 'pk_test' }, opts.attrs);
  const script = { src: opts.src || 'https://kith.example.com/sdk/kith.js', getAttribute: (n) => (n in attrs ? attrs[n] : null) };
  const jar = new Map(Object.entries(opts.cookies || {}));
  const cookieWrites = [];
  const doc = Object.assign(emitter(), {
    currentScript: script,
    title: 'Home',
    referrer: opts.referrer || '',
    querySelectorAll: () => [script],
  });
  Object.defineProperty(doc, 'cookie', {
    get: () => [...jar].map(([n, v]) => n + '=' + v).join('; '),
    set(s) {
      cookieWrites.push(s);
      const [nv] = s.split(';');
      const i = nv.indexOf('=');
      jar.set(nv.slice(0, i), nv.slice(i + 1));
    },
  });
  const timers = [];
  let clock = 0;
  const sent = [];
  const beacons = [];
  const warnings = [];
  const win = Object.assign(emitter(), {
    document: doc,
    location: { href: opts.href || 'https://shop.example/', protocol: 'https:' },
    localStorage: opts.localStorage || memStorage(),
    sessionStorage: opts.sessionStorage || memStorage(),
    navigator: {
      onLine: true,
      sendBeacon: (url, blob) => { beacons.push({ url, blob }); return true; },
    },
    crypto: globalThis.crypto,
    Blob: globalThis.Blob,
    Request: opts.noKeepalive ? class {} : class { get keepalive() { return false; } },
    console: { warn: (m) => warnings.push(m) },
    setTimeout: (fn, ms) => { const t = { fn, at: clock + ms }; timers.push(t); return t; },
    clearTimeout: (t) => { const i = timers.indexOf(t); if (i >= 0) timers.splice(i, 1); },
    respond: () => ({ status: 200 }),
    fetch(url, init) {
      const events = JSON.parse(init.body).events;
      sent.push({ url, init, events });
      const r = win.respond(events);
      if (r.network) return Promise.reject(new TypeError('Failed to fetch'));
      const results = r.results || events.map((e) => ({ status: 'accepted', eventId: e.eventId, clientId: 1, uuidConflict: false }));
      return Promise.resolve({ ok: r.status < 300, status: r.status, json: async () => ({ results }) });
    },
    history: {
      pushState(s, t, url) { win.location.href = new URL(url, win.location.href).href; },
      replaceState(s, t, url) { win.location.href = new URL(url, win.location.href).href; },
    },
    kithConfig: opts.kithConfig,
    kith: opts.preload,
  });
  // advance runs the timers due within ms, in order.
  win.advance = async (ms) => {
    const end = clock + ms;
    for (;;) {
      await settle();
      timers.sort((a, b) => a.at - b.at);
      if (!timers.length || timers[0].at > end) break;
      const t = timers.shift();
      clock = t.at;
      t.fn();
    }
    clock = end;
    await settle();
  };
  Object.assign(win, { sent, beacons, warnings, cookieWrites, jar, timers, script });
  win.events = () => sent.flatMap((s) => s.events);
  return win;
}

const settle = () => new Promise((r) => setImmediate(r));

// field / form fakes, shaped like DOM elements.
function field(o) {
  const a = o.attrs || {};
  return Object.assign({ type: 'text', value: '', checked: false, disabled: false, id: '', name: '' }, o, {
    getAttribute: (n) => (n in a ? a[n] : null),
  });
}
function form(attrs, elements) {
  return { getAttribute: (n) => (n in attrs ? attrs[n] : null), elements };
}
const submit = (win, f) => win.document.emit('submit', { type: 'submit', target: f });

test('on load: cookie and page.visit, exact request', async () => {
  const win = fakeWindow({ referrer: 'https://google.example/' });
  const api = start(win);
  assert.equal(win.kith, api);
  assert.equal(await api.ready, api);
  const uuid = api.getUuid();
  assert.match(uuid, UUID_RE);
  assert.equal(win.cookieWrites[0], `_kith_uuid=${uuid}; Max-Age=63072000; Path=/; SameSite=Lax; Secure`);
  await settle();
  assert.equal(win.sent.length, 1);
  const { url, init, events } = win.sent[0];
  assert.equal(url, ENDPOINT);
  assert.equal(init.method, 'POST');
  assert.equal(init.headers['Content-Type'], 'text/plain;charset=UTF-8');
  assert.equal(init.keepalive, true);
  assert.equal(init.credentials, 'omit');
  const [e] = events;
  assert.match(e.eventId, EVENT_ID_RE);
  assert.match(e.time, TIME_RE);
  assert.deepEqual(e, {
    eventId: e.eventId, action: 'page.visit', time: e.time, client: { uuid },
    params: { url: 'https://shop.example/', title: 'Home', referrer: 'https://google.example/' },
    context: { url: 'https://shop.example/', referrer: 'https://google.example/' },
  });
  assert.ok(!('source' in e) && !('userAgent' in e.context));
  // Registered listeners: submit capture on document, online/pagehide/popstate on window.
  assert.equal(win.document.ls.submit[0].capture, true);
  assert.ok(win.ls.online && win.ls.pagehide && win.ls.popstate);
  // Loading the script twice keeps the first instance.
  assert.equal(start(win), api);
});

test('existing cookie is kept (and refreshed); http pages get no Secure flag', () => {
  const u = '0a300ee9-f9e4-5697-a51a-efc7fafaba67';
  const win = fakeWindow({ cookies: { _kith_uuid: u.toUpperCase() } });
  win.location.protocol = 'http:';
  assert.equal(start(win).getUuid(), u);
  assert.equal(win.cookieWrites[0], `_kith_uuid=${u}; Max-Age=63072000; Path=/; SameSite=Lax`);
});

test('invalid cookie value is replaced', () => {
  const win = fakeWindow({ cookies: { _kith_uuid: 'undefined' } });
  assert.match(start(win).getUuid(), UUID_RE);
});

test('track, setUuid, reset', async () => {
  const win = fakeWindow();
  const api = start(win);
  await settle();
  const id = api.track('cart.add', { sku: 'A1', qty: 2 }, 'Cart');
  assert.match(id, EVENT_ID_RE);
  const e = win.events().at(-1);
  assert.deepEqual(e, {
    eventId: id, action: 'cart.add', label: 'Cart', time: e.time, client: { uuid: api.getUuid() },
    params: { sku: 'A1', qty: 2 }, context: { url: 'https://shop.example/' },
  });
  assert.equal(api.track(''), undefined);
  assert.equal(api.track('x', 'not an object'), undefined);
  assert.equal(win.warnings.length, 2);

  assert.equal(api.setUuid('nope'), false);
  assert.equal(api.setUuid('0A300EE9-F9E4-5697-A51A-EFC7FAFABA67'), true);
  assert.equal(api.getUuid(), '0a300ee9-f9e4-5697-a51a-efc7fafaba67');
  assert.match(win.jar.get('_kith_uuid'), /^0a300ee9/);

  api.identify({ email: 'ada@example.com' });
  assert.ok(win.localStorage.getItem(k.MAIN_KEY));
  const next = api.reset();
  assert.match(next, UUID_RE);
  assert.notEqual(next, '0a300ee9-f9e4-5697-a51a-efc7fafaba67');
  assert.equal(win.localStorage.getItem(k.MAIN_KEY), null, 'identity forgotten');
});

test('identify: event shape and the reset rule (email mode)', async () => {
  const win = fakeWindow();
  const api = start(win);
  const first = api.getUuid();
  api.identify({
    email: ' Ada@Example.com', customId: 'LOY-1', attributes: { firstName: 'Ada' }, tags: ['vip'],
    agreements: { email: true },
  });
  let e = win.events().at(-1);
  assert.deepEqual(e, {
    eventId: e.eventId, action: 'user.identify', time: e.time,
    client: { uuid: first, email: 'ada@example.com', customId: 'LOY-1' },
    profile: { attributes: { firstName: 'Ada' }, tags: ['vip'], agreements: { email: true } },
    context: { url: 'https://shop.example/' },
  });
  // Stored as a hash, never the address itself.
  assert.ok(!win.localStorage.getItem(k.MAIN_KEY).includes('ada'));

  api.identify({ email: 'ADA@example.com' });
  assert.equal(api.getUuid(), first, 'same person: no reset');
  api.identify({ customId: 'LOY-2' });
  assert.equal(api.getUuid(), first, 'secondary identifier only: no reset');

  api.identify({ email: 'bob@example.com' });
  const second = api.getUuid();
  assert.notEqual(second, first, 'another person: new uuid');
  e = win.events().at(-1);
  assert.equal(e.client.uuid, second, 'the identify itself carries the new uuid');
  assert.match(win.jar.get('_kith_uuid'), new RegExp(second));

  await settle(); // answers read: no identifiers carried any more (see the carry tests)
  api.identify({ email: 'undefined' });
  assert.equal(api.getUuid(), second, 'junk values never reset');
  assert.deepEqual(win.events().at(-1).client, { uuid: second });
});

test('reset rule in customId mode', () => {
  const win = fakeWindow({ attrs: { 'data-identity-mode': 'customId' } });
  const api = start(win);
  const first = api.getUuid();
  api.identify({ customId: 'LOY-1', email: 'ada@example.com' });
  api.identify({ customId: 'LOY-1', email: 'other@example.com' });
  assert.equal(api.getUuid(), first, 'email is not the main identifier here');
  api.identify({ customId: 'LOY-2' });
  assert.notEqual(api.getUuid(), first);
});

test('derived uuid policy: reset gives UUIDv5(URL, salt + identifier)', () => {
  const win = fakeWindow({ attrs: { 'data-uuid-policy': 'derived', 'data-uuid-salt': 's3cr3t' } });
  const api = start(win);
  const first = api.getUuid();
  api.identify({ email: 'bob@example.com' });
  assert.equal(api.getUuid(), first, 'first identification keeps the anonymous uuid');
  api.identify({ email: 'Ada@Example.com' });
  assert.equal(api.getUuid(), 'e670b2f8-7cfb-5a26-baac-0029a794839d');
  assert.match(api.reset(), UUID_RE, 'an explicit reset is random');
});

test('uuidConflict answer resets the uuid and links the new one', async () => {
  const win = fakeWindow();
  const api = start(win);
  await settle();
  const first = api.getUuid();
  win.respond = (events) => ({
    status: 200,
    results: events.map((e) => ({ status: 'accepted', eventId: e.eventId, uuidConflict: true })),
  });
  api.identify({ email: 'bob@example.com', attributes: { firstName: 'Bob' } });
  await settle();
  const second = api.getUuid();
  assert.notEqual(second, first);
  const link = win.events().at(-1);
  assert.deepEqual(link, {
    eventId: link.eventId, action: 'user.identify', time: link.time,
    client: { uuid: second, email: 'bob@example.com' }, params: { reason: 'uuidConflict' },
    context: { url: 'https://shop.example/' },
  });
  await settle();
  assert.equal(api.getUuid(), second, 'a conflict on the link event does not reset again');
  assert.equal(win.sent.length, 3);
  // The remembered identity is now bob's: identifying as bob again keeps the uuid.
  win.respond = () => ({ status: 200 });
  api.identify({ email: 'bob@example.com' });
  assert.equal(api.getUuid(), second);
});

// A form that leaves the page: its event goes out as the page unloads and
// its answer is never read. A uuidConflict in it must still reach the
// tracker, or the next pages land on the other person's profile.
test('a form left before its answer: the next page carries its identifiers', async () => {
  const session = memStorage();
  const win = fakeWindow({ sessionStorage: session });
  const api = start(win);
  await settle();
  const first = api.getUuid();
  win.fetch = () => new Promise(() => {}); // the page is gone before the answer
  submit(win, newsletterForm());
  assert.ok(session.getItem(k.CARRY_KEY));
  assert.ok(!JSON.stringify(session.map).includes('SECRET'));

  // The next page: the server says the uuid belongs to someone else.
  const w2 = fakeWindow({ sessionStorage: session, cookies: { _kith_uuid: first } });
  w2.respond = (events) => ({ status: 200, results: events.map((e) => ({ status: 'accepted', eventId: e.eventId, uuidConflict: e.action === 'page.visit' })) });
  const api2 = start(w2);
  const visit = w2.events()[0];
  assert.deepEqual(visit.client, { uuid: first, email: 'ada@example.com' });
  await settle();
  const second = api2.getUuid();
  assert.notEqual(second, first, 'the uuidConflict of the carried visit resets the uuid');
  const link = w2.events().at(-1);
  assert.equal(link.action, 'user.identify');
  assert.deepEqual(link.client, { uuid: second, email: 'ada@example.com' });
  assert.equal(session.getItem(k.CARRY_KEY), null, 'an answer was read: nothing carried any more');

  const w3 = fakeWindow({ sessionStorage: session, cookies: { _kith_uuid: second } });
  start(w3);
  assert.deepEqual(w3.events()[0].client, { uuid: second });
});

test('carried identifiers end when an answer is read, and on reset', async () => {
  const session = memStorage();
  const win = fakeWindow({ sessionStorage: session });
  const api = start(win);
  await settle();
  submit(win, newsletterForm());
  assert.ok(session.getItem(k.CARRY_KEY));
  await settle();
  assert.equal(session.getItem(k.CARRY_KEY), null, 'the answer was read');
  assert.equal(api.getUuid(), win.events()[0].client.uuid, 'no conflict: same uuid');

  // Answers that never come: the identify's identifiers ride along.
  win.fetch = (url, init) => {
    win.sent.push({ url, init, events: JSON.parse(init.body).events });
    return new Promise(() => {});
  };
  api.identify({ email: 'ada@example.com' });
  assert.ok(session.getItem(k.CARRY_KEY), 'identify too');
  api.track('cart.add');
  assert.equal(win.events().at(-1).client.email, 'ada@example.com');
  api.reset();
  assert.equal(session.getItem(k.CARRY_KEY), null, 'reset forgets them');
  api.track('cart.add');
  assert.deepEqual(win.events().at(-1).client, { uuid: api.getUuid() });
});

const newsletterForm = () => form({ 'data-kith-form': 'newsletter', 'data-kith-tags': 'newsletter,summer' }, [
  field({ name: 'email', type: 'email', value: 'Ada@Example.com', attrs: { 'data-kith': 'email' } }),
  field({ name: 'first', value: 'Ada', attrs: { 'data-kith': 'firstName' } }),
  field({ name: 'club', type: 'checkbox', checked: true, value: 'on', attrs: { 'data-kith': 'attributes.ClubMember' } }),
  field({ name: 'consent', type: 'checkbox', checked: true, value: 'on', attrs: { 'data-kith': 'agreements.email' } }),
  field({ name: 'sms', type: 'checkbox', checked: false, value: 'on', attrs: { 'data-kith': 'agreements.sms' } }),
  field({ name: 'source', type: 'hidden', value: 'footer' }),
  field({ name: 'csrf_token', type: 'hidden', value: 'SECRET' }),
  field({ name: 'pw', type: 'password', value: 'SECRET' }),
  field({ name: 'cc', value: '4111111111111111', attrs: { autocomplete: 'cc-number' } }),
  field({ name: 'cvc', value: '123' }),
  field({ name: 'go', type: 'submit', value: 'Subscribe' }),
]);

test('form submit: one form.submit event with profile and params', async () => {
  const win = fakeWindow();
  const api = start(win);
  await settle();
  const uuid = api.getUuid();
  const f = newsletterForm();
  submit(win, f);
  submit(win, f); // double click
  submit(win, form({ 'data-other': 'x' }, [field({ name: 'q', value: 'shoes' })])); // untagged form
  await settle();
  const forms = win.events().filter((e) => e.action === 'form.submit');
  assert.equal(forms.length, 1);
  const e = forms[0];
  assert.deepEqual(e, {
    eventId: e.eventId, action: 'form.submit', label: 'newsletter', time: e.time,
    client: { uuid, email: 'ada@example.com' },
    params: { source: 'footer', formType: 'newsletter' },
    profile: {
      attributes: { firstName: 'Ada', ClubMember: true },
      tags: ['newsletter', 'summer'],
      agreements: { email: true, sms: false },
    },
    context: { url: 'https://shop.example/' },
  });
  assert.ok(!JSON.stringify(win.sent).includes('SECRET') && !JSON.stringify(win.sent).includes('4111'));
  assert.equal(win.sent.at(-1).init.keepalive, true, 'keepalive fetch survives the navigation');

  // Another person submits in the same browser: reset first.
  const f2 = newsletterForm();
  f2.elements[0].value = 'bob@example.com';
  submit(win, f2);
  const e2 = win.events().at(-1);
  assert.notEqual(e2.client.uuid, uuid);
  assert.equal(e2.client.uuid, api.getUuid());
});

test('form submit without keepalive support goes by sendBeacon', async () => {
  const win = fakeWindow({ noKeepalive: true });
  start(win);
  await settle();
  const before = win.sent.length;
  submit(win, newsletterForm());
  assert.equal(win.sent.length, before, 'no fetch');
  assert.equal(win.beacons.length, 1);
  assert.equal(win.beacons[0].url, ENDPOINT);
  assert.equal(win.beacons[0].blob.type, 'text/plain;charset=utf-8');
  const body = JSON.parse(await win.beacons[0].blob.text());
  assert.equal(body.events[0].action, 'form.submit');
});

test('a tracker error never breaks the page form', () => {
  const win = fakeWindow();
  start(win);
  const bad = { getAttribute: (n) => (n === 'data-kith-form' ? 'x' : null), get elements() { throw new Error('boom'); } };
  assert.doesNotThrow(() => submit(win, bad));
  assert.match(win.warnings.at(-1), /boom/);
});

test('network failure: queued, retried with backoff, then on online', async () => {
  const store = memStorage();
  const win = fakeWindow({ sessionStorage: store });
  win.respond = () => ({ network: true });
  const api = start(win);
  await settle();
  assert.equal(win.sent.length, 1);
  assert.ok(store.getItem(k.QUEUE_KEY), 'kept in sessionStorage');
  const id = win.sent[0].events[0].eventId;

  await win.advance(999);
  assert.equal(win.sent.length, 1);
  await win.advance(1); // 1 s
  assert.equal(win.sent.length, 2);
  await win.advance(2000); // 2 s
  assert.equal(win.sent.length, 3);
  assert.equal(win.sent[2].events[0].eventId, id, 'same eventId: the server dedupes');

  win.respond = () => ({ status: 200 });
  win.emit('online');
  await win.advance(0);
  assert.equal(win.sent.length, 4);
  assert.equal(store.getItem(k.QUEUE_KEY), null, 'delivered: queue empty');
  api.track('x');
  await settle();
  assert.equal(win.sent.at(-1).events.length, 1);
});

test('gives up after 5 retries; 4xx is not retried; 5xx is', async () => {
  const win = fakeWindow();
  win.respond = () => ({ network: true });
  start(win);
  await win.advance(120000);
  assert.equal(win.sent.length, 6, 'first attempt + 5 retries');
  assert.equal(win.timers.length, 0);

  const w2 = fakeWindow();
  w2.respond = () => ({ status: 400 });
  start(w2);
  await w2.advance(120000);
  assert.equal(w2.sent.length, 1);
  assert.match(w2.warnings[0], /HTTP 400/);

  const w3 = fakeWindow();
  let n = 0;
  w3.respond = () => ({ status: n++ ? 200 : 503 });
  start(w3);
  await w3.advance(5000);
  assert.equal(w3.sent.length, 2);
});

test('offline: no attempt, no retry spent; leftovers of the previous page are sent on load', async () => {
  const store = memStorage();
  const win = fakeWindow({ sessionStorage: store });
  win.navigator.onLine = false;
  start(win);
  await settle();
  assert.equal(win.sent.length, 0);
  await win.advance(60000);
  assert.equal(win.sent.length, 0);
  assert.ok(store.getItem(k.QUEUE_KEY));
  // pagehide while offline: no beacon.
  win.emit('pagehide');
  assert.equal(win.beacons.length, 0);

  // Next page in the same tab, back online.
  const w2 = fakeWindow({ sessionStorage: store });
  start(w2);
  await w2.advance(0);
  assert.equal(w2.sent.length, 2, 'the new page.visit and the queued one');
  assert.equal(store.getItem(k.QUEUE_KEY), null);
});

test('pagehide hands pending retries to sendBeacon', async () => {
  const win = fakeWindow();
  win.respond = () => ({ network: true });
  start(win);
  await settle();
  win.emit('pagehide');
  assert.equal(win.beacons.length, 1);
  assert.equal(JSON.parse(await win.beacons[0].blob.text()).events[0].action, 'page.visit');
});

test('SPA navigation: one page.visit per new URL', async () => {
  const win = fakeWindow();
  start(win);
  await settle();
  win.history.pushState({}, '', '/products');
  win.document.title = 'Products';
  await win.advance(50);
  let e = win.events().at(-1);
  assert.deepEqual(e.params, { url: 'https://shop.example/products', title: 'Products', referrer: 'https://shop.example/' });
  assert.deepEqual(e.context, { url: 'https://shop.example/products', referrer: 'https://shop.example/' });
  win.history.replaceState({}, '', '/products'); // same URL
  win.history.pushState({}, '', '/products#reviews'); // in-page anchor
  win.emit('popstate');
  await win.advance(100);
  assert.equal(win.events().length, 2);
  win.history.pushState({}, '', '/cart');
  await win.advance(50);
  e = win.events().at(-1);
  assert.equal(e.params.url, 'https://shop.example/cart');
  assert.equal(e.params.referrer, 'https://shop.example/products', 'the anchor was not a page');
  assert.equal(win.events().length, 3);
});

test('data-auto-visit="false" sends nothing by itself; kith.visit() does', async () => {
  const win = fakeWindow({ attrs: { 'data-auto-visit': 'false' } });
  const api = start(win);
  win.history.pushState({}, '', '/x');
  await win.advance(100);
  assert.equal(win.sent.length, 0);
  api.visit();
  assert.equal(win.events()[0].action, 'page.visit');
});

test('pre-load queue, kithConfig, data-api and uuidGenerator', async () => {
  const gen = '11111111-2222-4333-8444-555555555555';
  let seen;
  const win = fakeWindow({
    attrs: { 'data-key': null, 'data-api': 'https://collect.example/base/' },
    kithConfig: { key: 'pk_cfg', uuidGenerator: () => gen },
    preload: [['identify', { email: 'ada@example.com' }], ['track', 'promo.view', { id: 7 }], (api) => { seen = api; }],
  });
  const api = start(win);
  assert.equal(seen, api);
  assert.equal(api.getUuid(), gen);
  await settle();
  assert.equal(win.sent[0].url, 'https://collect.example/base/api/v1/events?key=pk_cfg');
  assert.deepEqual(win.events().map((e) => e.action), ['user.identify', 'promo.view', 'page.visit']);
  api.push(['track', 'after.load']);
  assert.equal(win.events().at(-1).action, 'after.load');
  // A generator returning junk falls back to a random v4.
  const w2 = fakeWindow({ kithConfig: { uuidGenerator: () => 'nope' } });
  assert.match(start(w2).getUuid(), UUID_RE);
});

test('script found by src when currentScript is unavailable; missing key sends nothing', async () => {
  const win = fakeWindow({ attrs: { 'data-key': null }, src: 'https://k.example/p/sdk/kith.js?v=1' });
  win.document.currentScript = null;
  const api = start(win);
  await settle();
  assert.equal(win.sent.length, 0);
  assert.match(win.warnings[0], /data-key/);
  assert.match(api.getUuid(), UUID_RE);
  assert.equal(k.readConfig(win, win.document).api, 'https://k.example/p');
});

test('readFields reads DOM-like controls', () => {
  const sel = { type: 'select-multiple', name: 'c', options: [{ value: 'a', selected: true }, { value: 'b', selected: false }], getAttribute: () => null };
  const inp = field({ name: 'e', value: 'x', attrs: { 'data-kith': 'email', autocomplete: 'email', 'data-kith-only-checked': '' } });
  const d = k.readFields({}, { elements: [sel, inp] });
  assert.deepEqual(d[0].value, ['a']);
  assert.equal(d[1].kith, 'email');
  assert.equal(d[1].autocomplete, 'email');
  assert.equal(d[1].only, true);
  assert.equal(d[1].ignore, false);
});

test('derived policy: a uuidConflict reset takes the derived uuid of the event identifier', async () => {
  const win = fakeWindow({ attrs: { 'data-uuid-policy': 'derived', 'data-uuid-salt': 's3cr3t' } });
  const api = start(win);
  await settle();
  win.respond = (events) => ({ status: 200, results: events.map(() => ({ status: 'accepted', uuidConflict: true })) });
  api.identify({ email: 'ada@example.com' });
  await settle();
  assert.equal(api.getUuid(), 'e670b2f8-7cfb-5a26-baac-0029a794839d');
  assert.equal(win.events().at(-1).client.uuid, 'e670b2f8-7cfb-5a26-baac-0029a794839d');
});

test('hash routers: each #/route is a page', async () => {
  const win = fakeWindow({ href: 'https://app.example/#/home' });
  start(win);
  win.location.href = 'https://app.example/#/settings';
  win.emit('hashchange');
  win.emit('popstate');
  await win.advance(60);
  assert.deepEqual(win.events().map((e) => e.params.url), ['https://app.example/#/home', 'https://app.example/#/settings']);
});
