import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { ArgumentValueError } from '../core/errors.ts';
import { csvField, toCsv } from './csv.ts';

/**
 * A strict RFC 4180 reader, written independently of the writer: every record ends with CRLF, a quoted
 * field doubles its quotes and may hold commas, CR and LF; an unquoted empty field is NULL.
 * Anything else (a bare quote inside an unquoted field, a lone CR or LF, text after a closing quote,
 * a missing final CRLF) throws.
 */
function parseCsv(text: string): (string | null)[][] {
  const records: (string | null)[][] = [];
  let record: (string | null)[] = [];
  let i = 0;
  while (i < text.length) {
    let field: string | null;
    if (text[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        if (i >= text.length) throw new Error('unterminated quoted field');
        if (text[i] === '"') {
          if (text[i + 1] === '"') {
            value += '"';
            i += 2;
            continue;
          }
          i++;
          break;
        }
        value += text[i]!;
        i++;
      }
      field = value;
    } else {
      let end = i;
      while (end < text.length && text[end] !== ',' && text[end] !== '\r' && text[end] !== '\n') {
        if (text[end] === '"') throw new Error(`bare quote at ${String(end)}`);
        end++;
      }
      field = end === i ? null : text.slice(i, end);
      i = end;
    }
    record.push(field);
    if (text[i] === ',') {
      i++;
    } else if (text.startsWith('\r\n', i)) {
      records.push(record);
      record = [];
      i += 2;
    } else {
      throw new Error(`unexpected ${JSON.stringify(text[i] ?? 'end of input')} at ${String(i)}`);
    }
  }
  if (record.length > 0) throw new Error('last record lacks CRLF');
  return records;
}

describe('parseCsv (test oracle)', () => {
  it('rejects malformed input', () => {
    for (const bad of ['a"b\r\n', '"a\r\n', '"a"b\r\n', 'a\nb\r\n', 'a\rb\r\n', 'a,b']) {
      assert.throws(() => parseCsv(bad), Error, bad);
    }
  });
  it('reads the RFC 4180 §2 examples', () => {
    assert.deepEqual(parseCsv('aaa,bbb,ccc\r\nzzz,yyy,xxx\r\n'), [
      ['aaa', 'bbb', 'ccc'],
      ['zzz', 'yyy', 'xxx'],
    ]);
    assert.deepEqual(parseCsv('"aaa","b\r\nbb","ccc"\r\n'), [['aaa', 'b\r\nbb', 'ccc']]);
    assert.deepEqual(parseCsv('"aaa","b""bb","ccc"\r\n'), [['aaa', 'b"bb', 'ccc']]);
    assert.deepEqual(parseCsv(',""\r\n'), [[null, '']]);
  });
});

describe('csvField', () => {
  it('rejects non-finite numbers', () => {
    for (const n of [NaN, Infinity, -Infinity]) assert.throws(() => csvField(n), ArgumentValueError);
  });
  it('quotes only what RFC 4180 requires, and the empty string', () => {
    const cases: [string | number | null | undefined, string][] = [
      [null, ''],
      [undefined, ''],
      ['', '""'],
      ['plain text', 'plain text'],
      [' leading and trailing ', ' leading and trailing '],
      ['a,b', '"a,b"'],
      ['say "hi"', '"say ""hi"""'],
      ['"', '""""'],
      ['line1\r\nline2', '"line1\r\nline2"'],
      ['lf\nonly', '"lf\nonly"'],
      ['cr\ronly', '"cr\ronly"'],
      ['é 😀 ünï', 'é 😀 ünï'],
      [0, '0'],
      [-0, '0'],
      [120.5, '120.5'],
      [1e21, '1e+21'],
    ];
    for (const [v, want] of cases) assert.equal(csvField(v), want, JSON.stringify(v));
  });
});

describe('toCsv', () => {
  it('rejects an empty column list', () => {
    assert.throws(() => toCsv([], []), ArgumentValueError);
  });
  it('names the failing cell', () => {
    assert.throws(() => toCsv([{ a: 1 }, { a: NaN }], ['a']), /rows\[1\]\.a/);
  });
  it('writes a header and CRLF-terminated records in column order', () => {
    const rows: Record<string, string | number | null>[] = [
      { b: 'x,y', a: 1, extra: 'ignored' },
      { a: null, b: 'he said "no"\nthen left' },
      { a: 3 }, // missing key → NULL
    ];
    const csv = toCsv(rows, ['a', 'b']);
    assert.equal(csv, 'a,b\r\n1,"x,y"\r\n,"he said ""no""\nthen left"\r\n3,\r\n');
  });
  it('writes only the header for no rows', () => {
    assert.equal(toCsv([], ['x', 'y']), 'x,y\r\n');
  });
  it('keeps a one-column empty string distinct from NULL', () => {
    assert.deepEqual(parseCsv(toCsv([{ c: '' }, { c: null }], ['c'])), [['c'], [''], [null]]);
  });
  it('round-trips random strings through an RFC 4180 reader', () => {
    const cell = fc.oneof(
      { weight: 1, arbitrary: fc.constant(null) },
      { weight: 2, arbitrary: fc.string({ unit: fc.constantFrom('a', ',', '"', '\r', '\n', ' ', 'é') }) },
      { weight: 2, arbitrary: fc.string({ unit: 'grapheme' }) },
    );
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 5 })
          .chain((n) =>
            fc.tuple(
              fc.uniqueArray(fc.string({ minLength: 1 }), { minLength: n, maxLength: n }),
              fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 8 }),
            ),
          ),
        ([columns, cells]) => {
          const rows = cells.map((r) => Object.fromEntries(columns.map((c, j) => [c, r[j]])));
          assert.deepEqual(parseCsv(toCsv(rows, columns)), [columns, ...cells]);
        },
      ),
      { numRuns: 300 },
    );
  });
  it('round-trips finite numbers', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 10 }), (xs) => {
        const parsed = parseCsv(
          toCsv(
            xs.map((x) => ({ x })),
            ['x'],
          ),
        ).slice(1);
        assert.deepEqual(
          parsed.map((r) => Number(r[0])),
          xs.map((x) => (Object.is(x, -0) ? 0 : x)),
        );
      }),
    );
  });
});
