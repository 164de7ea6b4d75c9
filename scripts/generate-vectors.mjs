// Regenerates spec/vectors/*.json from the inputs below (`npm run spec:vectors`).
//
// Expected values come from oracles independent of auditwire's own code: the `canonicalize` package (RFC 8785)
// for canonical strings, node:crypto for hashes, the vendor's `computeHash` (@retracedhq/retraced) for Retraced,
// and RFC 8785's own published outputs where the RFC gives them (asserted below). auditwire's build is only used
// to double-check the rejection vectors. The committed files are then checked by `npm run conformance` against
// both the TypeScript implementation and the independent Python reference.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import canonicalize from 'canonicalize';
import { CanonicalizationError, canonicalJson, parseIJson } from '../dist/index.js';

const require = createRequire(import.meta.url);
const { computeHash } = require('@retracedhq/retraced');

const sha256 = (text) => createHash('sha256').update(text, 'utf8').digest('hex');
const outDir = new URL('../spec/vectors/', import.meta.url);

/** [name, description, json text, canonical output the RFC or a hand check fixes (optional)] */
const keys = [
  ['rfc8785-sorting-example', 'RFC 8785 section 3.2.3: keys sort by UTF-16 code units across scripts and planes',
    '{"\\u20ac":"Euro Sign","\\r":"Carriage Return","\\ufb33":"Hebrew Letter Dalet With Dagesh","1":"One","\\ud83d\\ude00":"Emoji: Grinning Face","\\u0080":"Control","\\u00f6":"Latin Small Letter O With Diaeresis"}',
    '{"\\r":"Carriage Return","1":"One","\u0080":"Control","ö":"Latin Small Letter O With Diaeresis","€":"Euro Sign","😀":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}'],
  ['ascii-order', 'plain ASCII keys sort lexicographically', '{"b":1,"a":2,"c":3}', '{"a":2,"b":1,"c":3}'],
  ['uppercase-first', 'uppercase letters (0x41-0x5A) sort before lowercase (0x61-0x7A)', '{"a":1,"B":2,"A":3,"b":4}', '{"A":3,"B":2,"a":1,"b":4}'],
  ['prefix-shorter-first', 'a key sorts before every key it is a prefix of; the empty key sorts first', '{"ab":1,"a":2,"abc":3,"":4}', '{"":4,"a":2,"ab":1,"abc":3}'],
  ['digits-punctuation-letters', 'keys compare as text, not numbers: "10" < "9"', '{"10":1,"9":2,"1":3,"a":4,"_":5,"-":6}', '{"-":6,"1":3,"10":1,"9":2,"_":5,"a":4}'],
  ['utf16-not-codepoint-order', 'U+1F600 is stored as surrogates D83D DE00, which sort BEFORE U+E000 and U+FFFF (code point order would put it last)',
    '{"\\uffff":1,"\\ud83d\\ude00":2,"\\ue000":3}', '{"😀":2,"\ue000":3,"\uffff":1}'],
  ['astral-planes', 'keys from planes 1, 2 and 16 and the BMP', '{"\\udbff\\udfff":"plane 16","\\ud840\\udc00":"plane 2","\\ud834\\udd1e":"plane 1","\\u4e2d":"BMP"}'],
  ['latin1-cjk-ascii', 'ASCII < Latin-1 < CJK', '{"中":1,"é":2,"z":3}', '{"z":3,"é":2,"中":1}'],
  ['normalization-forms-kept-apart', 'NFC "é" (U+00E9) and NFD "e"+U+0301 are different keys; no normalization', '{"\\u00e9":"nfc","e\\u0301":"nfd"}'],
  ['escaped-character-keys', 'keys holding escaped characters sort by the character, not the escape', '{"\\\\":3,"\\"":2,"\\n":1}', '{"\\n":1,"\\"":2,"\\\\":3}'],
  ['nested-objects-sorted-at-every-level', 'sorting applies inside nested objects and objects in arrays', '{"z":{"y":1,"x":[{"b":1,"a":2}]},"a":{"d":0,"c":0}}', '{"a":{"c":0,"d":0},"z":{"x":[{"a":2,"b":1}],"y":1}}'],
  ['reverse-alphabet', '26 keys given in reverse', `{${'zyxwvutsrqponmlkjihgfedcba'.split('').map((k, i) => `"${k}":${i}`).join(',')}}`],
  ['proto-key-is-data', 'a "__proto__" key is ordinary data', '{"__proto__":{"polluted":true},"constructor":"x"}', '{"__proto__":{"polluted":true},"constructor":"x"}'],
];

