import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { faker } from '@faker-js/faker';
import type { Patient } from '@medplum/fhirtypes';
import { makeRedactor, REDACTED } from './omop-redact.ts';

const R = REDACTED;
const nobody = makeRedactor([], 'key-unused');

describe('makeRedactor patterns (no patient data)', () => {
  it('redacts Safe Harbor patterns', () => {
    const cases: [string, string][] = [
      ['mail jo.doe+x@mail.example.co.uk now', `mail ${R} now`],
      ['see https://portal.example/p?id=9 or www.example.org/x', `see ${R} or ${R}`],
      ['from 10.0.12.255.', `from ${R}.`],
      ['SSN 123-45-6789 or 123 45 6789', `SSN ${R} or ${R}`],
      ['call (617) 555-0142, 617.555.0142 or +44 617-555-0142', `call ${R}, ${R} or ${R}`],
      ['on 2024-03-05T10:20:00-05:00 and 2024/3/5', `on ${R} and ${R}`],
      ['on 03/05/2024, 5.3.24 and 12-31-1999', `on ${R}, ${R} and ${R}`],
      ['on March 19, 2024, Sept. 3rd and 4 Jan 2020', `on ${R}, ${R} and ${R}`],
      ['a 92-year-old, aged 101 years, 95 yo', `a ${R}-year-old, aged ${R} years, ${R} yo`],
      ['acct 99182736455 and MRN0448812', `acct ${R} and MRN${R}`],
    ];
    for (const [input, want] of cases) assert.equal(nobody(input), want, input);
  });

  it('keeps clinical content that only looks numeric', () => {
    const keep = [
      'BP 142/91, HR 72, SpO2 98%',
      'HbA1c 6.8 % (ref 4.0-5.6)',
      'amlodipine 5 mg daily, 30 tablets, 2 refills',
      'a 45-year-old seen for 3 years; may be discharged',
      'ICD-10 I10, LOINC 4548-4, 12345 units',
    ];
    for (const text of keep) assert.equal(nobody(text), text);
  });
});

describe('makeRedactor with patient data', () => {
  const patient: Patient = {
    resourceType: 'Patient',
    id: 'f81d4fae-7dec-11d0-a765-00a0c91e6bf6',
    name: [{ given: ['Mary-Jane', 'Li'], family: "O'Brien", prefix: ['Dr'] }],
    identifier: [{ value: 'MRN-4488' }],
    address: [{ line: ['12  Elm   Street'], city: 'Ames', postalCode: '50010', district: 'Story' }],
  };
  const redact = makeRedactor([patient], 'blind-xyz');

  it('matches case-insensitively across whitespace and punctuation', () => {
    assert.equal(redact("MARY-JANE o'brien, Mary Jane, Li"), `${R} ${R}, ${R}, ${R}`);
    assert.equal(
      redact('lives at 12 elm street, AMES, Story county 50010'),
      `lives at ${R}, ${R}, ${R} county ${R}`,
    );
    assert.equal(redact('mrn 4488 / MRN4488 / #4488'), `${R} / ${R} / #${R}`);
    assert.equal(redact('ref f81d4fae-7dec-11d0-a765-00a0c91e6bf6 blind-xyz'), `ref ${R} ${R}`);
  });

  it('matches whole words only, and not titles', () => {
    // "Li" inside "Lisinopril", "Ames" inside "Hames": untouched. "Dr" is a title, not an identifier.
    assert.equal(redact('Dr Hames started Lisinopril'), 'Dr Hames started Lisinopril');
  });

  it('removes every identifier of faker-made patients from their notes', () => {
    faker.seed(20240305);
    for (let i = 0; i < 40; i++) {
      const first = faker.person.firstName();
      const last = faker.person.lastName();
      const phone = faker.phone.number();
      const email = faker.internet.email({ firstName: first, lastName: last });
      const street = faker.location.streetAddress();
      const unit = faker.location.secondaryAddress();
      const city = faker.location.city();
      const zip = faker.location.zipCode();
      const mrn = `MRN-${String(faker.number.int({ min: 1000, max: 99_999_999 }))}`;
      const birth = faker.date.birthdate().toISOString().slice(0, 10);
      const p: Patient = {
        resourceType: 'Patient',
        name: [{ given: [first], family: last }],
        telecom: [
          { system: 'phone', value: phone },
          { system: 'email', value: email },
        ],
        address: [{ line: [street, unit], city, postalCode: zip }],
        identifier: [{ value: mrn }],
        birthDate: birth,
      };
      const note =
        `${first} ${last} (${mrn}), born ${birth}, lives at ${street}, ${unit}, ${city} ${zip}. ` +
        `Reach ${first.toLowerCase()} at ${phone} / ${phone.replace(/[-.]/g, ' ')} or ${email}. ` +
        `${last.toUpperCase()} reports chest pain; troponin negative.`;
      const out = makeRedactor([p], `key-${String(i)}`)(note);
      const rest = out.replaceAll(R, ' ');
      const words = [first, last, street, unit, city, zip, mrn, email, birth, phone].flatMap(
        (v) => v.match(/[\p{L}\p{N}]{2,}/gu) ?? [],
      );
      for (const w of new Set(words)) {
        const re = new RegExp(`(?<![\\p{L}\\p{N}])${w}(?![\\p{L}\\p{N}])`, 'iu');
        // Generic words of an address ("Street", "Suite", "Apt") may stay only if they are not identifying
        // on their own: every token that carries a digit, and every name and city word, must be gone.
        if (/\d/.test(w) || [first, last, city].some((v) => v.includes(w))) {
          assert.ok(!re.test(rest), `"${w}" leaked in: ${out}`);
        }
      }
      assert.match(rest, /chest pain; troponin negative\.$/);
    }
  });
});
