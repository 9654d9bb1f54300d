import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { toHex } from './bytes.ts';
import { MAX_DEPTH, canonicalBytes, canonicalize, isCanonical, parseJson } from './canonical-json.ts';
import { NotCanonicalizableError } from './errors.ts';

/** The IEEE 754 double with these 64 bits (big-endian hex), as RFC 8785 Appendix B lists them. */
function double(hex: string): number {
  const view = new DataView(new ArrayBuffer(8));
  view.setBigUint64(0, BigInt(`0x${hex}`));
  return view.getFloat64(0);
}

/** `depth` arrays nested in each other around `inner`. */
function nest(depth: number, inner: unknown): unknown {
  let v = inner;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

class Patient {
  name = 'x';
}

const selfRef: Record<string, unknown> = { a: 1 };
selfRef.self = selfRef;
const deepCycle: Record<string, unknown> = { id: 1 };
deepCycle.a = { b: [0, deepCycle] };
const arrayCycle: unknown[] = [1];
arrayCycle.push({ x: arrayCycle });
const sparse: unknown[] = [1];
sparse[2] = 3;
let toJsonCalls = 0;
const withToJson = {
  toJSON() {
    toJsonCalls++;
    return 1;
  },
};

void describe('canonicalize', () => {
  // Each row: a value JSON.stringify would drop, convert, call or choke on, and where it must be reported.
  const rejects: { desc: string; value: unknown; path: string }[] = [
    { desc: 'NaN (Appendix B 7fffffffffffffff)', value: double('7fffffffffffffff'), path: '$' },
    { desc: 'Infinity (Appendix B 7ff0000000000000)', value: double('7ff0000000000000'), path: '$' },
    { desc: '-Infinity in an array', value: { a: [1, -Infinity] }, path: '$.a[1]' },
    { desc: 'undefined', value: undefined, path: '$' },
    { desc: 'undefined member', value: { a: 1, b: undefined }, path: '$.b' },
    { desc: 'undefined in an array', value: [1, undefined], path: '$[1]' },
    { desc: 'hole in a sparse array', value: sparse, path: '$[1]' },
    { desc: 'function member', value: { f: () => 1 }, path: '$.f' },
    { desc: 'symbol in an array', value: [Symbol('s')], path: '$[0]' },
    { desc: 'bigint member', value: { n: 1n }, path: '$.n' },
    { desc: 'lone high surrogate', value: { s: 'a\ud800' }, path: '$.s' },
    { desc: 'lone low surrogate', value: ['\udc00b'], path: '$[0]' },
    { desc: 'surrogates in the wrong order', value: '\ude00\ud83d', path: '$' },
    { desc: 'lone surrogate in a long string', value: { s: 'x'.repeat(100) + '\ud800' }, path: '$.s' },
    { desc: 'lone surrogate in a key', value: { ok: { '\udfff': 1 } }, path: '$.ok["\\udfff"]' },
    { desc: 'Date', value: { t: new Date(0) }, path: '$.t' },
    { desc: 'Map', value: { m: new Map() }, path: '$.m' },
    { desc: 'Set', value: [new Set()], path: '$[0]' },
    { desc: 'Uint8Array', value: { b: new Uint8Array(2) }, path: '$.b' },
    { desc: 'RegExp', value: /x/, path: '$' },
    { desc: 'boxed string', value: { s: Object('x') as object }, path: '$.s' },
    { desc: 'class instance', value: { p: new Patient() }, path: '$.p' },
    {
      desc: 'object with a custom prototype',
      value: { o: Object.create({ inherited: 1 }) as object },
      path: '$.o',
    },
    { desc: 'toJSON method (not called)', value: { 'a b': [withToJson] }, path: '$["a b"][0]' },
    { desc: 'self-cycle', value: selfRef, path: '$.self' },
    { desc: 'cycle through an array', value: deepCycle, path: '$.a.b[1]' },
    { desc: 'array cycle', value: arrayCycle, path: '$[1].x' },
    {
      desc: `nesting deeper than ${MAX_DEPTH}`,
      value: nest(MAX_DEPTH + 1, 1),
      path: '$' + '[0]'.repeat(MAX_DEPTH),
    },
  ];
  for (const { desc, value, path } of rejects) {
    void it(`rejects ${desc}`, () => {
      assert.throws(
        () => canonicalize(value),
        (e: unknown) => e instanceof NotCanonicalizableError && e.data.path === path,
      );
    });
  }

  void it('reports errors with a stable code and the path in the data', () => {
    assert.throws(
      () => canonicalize({ a: [{ b: NaN }] }),
      (e: unknown) =>
        e instanceof NotCanonicalizableError &&
        e.code === 'ML_ERR_JSON_NOT_CANONICALIZABLE' &&
        e.data.path === '$.a[0].b',
    );
  });

  void it('never calls toJSON', () => {
    assert.throws(() => canonicalize(withToJson), NotCanonicalizableError);
    assert.equal(toJsonCalls, 0);
  });

  void it('lets errors thrown by getters through', () => {
    const o = {
      get boom(): never {
        throw new RangeError('getter');
      },
    };
    assert.throws(() => canonicalize({ o }), RangeError);
  });

  void it(`accepts nesting of exactly ${MAX_DEPTH}`, () => {
    assert.equal(canonicalize(nest(MAX_DEPTH, 1)), '['.repeat(MAX_DEPTH) + '1' + ']'.repeat(MAX_DEPTH));
  });

  void it('accepts shared subtrees that are not cycles', () => {
    const shared = { z: 1 };
    assert.equal(canonicalize({ b: shared, a: [shared, shared] }), '{"a":[{"z":1},{"z":1}],"b":{"z":1}}');
  });

  void it('accepts null-prototype, frozen and JSON.parse objects (including "__proto__")', () => {
    const bare = Object.create(null) as Record<string, unknown>;
    bare.b = 2;
    bare.a = 1;
    assert.equal(canonicalize(bare), '{"a":1,"b":2}');
    assert.equal(canonicalize(Object.freeze({ y: Object.freeze([1]), x: null })), '{"x":null,"y":[1]}');
    assert.equal(canonicalize(JSON.parse('{"z":0,"__proto__":{"a":1}}')), '{"__proto__":{"a":1},"z":0}');
  });

  void it('RFC 8785 §3.2.2 sample', () => {
    // The input text exactly as printed in the RFC.
    const input = `{
      "numbers": [333333333.33333329, 1E30, 4.50,
                  2e-3, 0.000000000000000000000000001],
      "string": "\\u20ac$\\u000F\\u000aA'\\u0042\\u0022\\u005c\\\\\\"\\/",
      "literals": [null, true, false]
    }`;
    const want =
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
      '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}';
    assert.equal(canonicalize(JSON.parse(input)), want);
    // RFC 8785 §3.2.4, the UTF-8 of the output above.
    const utf8Hex =
      '7b226c6974657261' +
      '6c73223a5b6e756c6c2c747275652c66616c73655d2c226e756d62657273223a' +
      '5b3333333333333333332e333333333333332c31652b33302c342e352c302e30' +
      '30322c31652d32375d2c22737472696e67223a22e282ac245c75303030665c6e' +
      '4127425c225c5c5c5c5c222f227d';
    assert.equal(toHex(canonicalBytes(JSON.parse(input))), utf8Hex);
  });

  void it('RFC 8785 §3.2.3 sorting example', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    const want =
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
      '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}';
    assert.equal(canonicalize(input), want);
  });

  void it('sorts more keys than the insertion-sort cutoff by code units, not locale', () => {
    const tens = ['k00', 'k01', 'k02', 'k03', 'k04', 'k05', 'k06', 'k07', 'k08', 'k09'];
    const sorted = ['\r', '1', 'B', 'Z', 'a', ...tens, '\u00e9', '\u20ac', '\ud83d\ude00', '\ufb33'];
    const input = Object.fromEntries(sorted.toReversed().map((k) => [k, sorted.indexOf(k)]));
    const want = '{' + sorted.map((k, i) => `${JSON.stringify(k)}:${i}`).join(',') + '}';
    assert.equal(canonicalize(input), want);
  });

  // RFC 8785 Appendix B: IEEE 754 bits → canonical text. NaN and Infinity are in the rejects above.
  const appendixB: [hex: string, want: string][] = [
    ['0000000000000000', '0'],
    ['8000000000000000', '0'], // -0
    ['0000000000000001', '5e-324'],
    ['8000000000000001', '-5e-324'],
    ['7fefffffffffffff', '1.7976931348623157e+308'],
    ['ffefffffffffffff', '-1.7976931348623157e+308'],
    ['4340000000000000', '9007199254740992'],
    ['c340000000000000', '-9007199254740992'],
    ['4430000000000000', '295147905179352830000'],
    ['44b52d02c7e14af5', '9.999999999999997e+22'],
    ['44b52d02c7e14af6', '1e+23'],
    ['44b52d02c7e14af7', '1.0000000000000001e+23'],
    ['444b1ae4d6e2ef4e', '999999999999999700000'],
    ['444b1ae4d6e2ef4f', '999999999999999900000'],
    ['444b1ae4d6e2ef50', '1e+21'],
    ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
    ['3eb0c6f7a0b5ed8d', '0.000001'],
    ['41b3de4355555553', '333333333.3333332'],
    ['41b3de4355555554', '333333333.33333325'],
    ['41b3de4355555555', '333333333.3333333'],
    ['41b3de4355555556', '333333333.3333334'],
    ['41b3de4355555557', '333333333.33333343'],
    ['becbf647612f3696', '-0.0000033333333333333333'],
    ['43143ff3c1cb0959', '1424953923781206.2'], // round to even
  ];
  for (const [hex, want] of appendixB) {
    void it(`RFC 8785 Appendix B ${hex} → ${want}`, () => {
      assert.equal(canonicalize(double(hex)), want);
      assert.equal(canonicalize([double(hex)]), `[${want}]`);
    });
  }

  void it('escapes strings as RFC 8785 §3.2.2.2 says', () => {
    const cases: [string, string][] = [
      ['\u0000', '"\\u0000"'],
      ['\b\t\n\f\r', '"\\b\\t\\n\\f\\r"'],
      ['\u000b\u001f', '"\\u000b\\u001f"'],
      ['"\\', '"\\"\\\\"'],
      ['a"b', '"a\\"b"'],
      ['a\\b', '"a\\\\b"'],
      ['/\u007f\u2028\u2029', '"/\u007f\u2028\u2029"'],
      ['\ud83d\ude00', '"\ud83d\ude00"'],
    ];
    for (const [s, want] of cases) {
      assert.equal(canonicalize(s), want);
      // The same string past the short-string scan goes through JSON.stringify.
      const long = 'x'.repeat(40);
      assert.equal(canonicalize(long + s), `"${long}${want.slice(1)}`);
    }
  });

  void it('success: a transaction-like object', () => {
    const tx = { type: 'record.add', time: 1700000000000, nonce: -0, payload: { z: [true, null], a: 'é' } };
    assert.equal(
      canonicalize(tx),
      '{"nonce":0,"payload":{"a":"é","z":[true,null]},"time":1700000000000,"type":"record.add"}',
    );
    assert.deepEqual(canonicalBytes('é'), new Uint8Array([0x22, 0xc3, 0xa9, 0x22]));
  });
});