const strings = [
  ['control-characters', 'U+0000..U+001F: the RFC\'s short escapes where they exist, \\u00xx with lowercase hex otherwise',
    JSON.stringify(Array.from({ length: 32 }, (_, i) => String.fromCharCode(i)).join('')),
    '"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f"'],
  ['quote-and-backslash', 'the only printable characters that are escaped', '"say \\"hi\\" \\\\ bye"', '"say \\"hi\\" \\\\ bye"'],
  ['solidus-not-escaped', '"\\/" in the input is written as a plain "/"', '"a\\/b"', '"a/b"'],
  ['del-raw', 'U+007F is not a control character for JSON and stays raw', '"\\u007f"', '"\u007f"'],
  ['line-separators-raw', 'U+2028 and U+2029 stay raw', '"\\u2028\\u2029"', '"\u2028\u2029"'],
  ['emoji-raw', 'a surrogate pair given as escapes is written as the raw character', '"\\ud83d\\ude00"', '"😀"'],
  ['non-ascii-raw', 'non-ASCII text is written raw (UTF-8 on the wire), never escaped', '"\\u00fcber \\u0436 \\u4e2d\\u6587"', '"über ж 中文"'],
  ['no-normalization', 'NFD text is not normalized to NFC', '"e\\u0301"', '"e\u0301"'],
  ['unneeded-escapes', 'escaped ASCII letters are written raw', '"\\u0041\\u0062"', '"Ab"'],
  ['empty-string', 'the empty string', '""', '""'],
  ['c1-control-raw', 'C1 controls (U+0080..U+009F) stay raw', '"\\u0080\\u009f"', '"\u0080\u009f"'],
  ['byte-order-mark-raw', 'U+FEFF inside a string stays raw', '"\\ufeffx"', '"\ufeffx"'],
  ['mixed-escapes', 'tab, newline, quote and unicode together', '{"msg":"line1\\nline2\\t\\"q\\" \\u00e9"}', '{"msg":"line1\\nline2\\t\\"q\\" é"}'],
];

// RFC 8785 Appendix B: IEEE-754 value -> ECMAScript serialization.
const rfcNumbers = [
  ['0', '0'], ['-0', '0'], ['5e-324', '5e-324'], ['-5e-324', '-5e-324'],
  ['1.7976931348623157e308', '1.7976931348623157e+308'], ['-1.7976931348623157e308', '-1.7976931348623157e+308'],
  ['9007199254740992', '9007199254740992'], ['-9007199254740992', '-9007199254740992'],
  ['295147905179352830000', '295147905179352830000'], ['9.999999999999997e22', '9.999999999999997e+22'],
  ['1e23', '1e+23'], ['1.0000000000000001e23', '1.0000000000000001e+23'],
  ['999999999999999700000', '999999999999999700000'], ['999999999999999900000', '999999999999999900000'],
  ['1e21', '1e+21'], ['9.999999999999997e-7', '9.999999999999997e-7'], ['0.000001', '0.000001'],
  ['333333333.3333332', '333333333.3333332'], ['333333333.33333325', '333333333.33333325'],
  ['333333333.3333333', '333333333.3333333'], ['333333333.3333334', '333333333.3333334'],
  ['333333333.33333343', '333333333.33333343'], ['-0.0000033333333333333333', '-0.0000033333333333333333'],
  ['1424953923781206.2', '1424953923781206.2'],
];
const moreNumbers = [
  ['integer-one-point-zero', '1.0', '1'], ['exponent-uppercase', '1E2', '100'], ['exponent-plus', '1e+2', '100'],
  ['negative-zero-float', '-0.0', '0'], ['one-tenth', '0.1', '0.1'], ['float-sum-artifact', '0.30000000000000004', '0.30000000000000004'],
  ['largest-under-1e21', '1e20', '100000000000000000000'], ['five-e-minus-seven', '5e-7', '5e-7'],
  ['one-e-minus-seven', '1e-7', '1e-7'], ['one-e-minus-five', '0.00001', '0.00001'],
  ['max-safe-integer', '9007199254740991', '9007199254740991'], ['min-safe-integer', '-9007199254740991', '-9007199254740991'],
  ['beyond-safe-integer-rounds', '9007199254740993', '9007199254740992'], ['trailing-zeros', '123.4500', '123.45'],
  ['leading-zero-fraction', '0.5', '0.5'], ['denormal', '1e-323', '1e-323'], ['smallest-normal', '2.2250738585072014e-308', '2.2250738585072014e-308'],
  ['large-exponent', '1e308', '1e+308'], ['underflow-to-zero', '1e-400', '0'], ['negative-underflow-to-zero', '-1e-400', '0'], ['negative-exponent-form', '-1.5e-9', '-1.5e-9'], ['integer-with-exponent', '12e3', '12000'],
  ['rounding-to-shortest', '4.350000000000000088817841970012523', '4.35'], ['pi', '3.141592653589793', '3.141592653589793'],
];

