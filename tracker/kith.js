/*! Kith browser tracker — https://github.com/kithcdp/kith — served at /sdk/kith.js */
// Dependency-free ES2017, served as-is (no build step). Read tracker/README.md
// for the integrator's view; the comments here explain the choices.
//
// Layout: the first half is pure logic (no DOM, no globals) so that node's
// test runner can exercise it through `module.exports.internals`; `start(win)`
// is the browser runtime and only touches the window it is given.
(function () {
  'use strict';

  // ---------------------------------------------------------------- constants

  const COOKIE = '_kith_uuid';
  const COOKIE_MAX_AGE = 2 * 365 * 24 * 3600; // two years, in seconds
  const MAIN_KEY = '_kith_main'; // localStorage: hash of the last main identifier sent
  const QUEUE_KEY = '_kith_queue'; // sessionStorage: events waiting for a retry
  const CARRY_KEY = '_kith_carry'; // sessionStorage: identifiers sent whose answer was not read yet
  const QUEUE_MAX = 100;
  const MAX_RETRIES = 5;
  const MAX_DELAY = 30000;
  // Chrome refuses keepalive bodies above 64 KiB (a quota shared by every
  // in-flight keepalive request); larger retry batches go without keepalive.
  const KEEPALIVE_LIMIT = 60000;
  const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8'; // RFC 4122 NameSpace_URL
  const NIL_UUID = '00000000-0000-0000-0000-000000000000';
  const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  // The server's default junk blocklist (SPEC §1). Filtering it here keeps a
  // `kith.identify({email: String(undefined)})` from triggering a reset or
  // getting the whole event rejected.
  const JUNK = ['', 'null', 'undefined', 'none', 'nil', 'anonymous', 'guest', 'unknown', '0', '-1',
    '[object object]', 'test@test.com', NIL_UUID];
  const DEFAULT_ATTRIBUTES = ['firstName', 'lastName', 'displayName', 'company', 'address', 'city',
    'province', 'zipCode', 'countryCode', 'birthDate', 'phone', 'sex', 'avatarUrl'];

  // ------------------------------------------------------------------- SHA-1
  // Synchronous SHA-1 (FIPS 180-4). Needed for UUIDv5; crypto.subtle would be
  // async (and missing on plain-http pages), which would force every send to
  // wait. Input: Uint8Array; output: Uint8Array(20).
  function sha1(msg) {
    const n = (msg.length + 72) & ~63; // + 0x80 byte + 8 length bytes, rounded up to 64
    const buf = new Uint8Array(n);
    buf.set(msg);
    buf[msg.length] = 0x80;
    const dv = new DataView(buf.buffer);
    dv.setUint32(n - 8, Math.floor(msg.length / 0x20000000)); // high 32 bits of the bit length
    dv.setUint32(n - 4, (msg.length * 8) >>> 0);
    const h = [0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476, 0xc3d2e1f0];
    const w = new Uint32Array(80);
    for (let off = 0; off < n; off += 64) {
      for (let i = 0; i < 16; i++) w[i] = dv.getUint32(off + i * 4);
      for (let i = 16; i < 80; i++) {
        const x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16];
        w[i] = (x << 1) | (x >>> 31);
      }
      let [a, b, c, d, e] = h;
      for (let i = 0; i < 80; i++) {
        const f = i < 20 ? (b & c) | (~b & d) : i < 40 || i >= 60 ? b ^ c ^ d : (b & c) | (b & d) | (c & d);
        const k = i < 20 ? 0x5a827999 : i < 40 ? 0x6ed9eba1 : i < 60 ? 0x8f1bbcdc : 0xca62c1d6;
        const t = (((a << 5) | (a >>> 27)) + f + e + k + w[i]) | 0;
        e = d; d = c; c = (b << 30) | (b >>> 2); b = a; a = t;
      }
      h[0] = (h[0] + a) | 0; h[1] = (h[1] + b) | 0; h[2] = (h[2] + c) | 0;
      h[3] = (h[3] + d) | 0; h[4] = (h[4] + e) | 0;
    }
    const out = new Uint8Array(20);
    const odv = new DataView(out.buffer);
    h.forEach((v, i) => odv.setUint32(i * 4, v >>> 0));
    return out;
  }

  const utf8 = (s) => new TextEncoder().encode(s);
  const hex = (bytes) => Array.from(bytes, (b) => (b < 16 ? '0' : '') + b.toString(16)).join('');
  const sha1Hex = (s) => hex(sha1(utf8(s)));

  // ------------------------------------------------------------------- UUIDs

  // normalizeUuid returns the canonical lower-case form of s, or '' when s is
  // not a UUID (or is the nil UUID, which the server refuses).
  function normalizeUuid(s) {
    const v = typeof s === 'string' ? s.trim().toLowerCase() : '';
    return UUID_RE.test(v) && v !== NIL_UUID ? v : '';
  }

  function bytesToUuid(b) {
    const x = hex(b);
    return x.slice(0, 8) + '-' + x.slice(8, 12) + '-' + x.slice(12, 16) + '-' + x.slice(16, 20) + '-' + x.slice(20, 32);
  }

  function uuidToBytes(u) {
    const x = u.replace(/-/g, '');
    const b = new Uint8Array(16);
    for (let i = 0; i < 16; i++) b[i] = parseInt(x.substr(i * 2, 2), 16);
    return b;
  }

  // stamp sets the version nibble and the RFC 4122 variant bits.
  function stamp(b, version) {
    b[6] = (b[6] & 0x0f) | (version << 4);
    b[8] = (b[8] & 0x3f) | 0x80;
    return bytesToUuid(b);
  }

  // uuidV4 turns 16 random bytes into a version-4 UUID.
  const uuidV4 = (random16) => stamp(Uint8Array.from(random16), 4);

  // uuidV5 is the name-based UUID of RFC 4122 §4.3 (SHA-1), the same as Go's
  // uuid.NewSHA1(ns, []byte(name)) and Python's uuid.uuid5(ns, name).
  function uuidV5(namespace, name) {
    const ns = uuidToBytes(namespace);
    const nm = utf8(name);
    const m = new Uint8Array(16 + nm.length);
    m.set(ns);
    m.set(nm, 16);
    return stamp(sha1(m).subarray(0, 16), 5);
  }

  // derivedUuid is the workspace's `derived` uuidPolicy (SPEC §2): UUIDv5 in
  // the URL namespace of salt + (normalized) main identifier, so the server
  // and every other system of the integrator compute the same uuid.
  const derivedUuid = (salt, identifier) => uuidV5(URL_NAMESPACE, salt + identifier);

  // uuidV7 is the time-ordered UUID of RFC 9562 §5.7: 48 bits of Unix time
  // in milliseconds, then random bits. Event ids made this way are unique
  // like random ones, but the server's event-id index grows at its end
  // rather than taking each new id at a random place.
  function uuidV7(ms, random16) {
    const b = Uint8Array.from(random16);
    for (let i = 5; i >= 0; i--, ms = Math.floor(ms / 256)) b[i] = ms % 256;
    return stamp(b, 7);
  }

  const eventUuid = (crypto) => uuidV7(Date.now(), crypto.getRandomValues(new Uint8Array(16)));

  // randomUuid prefers crypto.randomUUID (secure contexts only), then
  // crypto.getRandomValues (available on plain http too, in every browser
  // that runs ES2017).
  function randomUuid(crypto) {
    if (typeof crypto.randomUUID === 'function') return crypto.randomUUID().toLowerCase();
    return uuidV4(crypto.getRandomValues(new Uint8Array(16)));
  }

  // ------------------------------------------------------------- identifiers
  // Client-side versions of the server's normalisation, so the reset decision
  // compares what the server compares ("Ada@Example.com " is "ada@example.com").

  const isJunk = (v) => JUNK.indexOf(v.toLowerCase()) >= 0;

  function normalizeEmail(v) {
    if (typeof v !== 'string') return '';
    v = v.trim().toLowerCase();
    return /^[^\s@<>()[\]\\,;:"]+@[^\s@<>()[\]\\,;:".]+(\.[^\s@<>()[\]\\,;:".]+)+$/.test(v) && v.length <= 254 && !isJunk(v) ? v : '';
  }

  function normalizeCustomId(v) {
    if (typeof v === 'number' && isFinite(v)) v = String(v);
    if (typeof v !== 'string') return '';
    v = v.trim();
    // Control characters, line/paragraph separators and soft hyphens are refused by the server.
    return v.length <= 256 && !isJunk(v) && !/[\u0000-\u001f\u007f-\u009f\u00ad\u2028\u2029\ud800-\udfff]/.test(v) ? v : '';
  }

  // mainIdentifier is the identifier the reset rule watches: the email in the
  // default `email` identity mode, the customId in `customId` mode.
  const mainIdentifier = (client, mode) => (mode === 'customId' ? client.customId : client.email) || '';

  // shouldReset is the Tracker reset rule of SPEC §2: reset before sending a
  // main identifier that differs from the one this browser sent last. Nothing
  // remembered (a first identification) or no main identifier in the write
  // means no reset: that is the anonymous visitor becoming recognized (R5).
  const shouldReset = (rememberedHash, mainHash) => !!(rememberedHash && mainHash && rememberedHash !== mainHash);

  // identityHash is what is remembered in localStorage instead of the
  // identifier itself: the rule only needs equality, and a hash keeps the
  // email address out of storage that every script on the page can read.
  const identityHash = (main) => (main ? sha1Hex('kith:' + main) : '');

  // ----------------------------------------------------------------- cookies

  function buildCookie(value, opts) {
    opts = opts || {};
    let c = COOKIE + '=' + encodeURIComponent(value) + '; Max-Age=' + (opts.maxAge == null ? COOKIE_MAX_AGE : opts.maxAge) +
      '; Path=/; SameSite=Lax';
    if (opts.domain) c += '; Domain=' + opts.domain;
    if (opts.secure) c += '; Secure';
    return c;
  }

  // parseCookie returns the value of cookie `name` in a document.cookie string.
  function parseCookie(cookies, name) {
    const parts = (cookies || '').split(';');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i].trim();
      const eq = p.indexOf('=');
      if (eq > 0 && p.slice(0, eq) === name) {
        try {
          return decodeURIComponent(p.slice(eq + 1));
        } catch (e) {
          return '';
        }
      }
    }
    return '';
  }

  // -------------------------------------------------------------- form logic

  // Fields never sent, whatever their mapping. Names and ids are compared
  // lower-cased with punctuation removed ("cc-number" → "ccnumber").
  const SECRET_NAME = /passw|passwd|pwd|passcode|^pin$|cardnum|cardno|ccnum|ccno|creditcard|debitcard|cvc|cvv|ccv|^csc$|cardcsc|securitycode|cardcode|cardverif|cardexp|ccexp|^cc$|^card$|^pan$|iban|^ssn$|socialsecurity|csrf|xsrf|token|nonce|captcha|authenticity|viewstate|eventvalidation|honeypot|secret/;
  // Unmapped fields are dropped on a looser match: "card_holder" or
  // "giftcard" could be payment data and nobody mapped them deliberately
  // (while data-kith="customId" on a "loyaltyCard" field is allowed).
  const RISKY_UNMAPPED = /card|^cc/;
  const SKIP_TYPES = ['submit', 'button', 'reset', 'image', 'file'];

  // isSensitive reports whether a field descriptor must never leave the page.
  function isSensitive(f, mapped) {
    if ((f.type || '').toLowerCase() === 'password') return true;
    const ac = (f.autocomplete || '').toLowerCase();
    if (/(^|\s)cc-|password|one-time-code/.test(ac)) return true;
    return [f.name, f.id].some((s) => {
      const n = (s || '').toLowerCase().replace(/[^a-z0-9]/g, '');
      return n && (SECRET_NAME.test(n) || (!mapped && RISKY_UNMAPPED.test(n)));
    });
  }

  // looksLikeCardNumber catches a payment card typed into a field nobody
  // mapped ("number", "field7"): 13–19 digits, spaces or dashes allowed,
  // with a valid Luhn check digit. Not applied to mapped fields, since
  // loyalty card numbers (customId) often carry a Luhn digit too.
  function looksLikeCardNumber(v) {
    if (typeof v !== 'string' || !/^[\d -]{13,23}$/.test(v)) return false;
    const d = v.replace(/\D/g, '');
    if (d.length < 13 || d.length > 19) return false;
    let sum = 0;
    for (let i = 0; i < d.length; i++) {
      let x = +d[d.length - 1 - i];
      if (i % 2) x = x * 2 > 9 ? x * 2 - 9 : x * 2;
      sum += x;
    }
    return sum % 10 === 0;
  }

  function parseBool(v) {
    if (typeof v === 'boolean') return v;
    const s = String(v).trim().toLowerCase();
    if (['true', '1', 'yes', 'on', 'y'].indexOf(s) >= 0) return true;
    if (['false', '0', 'no', 'off', 'n'].indexOf(s) >= 0) return false;
    return undefined;
  }

  const splitList = (s) => (s || '').split(',').map((t) => t.trim()).filter(Boolean);

  function addValue(obj, key, v) {
    if (!(key in obj)) obj[key] = v;
    else obj[key] = [].concat(obj[key], v); // same name twice (checkbox groups) → list
  }

  function fieldValue(f) {
    const t = (f.type || '').toLowerCase();
    if (Array.isArray(f.value)) return f.value.filter((x) => x !== '');
    const s = f.value == null ? '' : String(f.value).trim();
    if ((t === 'number' || t === 'range') && s !== '' && isFinite(Number(s))) return Number(s);
    return s;
  }

  const isEmpty = (v) => v === '' || v == null || (Array.isArray(v) && !v.length);

  // mapForm turns field descriptors {name, type, value, checked, disabled,
  // kith (data-kith), only (data-kith-only-checked), ignore (data-kith-ignore),
  // autocomplete, id} into the parts of a form.submit event. Pure: the
  // browser side only reads the DOM into descriptors.
  function mapForm(fields, tags) {
    const r = { client: {}, params: {}, attributes: {}, agreements: {}, tags: splitList(tags) };
    for (const f of fields || []) {
      const type = (f.type || '').toLowerCase();
      const target = (f.kith || '').trim();
      // Disabled fields are not submitted by the browser either.
      if (f.disabled || f.ignore || SKIP_TYPES.indexOf(type) >= 0 || isSensitive(f, !!target)) continue;
      const check = type === 'checkbox';
      if (type === 'radio' && !f.checked) continue;
      if (!target) {
        // Unmapped: what the browser itself would submit, keyed by name.
        if (!f.name || (check && !f.checked)) continue;
        const v = check ? (f.value == null || f.value === '' || f.value === 'on' ? true : String(f.value)) : fieldValue(f);
        if (!isEmpty(v) && !looksLikeCardNumber(v)) addValue(r.params, f.name, v);
        continue;
      }
      if (check && !f.checked && (f.only || target === 'tags')) continue;
      const v = check && target !== 'tags' ? !!f.checked : fieldValue(f);
      if (isEmpty(v)) continue;
      if (target === 'email') {
        const e = normalizeEmail(String(v));
        // An invalid email would get the whole event refused: keep it as a
        // plain parameter instead, and do not let it drive the reset rule.
        if (e) r.client.email = e;
        else addValue(r.params, f.name || 'email', v);
      } else if (target === 'customId') {
        const c = normalizeCustomId(String(v));
        if (c) r.client.customId = c;
        else addValue(r.params, f.name || 'customId', v);
      } else if (target === 'tags') {
        for (const t of [].concat(v)) splitList(String(t)).forEach((x) => r.tags.push(x));
      } else if (target.indexOf('agreements.') === 0) {
        const b = parseBool(v);
        if (b !== undefined) r.agreements[target.slice(11)] = b;
      } else if (target.indexOf('attributes.') === 0 || DEFAULT_ATTRIBUTES.indexOf(target) >= 0) {
        const name = target.indexOf('attributes.') === 0 ? target.slice(11) : target;
        if (name) r.attributes[name] = v;
      } else {
        addValue(r.params, target, v); // unknown mapping: keep the value, don't invent an attribute
      }
    }
    r.tags = r.tags.filter((t, i) => r.tags.indexOf(t) === i);
    return r;
  }

  // profilePart builds the optional `profile` member, omitting empty parts.
  function profilePart(attributes, tags, agreements) {
    const p = {};
    if (attributes && Object.keys(attributes).length) p.attributes = attributes;
    if (tags && tags.length) p.tags = tags;
    if (agreements && Object.keys(agreements).length) p.agreements = agreements;
    return Object.keys(p).length ? p : undefined;
  }

  // buildEvent assembles one event of the ingestion API (SPEC §3). `source`
  // is not sent: the server sets "tracker" from the key kind, and the user
  // agent and IP come from the request itself.
  function buildEvent(o) {
    const e = { eventId: o.eventId, action: o.action };
    if (o.label) e.label = String(o.label);
    e.time = o.time;
    e.client = o.client;
    if (o.params && Object.keys(o.params).length) e.params = o.params;
    if (o.profile) e.profile = o.profile;
    if (o.context) {
      const c = {};
      if (o.context.url) c.url = o.context.url;
      if (o.context.referrer) c.referrer = o.context.referrer;
      e.context = c;
    }
    return e;
  }

  // pageKey is what SPA navigation compares to avoid a second page.visit for
  // the same page: the fragment is ignored (an in-page anchor is not a new
  // page) unless it is a hash route ("#/…" or "#!…").
  function pageKey(href) {
    const i = (href || '').indexOf('#');
    if (i < 0) return href || '';
    const h = href.charAt(i + 1);
    return h === '/' || h === '!' ? href : href.slice(0, i);
  }

  // apiBase derives the server from the script's own address:
  // https://host/prefix/sdk/kith.js?v=2 → https://host/prefix.
  function apiBase(src, pageHref) {
    try {
      const u = new URL(src, pageHref);
      const m = u.pathname.match(/^(.*)\/sdk\/[^/]*$/);
      return u.origin + (m ? m[1] : '');
    } catch (e) {
      return '';
    }
  }

  // ------------------------------------------------------------ retry queue

  // backoff is the wait before retry number n (1-based): 1 s, 2 s, 4 s, … ≤ 30 s.
  const backoff = (n) => Math.min(1000 * Math.pow(2, Math.max(n, 1) - 1), MAX_DELAY);

  // createQueue keeps events whose delivery failed, as items {e: event,
  // n: failed attempts, x: flags}. It is capped (oldest dropped first), drops
  // an event after MAX_RETRIES failed retries, and mirrors itself into
  // `storage` (sessionStorage) so a retry survives navigation in the tab.
  function createQueue(storage, max, maxRetries) {
    max = max || QUEUE_MAX;
    maxRetries = maxRetries || MAX_RETRIES;
    let items = [];
    try {
      items = JSON.parse((storage && storage.getItem(QUEUE_KEY)) || '[]') || [];
    } catch (e) {
      items = [];
    }
    const save = () => {
      try {
        if (!storage) return;
        if (items.length) storage.setItem(QUEUE_KEY, JSON.stringify(items));
        else storage.removeItem(QUEUE_KEY);
      } catch (e) {
        /* storage full or disabled: the in-memory queue still works */
      }
    };
    return {
      get items() {
        return items.slice();
      },
      // failed records a failed delivery of a batch of items.
      failed(batch) {
        for (const it of batch) {
          const n = (it.n || 0) + 1;
          if (n <= maxRetries) items.push(Object.assign({}, it, { n }));
        }
        if (items.length > max) items = items.slice(items.length - max);
        save();
      },
      // take removes and returns every queued item (for one retry batch).
      take() {
        const b = items;
        items = [];
        save();
        return b;
      },
      // delay is the wait before the next retry, or -1 when empty.
      delay() {
        if (!items.length) return -1;
        return backoff(Math.min.apply(null, items.map((it) => it.n || 1)));
      },
    };
  }

  // ------------------------------------------------------- browser runtime

  // start installs the tracker on window `win` and returns the `kith` API.
  function start(win) {
    const doc = win.document;
    const pre = win.kith;
    if (pre && typeof pre.getUuid === 'function') return pre; // loaded twice
    const cfg = readConfig(win, doc);
    const nav = win.navigator || {};
    const loc = win.location;
    const storage = (name) => {
      try {
        const s = win[name];
        return s && s.getItem ? s : null;
      } catch (e) {
        return null; // sandboxed iframes, blocked third-party storage
      }
    };
    const local = storage('localStorage');
    const session = storage('sessionStorage');
    const queue = createQueue(session);
    const endpoint = cfg.api && cfg.key ? cfg.api + '/api/v1/events?key=' + encodeURIComponent(cfg.key) : '';
    const keepaliveOK = typeof win.Request === 'function' && 'keepalive' in win.Request.prototype;
    const warn = (m) => {
      if (win.console && win.console.warn) win.console.warn('kith: ' + m);
    };
    if (!endpoint) warn('no data-key or data-api: nothing will be sent');

    let uuid = '';
    let timer = null;
    let lastPage = '';
    let referrer = doc.referrer || '';
    let lastForm = null;

    const get = (store, k) => {
      try {
        return (store && store.getItem(k)) || '';
      } catch (e) {
        return '';
      }
    };
    const set = (store, k, v) => {
      try {
        if (store) v ? store.setItem(k, v) : store.removeItem(k);
      } catch (e) {
        /* ignore */
      }
    };
    const lsGet = (k) => get(local, k);
    const lsSet = (k, v) => set(local, k, v);

    // A tagged form usually leaves the page, and its event is sent as the
    // page unloads (so may an identify): its answer is then never read, so
    // a uuidConflict (R6) would be lost and the next pages would land on
    // the other person's profile. The identifiers are kept for the tab
    // until an answer is read ({uuid, eventId, client}); meanwhile every
    // event of this uuid carries them, so the next page's first answer has
    // the uuidConflict and onResults applies it.
    let carryIds = []; // events sent with the carried identifiers
    const carried = () => {
      try {
        const c = JSON.parse(get(session, CARRY_KEY) || 'null');
        return c && c.uuid === uuid && c.client ? c : null; // a reset since then ends it
      } catch (e) {
        return null;
      }
    };
    const setCarry = (c) => set(session, CARRY_KEY, c ? JSON.stringify(c) : '');

    function setUuidCookie(v) {
      uuid = v;
      try {
        doc.cookie = buildCookie(v, { secure: loc.protocol === 'https:', domain: cfg.cookieDomain });
      } catch (e) {
        /* cookies blocked: the uuid lives for this page only */
      }
    }

    function newUuid() {
      if (typeof cfg.uuidGenerator === 'function') {
        try {
          const v = normalizeUuid(String(cfg.uuidGenerator()));
          if (v) return v;
        } catch (e) {
          /* fall through */
        }
        warn('bad uuidGenerator');
      }
      return randomUuid(win.crypto);
    }

    // rotate gives the browser a new uuid: the derived one for `main` under
    // the derived uuidPolicy, otherwise a random (or page-generated) one.
    // (If the derived uuid is the one in use, it is the one the server just
    // found on someone else, so a random one is taken instead.)
    function rotate(main) {
      const d = cfg.uuidPolicy === 'derived' && cfg.uuidSalt && main ? derivedUuid(cfg.uuidSalt, main) : '';
      setUuidCookie(d && d !== uuid ? d : newUuid());
    }

    // applyResetRule runs before an identify or form event is built, so that
    // event already carries the new uuid.
    function applyResetRule(client) {
      const h = identityHash(mainIdentifier(client, cfg.identityMode));
      if (!h) return;
      if (shouldReset(lsGet(MAIN_KEY), h)) rotate(mainIdentifier(client, cfg.identityMode));
      lsSet(MAIN_KEY, h);
    }

    function event(action, o) {
      const eventId = eventUuid(win.crypto);
      const client = Object.assign({ uuid }, o.client);
      const c = !client.email && !client.customId && carried();
      if (c) {
        Object.assign(client, c.client);
        carryIds.push(eventId);
      }
      return buildEvent({
        eventId,
        action,
        label: o.label,
        time: new Date().toISOString(),
        client,
        params: o.params,
        profile: o.profile,
        context: { url: loc.href, referrer },
      });
    }

    const bodyOf = (items) => JSON.stringify({ events: items.map((it) => it.e) });

    // beacon hands a body to navigator.sendBeacon; false if it could not.
    // text/plain is a CORS-safelisted type: no preflight request.
    function beacon(body) {
      try {
        return !!nav.sendBeacon && nav.sendBeacon(endpoint, new win.Blob([body], { type: 'text/plain;charset=UTF-8' }));
      } catch (e) {
        return false;
      }
    }

    function schedule(ms) {
      if (timer) win.clearTimeout(timer);
      const d = ms != null ? ms : queue.delay();
      timer = d < 0 ? null : win.setTimeout(flush, d);
    }

    function flush() {
      timer = null;
      // Offline: don't spend retries; the `online` event (or a later check) resumes.
      if (nav.onLine === false) return schedule(MAX_DELAY);
      const batch = queue.take();
      if (batch.length) post(batch, false);
    }

    // post delivers items ({e, n, x}). `unloading` marks a send that may
    // race a page navigation (a form submit): fetch with keepalive survives
    // it; browsers without keepalive get sendBeacon instead.
    function post(batch, unloading) {
      if (!endpoint) return;
      const body = bodyOf(batch);
      if (nav.onLine === false) {
        queue.failed(batch);
        return schedule();
      }
      if ((unloading && !keepaliveOK && beacon(body)) || (typeof win.fetch !== 'function' && beacon(body))) return;
      const failed = () => {
        queue.failed(batch);
        schedule();
      };
      let req;
      try {
        req = win.fetch(endpoint, {
          method: 'POST',
          body,
          headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
          keepalive: body.length < KEEPALIVE_LIMIT,
          credentials: 'omit',
        });
      } catch (e) {
        return failed();
      }
      req.then((res) => {
        if (res.ok) return res.json().then((j) => onResults(batch, j), () => {});
        // Overload and server errors are worth a retry; a refused body is not.
        if (res.status >= 500 || res.status === 429 || res.status === 408) return failed();
        warn('events refused: HTTP ' + res.status);
      }, failed).catch((e) => warn(String(e)));
    }

    function send(e, unloading, flags) {
      post([{ e, n: 0, x: flags || 0 }], unloading);
      return e.eventId;
    }

    // onResults applies R6: the server stored the write on another profile
    // than the one holding our uuid (a shared browser the rule could not
    // foresee, e.g. both people identified on other devices first). The uuid
    // is reset for future events, and a user.identify ties the new uuid to
    // the person right away (otherwise the next page.visit would create an
    // orphan anonymous profile). That follow-up never triggers another reset.
    function onResults(batch, j) {
      const results = (j && j.results) || [];
      const c = carried();
      if (c && batch.some((it, i) => results[i] && (it.e.eventId === c.eventId || carryIds.indexOf(it.e.eventId) >= 0))) {
        setCarry(null);
        carryIds = [];
      }
      for (let i = results.length - 1; i >= 0; i--) {
        const it = batch[i];
        if (!results[i] || !results[i].uuidConflict || !it || it.x || it.e.client.uuid !== uuid) continue;
        const c = it.e.client;
        const main = mainIdentifier(c, cfg.identityMode);
        rotate(main);
        lsSet(MAIN_KEY, identityHash(main));
        const client = {};
        if (c.email) client.email = c.email;
        if (c.customId) client.customId = c.customId;
        send(event('user.identify', { client, params: { reason: 'uuidConflict' } }), false, 1);
        return;
      }
    }

    // ---- public API

    function visit(force) {
      const href = loc.href;
      if (!force && pageKey(href) === pageKey(lastPage)) return;
      if (lastPage && pageKey(lastPage) !== pageKey(href)) referrer = lastPage; // SPA: the previous route is the referrer
      lastPage = href;
      const params = { url: href, title: doc.title || '' };
      if (referrer) params.referrer = referrer;
      return send(event('page.visit', { params }));
    }

    function track(action, params, label) {
      if (typeof action !== 'string' || !action.trim() || (params != null && (typeof params !== 'object' || Array.isArray(params))))
        return warn('track(action: string, params?: object, label?)');
      return send(event(action.trim(), { params: params || undefined, label }));
    }

    function identify(data) {
      data = data || {};
      const client = {};
      const email = normalizeEmail(data.email);
      const customId = normalizeCustomId(data.customId);
      if ((data.email != null && !email) || (data.customId != null && !customId)) warn('identify: invalid identifier ignored');
      if (email) client.email = email;
      if (customId) client.customId = customId;
      applyResetRule(client);
      const tags = typeof data.tags === 'string' ? splitList(data.tags) : Array.isArray(data.tags) ? data.tags : [];
      const profile = profilePart(data.attributes, tags, data.agreements);
      return sendIdentified(event('user.identify', { client, profile }), false);
    }

    // sendIdentified sends an identify or form event, keeping its
    // identifiers until its answer is read, in case the page is left
    // before (see carried).
    function sendIdentified(e, unloading) {
      const ids = {};
      if (e.client.email) ids.email = e.client.email;
      if (e.client.customId) ids.customId = e.client.customId;
      if (ids.email || ids.customId) setCarry({ uuid, eventId: e.eventId, client: ids });
      return send(e, unloading);
    }

    function reset() {
      rotate('');
      lsSet(MAIN_KEY, '');
      setCarry(null);
      return uuid;
    }

    function setUuid(v) {
      const n = normalizeUuid(v);
      if (!n) {
        warn('setUuid: not a UUID');
        return false;
      }
      setUuidCookie(n);
      return true;
    }

    // submitForm sends one form.submit for a tagged form. It never calls
    // preventDefault: the page's own handling goes on untouched.
    function submitForm(form) {
      const attr = (n) => form.getAttribute(n);
      const formType = (attr('data-kith-form') || attr('name') || attr('id') || 'form').trim();
      const m = mapForm(readFields(win, form), attr('data-kith-tags'));
      const params = Object.assign(m.params, { formType });
      const profile = profilePart(m.attributes, m.tags, m.agreements);
      // A double click submits twice; one event is enough.
      const sig = JSON.stringify([formType, m.client, params, profile]);
      const now = Date.now();
      if (lastForm && lastForm.sig === sig && now - lastForm.t < 2000) return;
      lastForm = { sig, t: now };
      applyResetRule(m.client);
      return sendIdentified(event('form.submit', { label: formType, client: m.client, params, profile }), true);
    }

    function call(args) {
      if (typeof args === 'function') return args(api);
      if (!args || typeof api[args[0]] !== 'function' || args[0] === 'push') return warn('unknown call ' + (args && args[0]));
      return api[args[0]].apply(null, Array.prototype.slice.call(args, 1));
    }

    let resolveReady;
    const api = {
      track,
      identify,
      reset,
      visit: () => visit(true),
      getUuid: () => uuid,
      setUuid,
      push: (args) => call(args), // keeps `kith.push([...])` snippets working after load
      ready: new Promise((r) => (resolveReady = r)),
    };

    // ---- initialisation

    const fromCookie = (() => {
      try {
        return normalizeUuid(parseCookie(doc.cookie, COOKIE));
      } catch (e) {
        return '';
      }
    })();
    // Re-writing the cookie on every load makes the two years rolling.
    setUuidCookie(fromCookie || newUuid());
    win.kith = api;

    // Submit events bubble, so one capturing listener on the document sees
    // every form, including ones added later (pop-ups) and before any page
    // handler can stop propagation. Limitation: form.submit() called from
    // script fires no submit event and is not seen (requestSubmit() is).
    doc.addEventListener('submit', (ev) => {
      try {
        const f = ev.target;
        if (f && f.getAttribute && f.getAttribute('data-kith-form') != null) submitForm(f);
      } catch (e) {
        warn('form: ' + e);
      }
    }, true);

    win.addEventListener('online', () => queue.delay() >= 0 && schedule(0));
    // Leaving the page with retries pending: hand them to the beacon as a
    // last chance. They stay queued (sessionStorage), and if they are sent
    // again on the next page the server's eventId dedup stores them once.
    win.addEventListener('pagehide', () => {
      const items = queue.items;
      if (items.length && endpoint && nav.onLine !== false) beacon(bodyOf(items));
    });

    // Calls queued before the script loaded run first, so a queued setUuid or
    // identify (and its reset) applies to the first page.visit.
    if (Array.isArray(pre)) pre.forEach((args) => {
      try {
        call(args);
      } catch (e) {
        warn(String(e));
      }
    });

    if (cfg.autoVisit) {
      visit(false);
      // SPA route changes. The visit is deferred a little so the app has set
      // the new document.title; pageKey dedup drops replaceState calls that
      // only touch the fragment or repeat the same URL.
      const later = () => win.setTimeout(() => visit(false), 50);
      const hist = win.history;
      ['pushState', 'replaceState'].forEach((name) => {
        const orig = hist && hist[name];
        if (typeof orig !== 'function') return;
        hist[name] = function () {
          const r = orig.apply(this, arguments);
          later();
          return r;
        };
      });
      win.addEventListener('popstate', later);
      win.addEventListener('hashchange', later);
    }

    if (queue.delay() >= 0) schedule(0); // retries left over by the previous page
    resolveReady(api);
    return api;
  }

  // readConfig merges window.kithConfig with the script tag's data-*
  // attributes; kithConfig wins, for tag managers that inject a bare tag.
  function readConfig(win, doc) {
    let script = doc.currentScript;
    if (!script || !/\/sdk\/[^/]*\.js/.test(script.src || '')) {
      const all = doc.querySelectorAll ? doc.querySelectorAll('script[src]') : [];
      script = Array.prototype.find.call(all, (s) => /\/sdk\/kith(\.min)?\.js([?#]|$)/.test(s.src)) || script;
    }
    const kc = win.kithConfig || {};
    // pick('autoVisit') reads kithConfig.autoVisit, else data-auto-visit.
    const pick = (k) => {
      const d = script && script.getAttribute && script.getAttribute('data-' + k.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase()));
      return kc[k] != null ? kc[k] : d || undefined;
    };
    const api = pick('api') || (script && script.src ? apiBase(script.src, win.location.href) : '');
    return {
      key: pick('key'),
      api: String(api || '').replace(/\/+$/, ''),
      autoVisit: String(pick('autoVisit')) !== 'false',
      identityMode: pick('identityMode') === 'customId' ? 'customId' : 'email',
      uuidPolicy: pick('uuidPolicy'),
      uuidSalt: pick('uuidSalt'),
      cookieDomain: pick('cookieDomain'),
      uuidGenerator: kc.uuidGenerator,
    };
  }

  // readFields reads a form's controls into mapForm descriptors. The
  // prototype getter is used because an <input name="elements"> shadows
  // form.elements (DOM clobbering).
  function readFields(win, form) {
    const proto = win.HTMLFormElement && Object.getOwnPropertyDescriptor(win.HTMLFormElement.prototype, 'elements');
    const els = proto ? proto.get.call(form) : form.elements;
    return Array.prototype.map.call(els || [], (el) => {
      const a = (n) => (el.getAttribute ? el.getAttribute(n) : null);
      const multiple = el.type === 'select-multiple';
      return {
        name: el.name,
        id: el.id,
        type: el.type,
        value: multiple ? Array.prototype.filter.call(el.options, (o) => o.selected).map((o) => o.value) : el.value,
        checked: el.checked,
        disabled: el.disabled,
        autocomplete: a('autocomplete'),
        kith: a('data-kith'),
        only: a('data-kith-only-checked') != null,
        ignore: a('data-kith-ignore') != null,
      };
    });
  }

  const internals = {
    sha1, sha1Hex, looksLikeCardNumber, uuidV4, uuidV5, uuidV7, eventUuid, derivedUuid, randomUuid, normalizeUuid, normalizeEmail, normalizeCustomId,
    mainIdentifier, shouldReset, identityHash, buildCookie, parseCookie, isSensitive, mapForm, profilePart,
    buildEvent, pageKey, apiBase, backoff, createQueue, readConfig, readFields,
    URL_NAMESPACE, COOKIE, MAIN_KEY, QUEUE_KEY, CARRY_KEY, QUEUE_MAX, MAX_RETRIES,
  };

  if (typeof module !== 'undefined' && module.exports) module.exports = { internals, start };
  if (typeof window !== 'undefined' && window.document) start(window);
})();