void describe('isCanonical', () => {
  const notCanonical: { desc: string; text: string }[] = [
    { desc: 'malformed JSON', text: '{"a":' },
    { desc: 'whitespace', text: '{"a": 1}' },
    { desc: 'unsorted members', text: '{"b":1,"a":2}' },
    { desc: 'duplicate members', text: '{"a":1,"a":1}' },
    { desc: 'a non-canonical number', text: '1.0' },
    { desc: 'an exponent form', text: '1E3' },
    { desc: 'an escape that need not be', text: '"\\u0041"' },
    { desc: 'a number out of range', text: '1e400' },
    { desc: 'a lone surrogate escape', text: '"\\ud800"' },
  ];
  for (const { desc, text } of notCanonical) {
    void it(`rejects ${desc}`, () => {
      assert.equal(isCanonical(text), false);
    });
  }

  void it('success', () => {
    assert.equal(isCanonical('{"a":[1,"\\n",{}],"b":null}'), true);
  });
});

void describe('parseJson', () => {
  void it('throws SyntaxError on malformed text', () => {
    assert.throws(() => parseJson('{a:1}'), SyntaxError);
  });

  void it('success', () => {
    assert.deepEqual(parseJson('{"a":[1,true,null]}'), { a: [1, true, null] });
  });
});