const structures = [
  ['empty-object', 'an empty object', '{}', '{}'],
  ['empty-array', 'an empty array', '[]', '[]'],
  ['nested-empty-containers', 'empty containers nested in objects and arrays', '{"b":[],"a":{},"c":[{},[]]}', '{"a":{},"b":[],"c":[{},[]]}'],
  ['array-order-kept', 'array elements keep their order', '[3,1,2,"b","a"]', '[3,1,2,"b","a"]'],
  ['literals', 'true, false and null', '[true,false,null]', '[true,false,null]'],
  ['top-level-true', 'a bare literal is a valid JSON text', 'true', 'true'],
  ['top-level-null', 'null at the top level', 'null', 'null'],
  ['top-level-string', 'a bare string', '"audit"', '"audit"'],
  ['whitespace-removed', 'insignificant whitespace is dropped', ' { "a" : [ 1 , 2 ] ,\n\t"b" : { } } ', '{"a":[1,2],"b":{}}'],
  ['deep-nesting', '32 levels of arrays around an object', `${'['.repeat(32)}{"k":"v"}${']'.repeat(32)}`],
  ['mixed-array', 'an array holding every JSON type', '[{"b":2,"a":1},[1,"x"],"s",1.5,-0,true,null]', '[{"a":1,"b":2},[1,"x"],"s",1.5,0,true,null]'],
];

const sampleEvent = readFileSync(new URL('../examples/auditlog-sample-event.json', import.meta.url), 'utf8');
const events = [
  ['auditlog-co-sample-event', 'the AuditLog.co sample event (examples/auditlog-sample-event.json): one element of the wire array', sampleEvent],
  ['common-model-minimal', 'the smallest valid auditwire event after defaults are filled', '{"id":"0b8e4e2c-5f1d-4a8e-9a57-3c1f6d2e7b90","action":"user.login","time":"2026-01-02T03:04:05.678Z","outcome":"success","severity":"Info"}'],
  ['common-model-failed-login', 'an anonymous failed login with request context', '{"id":"evt-7","action":"user.login","time":"2026-01-02T03:04:05.678Z","outcome":"failure","anonymous":true,"severity":"Medium","ip":"198.51.100.23","userAgent":"curl/8.5.0","fields":{"reason":"unknown user","attemptedEmail":"x@example.com"},"tags":["auth","login"]}'],
  ['retraced-wire-event', 'a Retraced publisher event body', '{"action":"api_key.created","crud":"c","group":{"id":"acme","name":"Acme"},"actor":{"id":"user-42","name":"Jane"},"target":{"id":"key-9","type":"api_key"},"source_ip":"203.0.113.7","created":"2026-01-02T03:04:05.678Z","is_failure":false,"is_anonymous":false,"external_id":"evt-8","fields":{"scope":"read:audit"}}'],
  ['frontegg-flat-event', 'a Frontegg audit body (flat)', '{"tenantId":"acme","user":"jane@acme.example","resource":"Portal","action":"Login","severity":"Info","ip":"203.0.113.7","auditwireId":"evt-9"}'],
  ['logzab-event-without-key', 'a LogZab addTrail body minus apiKey (what its hash covers)', '{"actor":{"unique_id":"user-42","name":"Jane","group":"acme","ip":"203.0.113.7"},"object":"invoice #42","action":"update","path":"/invoices/42","desc":"changed due date","tag":"billing,invoice","timezone":"UTC"}'],
  ['unicode-heavy-event', 'names and fields in several scripts, emoji included', '{"action":"document.shared","actor":{"id":"u-1","name":"José Ñúñez 😀"},"target":{"id":"d-1","name":"Отчёт 2026 — 中文"},"fields":{"ключ":"значение","\\ud83d\\udd11":"emoji key"}}'],
];

const rejects = [
  ['duplicate-key', 'RFC 7493 2.3: object member names must be unique', '{"a":1,"a":2}', 'not-i-json', '$.a'],
  ['duplicate-key-nested', 'duplicates are found at any depth', '{"x":{"b":1,"b":2}}', 'not-i-json', '$.x.b'],
  ['duplicate-key-in-array-element', 'duplicates inside an array element', '[{"ok":1},{"k":1,"k":1}]', 'not-i-json', '$[1].k'],
  ['duplicate-key-via-escape', '"a" and "\\u0061" are the same name', '{"a":1,"\\u0061":2}', 'not-i-json', '$.a'],
  ['lone-high-surrogate', 'RFC 7493 2.1: strings must be valid Unicode', '{"s":"\\ud800"}', 'not-i-json', '$.s'],
  ['lone-low-surrogate', 'a low surrogate without its high half', '["ok","\\udc00"]', 'not-i-json', '$[1]'],
  ['reversed-surrogate-pair', 'low then high is two lone surrogates', '"\\udc00\\ud800"', 'not-i-json', '$'],
  ['lone-surrogate-deep', 'the path names the nested string', '{"a":[{"b":"x\\udfffy"}]}', 'not-i-json', '$.a[0].b'],
  ['lone-surrogate-in-key', 'member names must be valid Unicode too (path escapes the key)', '{"\\ud800":1}', 'not-i-json', '$["\\ud800"]'],
  ['number-overflows-to-infinity', 'RFC 7493 2.2: 1e400 is not representable as a double', '1e400', 'not-i-json', '$'],
  ['negative-overflow-nested', '-1e400 inside an array inside an object', '{"a":[-1e400]}', 'not-i-json', '$.a[0]'],
  ['nan-literal', 'NaN is not JSON (RFC 8259)', '[NaN]', 'syntax'],
  ['infinity-literal', 'Infinity is not JSON', '{"a":Infinity}', 'syntax'],
  ['trailing-comma', 'trailing commas are not JSON', '[1,2,]', 'syntax'],
  ['single-quotes', 'strings need double quotes', "{'a':1}", 'syntax'],
  ['comment', 'JSON has no comments', '{"a":1 /* no */}', 'syntax'],
  ['leading-zero', 'numbers have no leading zeros', '[01]', 'syntax'],
  ['raw-control-character', 'control characters inside strings must be escaped', '"a\tb"', 'syntax'],
  ['hex-number', 'no hexadecimal numbers', '[0x10]', 'syntax'],
  ['empty-text', 'an empty text is not a JSON value', '', 'syntax'],
  ['invalid-escape', '\\x is not a JSON escape', '"\\x41"', 'syntax'],
  ['two-values', 'one JSON text holds one value', '{} {}', 'syntax'],
  ['byte-order-mark', 'a JSON text does not start with U+FEFF (RFC 8259 8.1)', '\ufeff{}', 'syntax'],
  ['integer-literal-too-large', 'a 400-digit integer is beyond the double range', '1'.repeat(400), 'not-i-json', '$'],
  ['first-problem-reported', 'with several problems, the first in document order is reported', '{"a":"\\ud800","b":1e400}', 'not-i-json', '$.a'],
];