// ---------------------------------------------------------------------------------------------------
// Properties.

/** Naive reference (RFC 8785 read literally) to cross-check the fast path. Assumes valid input. */
function reference(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(reference).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    const members = Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${reference(o[k])}`);
    return `{${members.join(',')}}`;
  }
  return JSON.stringify(v);
}

/** A copy of `v` with every object's keys inserted in an order driven by `seed`. */
function reorder(v: unknown, seed: number): unknown {
  if (Array.isArray(v)) return v.map((x, i) => reorder(x, seed + i));
  if (v === null || typeof v !== 'object') return v;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o);
  let s = seed >>> 0;
  for (let i = keys.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [keys[i], keys[j]] = [keys[j]!, keys[i]!];
  }
  const out: Record<string, unknown> = {};
  for (const k of keys) Object.defineProperty(out, k, { value: reorder(o[k], s), enumerable: true });
  return out;
}

/** `v` with -0 replaced by 0, the one difference a JSON round trip may make. */
function withoutNegativeZero(v: unknown): unknown {
  if (Object.is(v, -0)) return 0;
  if (Array.isArray(v)) return v.map(withoutNegativeZero);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v))
    Object.defineProperty(out, k, { value: withoutNegativeZero(x), enumerable: true });
  return out;
}

const json = fc.jsonValue({ stringUnit: 'binary', maxDepth: 6 });
/** Any UTF-16 code unit, biased towards the ones that need escaping or pairing. */
const utf16Unit = fc.oneof(
  fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)),
  fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', 'a', '\ud83d', '\ude00', '\udbff', '\udc00'),
);

void describe('canonicalize properties', () => {
  void it('is idempotent through JSON.parse', () => {
    fc.assert(
      fc.property(json, (x) => {
        const c = canonicalize(x);
        assert.equal(canonicalize(JSON.parse(c)), c);
        assert.equal(isCanonical(c), true);
      }),
    );
  });

  void it('does not depend on key insertion order', () => {
    fc.assert(
      fc.property(json, fc.integer(), (x, seed) => {
        assert.equal(canonicalize(reorder(x, seed)), canonicalize(x));
      }),
    );
  });

  void it('parses back deep-equal (modulo -0)', () => {
    fc.assert(
      fc.property(json, (x) => {
        assert.deepStrictEqual(JSON.parse(canonicalize(x)), withoutNegativeZero(x));
      }),
    );
  });

  void it('matches the naive reference', () => {
    fc.assert(
      fc.property(json, (x) => {
        assert.equal(canonicalize(x), reference(x));
      }),
    );
  });

  void it('rejects exactly the strings that are not well-formed UTF-16', () => {
    fc.assert(
      fc.property(fc.string({ unit: utf16Unit, maxLength: 48 }), (s) => {
        if (s.isWellFormed())
          assert.equal(canonicalize({ [s]: s }), `{${JSON.stringify(s)}:${JSON.stringify(s)}}`);
        else assert.throws(() => canonicalize([s]), NotCanonicalizableError);
      }),
    );
  });

  void it('writes every finite double as JSON.stringify does and rejects the rest', () => {
    fc.assert(
      fc.property(fc.double(), (n) => {
        if (Number.isFinite(n)) assert.equal(canonicalize(n), JSON.stringify(n));
        else assert.throws(() => canonicalize(n), NotCanonicalizableError);
      }),
    );
  });
});