const retraced = [
  ...JSON.parse(readFileSync(new URL('../test/fixtures/retraced-hash-vectors.json', import.meta.url), 'utf8'))
    .vectors.map((v, i) => [`vendor-golden-${i + 1}`, 'from the Retraced server and SDK test suites', v.id, v.event]),
  ['fields-absent', 'no fields: contributes ":"', 'abc', { action: 'a' }],
  ['fields-empty-object', 'fields: {} is present and contributes nothing (no ":")', 'abc', { action: 'a', fields: {} }],
  ['metadata-empty-object', 'metadata: {} appends a lone ":"', 'abc', { action: 'a', metadata: {} }],
  ['fields-and-metadata-empty', 'both present and empty', 'abc', { action: 'a', fields: {}, metadata: {} }],
  ['metadata-values', 'metadata is encoded like fields, after external_id', 'abc', { action: 'a', external_id: 'ext-1', metadata: { b: '2', a: '1' } }],
  ['external-id', 'external_id is appended after fields', 'abc', { action: 'a', external_id: 'evt-123' }],
  ['external-id-escaped', 'external_id gets the first escaping pass only', 'abc', { action: 'a', external_id: '50%:=;' }],
  ['external-id-empty-is-absent', 'an empty external_id adds nothing', 'abc', { action: 'a', external_id: '' }],
  ['percent-and-colon-everywhere', '% and : are escaped in every hashed value; % first so it is not escaped twice', 'id:%', { action: 'a:b%c', target: { id: 't:%' }, actor: { id: '%3A' }, group: { id: '::' }, source_ip: '2001:db8::1' }],
  ['equals-and-semicolon-in-fields', '= and ; are escaped in field keys and values only', 'abc', { action: 'x=y;z', fields: { 'k=1;': 'v=2;', '%:': ':%' } }],
  ['non-bmp-field-keys', 'field keys sort by UTF-16 code units: U+1F600 before U+FFFF', 'abc', { action: 'a', fields: { '\uffff': 'bmp-last', '😀': 'astral', 'z': 'ascii' } }],
  ['failure-and-anonymous', 'is_failure and is_anonymous as 1', 'abc', { action: 'user.login', is_failure: true, is_anonymous: true }],
  ['empty-group-is-absent', 'group: {} counts as absent', 'abc', { action: 'a', group: {} }],
  ['empty-source-ip-is-absent', 'source_ip: "" counts as absent', 'abc', { action: 'a', source_ip: '' }],
  ['empty-field-value', 'an empty field value encodes as nothing', 'abc', { action: 'a', fields: { k: '' } }],
  ['escapes-in-metadata', 'metadata keys and values get both escaping passes', 'abc', { action: 'a', metadata: { 'k:=;%': 'v:=;%' } }],
  ['truthy-string-flag', 'is_failure is read for truthiness: the string "false" counts as true', 'abc', { action: 'a', is_failure: 'false' }],
  ['unhashed-keys-ignored', 'crud, created, description, names, hrefs, types, component and version are not hashed', 'abc',
    { action: 'a', crud: 'c', created: '2026-01-01T00:00:00Z', description: 'd', component: 'c', version: '1', target: { id: 't', name: 'n', type: 'ty', href: 'h' }, actor: { id: 'u', name: 'n', href: 'h' } }],
  ['unicode-values', 'non-ASCII values are hashed as UTF-8', '5f0c', { action: 'документ.создан', actor: { id: 'José' }, group: { id: '中文' }, fields: { 'ключ': 'значение 😀' } }],
  ['full-event', 'every hashed field at once', 'f59b236a449d43a5b27c8322aadc0503',
    { action: 'api_key.created', crud: 'c', group: { id: 'acme', name: 'Acme' }, actor: { id: 'user-42' }, target: { id: 'key-9', type: 'api_key' }, source_ip: '203.0.113.7', is_failure: false, is_anonymous: false, fields: { scope: 'read:audit', env: 'prod' }, external_id: 'evt-8', metadata: { region: 'eu' } }],
];
const retracedErrors = [
  ['missing-action', 'action is required', 'abc', { crud: 'c' }, '$.action'],
  ['group-without-id', 'a present group needs its id', 'abc', { action: 'a', group: { name: 'Acme' } }, '$.group.id'],
  ['target-without-id', 'a present target needs its id', 'abc', { action: 'a', target: { type: 'doc' } }, '$.target.id'],
  ['actor-without-id', 'a present actor needs its id', 'abc', { action: 'a', actor: { name: 'Jane' } }, '$.actor.id'],
  ['empty-id', 'the server-assigned id is required', '', { action: 'a' }, 'id'],
];

function canonicalVector([name, description, json, expected]) {
  const canonical = canonicalize(JSON.parse(json));
  if (expected !== undefined && canonical !== expected) {
    throw new Error(`${name}: canonicalize gave ${canonical}, the RFC / hand check says ${expected}`);
  }
  return { name, description, json, canonical, hash: sha256(canonical) };
}

function rejectVector([name, description, json, error, path]) {
  let outcome;
  try {
    canonicalJson(parseIJson(json));
    outcome = 'accepted';
  } catch (e) {
    outcome = e instanceof CanonicalizationError ? `not-i-json ${e.path}` : 'syntax';
  }
  const expected = error === 'syntax' ? 'syntax' : `not-i-json ${path}`;
  if (outcome !== expected) throw new Error(`${name}: expected ${expected}, auditwire gave ${outcome}`);
  return { name, description, json, error, ...(path === undefined ? {} : { path }), reason: description };
}

function retracedVector([name, description, id, event]) {
  const { hashResult, hashTarget } = computeHash(event, id);
  return { name, description, id, event, hashTarget, hash: hashResult };
}

function retracedErrorVector([name, description, id, event, path]) {
  let threw = false;
  try { computeHash(event, id); } catch { threw = true; }
  if (!threw) throw new Error(`${name}: the vendor's computeHash accepted it`);
  return { name, description, id, event, error: 'missing-field', path };
}

function write(file, kind, about, vectors) {
  writeFileSync(new URL(file, outDir), `${JSON.stringify({ about, kind, vectors }, null, 2)}\n`);
  return vectors.length;
}

let total = 0;
total += write('keys.json', 'canonical', 'RFC 8785 3.2.3 member ordering: UTF-16 code units, recursively', keys.map(canonicalVector));
total += write('strings.json', 'canonical', 'RFC 8785 3.2.2.2 string serialization', strings.map(canonicalVector));
total += write('numbers.json', 'canonical', 'RFC 8785 3.2.2.3 number serialization (ECMAScript Number.prototype.toString); the first 24 are RFC 8785 Appendix B',
  [...rfcNumbers.map(([json, out]) => canonicalVector([`rfc8785-appendix-b-${json}`, 'RFC 8785 Appendix B', json, out])),
   ...moreNumbers.map(([name, json, out]) => canonicalVector([name, `${json} serializes as ${out}`, json, out]))]);
total += write('structures.json', 'canonical', 'containers, literals and whitespace', structures.map(canonicalVector));
total += write('events.json', 'canonical', 'realistic audit events in the common model and each wire format', events.map(([n, d, j]) => canonicalVector([n, d, j])));
total += write('reject.json', 'reject', 'inputs that must be refused: "syntax" (not JSON at all, RFC 8259) or "not-i-json" (JSON that RFC 7493 forbids), with the JSON path of the offending value', rejects.map(rejectVector));
total += write('retraced.json', 'retraced', "the Retraced hash formula; expected values from the vendor's computeHash (@retracedhq/retraced)",
  [...retraced.map(retracedVector), ...retracedErrors.map(retracedErrorVector)]);
console.log(`wrote ${total} vectors to spec/vectors/`);

await import('./generate-ledger-vectors.mjs');
