/**
 * @module
 * Building FHIR R4 OperationOutcomes (http://hl7.org/fhir/R4/operationoutcome.html) for validation and
 * import failures. `expression` holds FHIRPath locations such as `Observation.code` or
 * `ExplanationOfBenefit.contained[0].subject`, the way FHIR servers report where a resource is wrong.
 * Issue codes are from the R4 IssueType value set (http://hl7.org/fhir/R4/valueset-issue-type.html).
 */
import { FhirValidationError } from '../core/errors.ts';
import type { OperationOutcomeLike } from '../core/errors.ts';

/** The IssueType codes MedLedger emits itself (Medplum's own issues are passed through unchanged). */
export type IssueCode =
  'structure' | 'invalid' | 'required' | 'value' | 'not-supported' | 'not-found' | 'duplicate' | 'too-costly';

type Issue = OperationOutcomeLike['issue'][number];

/** A one-issue error outcome. */
export function errorOutcome(code: IssueCode, text: string, expression?: string): OperationOutcomeLike {
  return { resourceType: 'OperationOutcome', issue: [errorIssue(code, text, expression)] };
}

/** A record whose subject is not a patient of this node (422, naming the path). */
export function invalidSubject(expression: string, text: string): FhirValidationError {
  return new FhirValidationError(text, errorOutcome('invalid', text, expression));
}

/** One error issue; `expression` omitted when the failure has no location. */
export function errorIssue(code: IssueCode, text: string, expression?: string): Issue {
  return expression === undefined
    ? { severity: 'error', code, details: { text } }
    : { severity: 'error', code, details: { text }, expression: [expression] };
}

const SEVERITIES: ReadonlySet<string> = new Set(['fatal', 'error', 'warning', 'information']);

/**
 * Copy an OperationOutcome produced elsewhere (Medplum) into our readonly shape, dropping anything the
 * shape does not hold; one with no usable issue becomes a single 'invalid' issue with `fallbackText`.
 */
export function toOutcomeLike(outcome: unknown, fallbackText: string): OperationOutcomeLike {
  const issues: Issue[] = [];
  const raw = isObject(outcome) ? outcome.issue : undefined;
  if (Array.isArray(raw)) {
    for (const i of raw as unknown[]) {
      if (!isObject(i)) continue;
      const severity = typeof i.severity === 'string' && SEVERITIES.has(i.severity) ? i.severity : 'error';
      const code = typeof i.code === 'string' ? i.code : 'invalid';
      const text = isObject(i.details) && typeof i.details.text === 'string' ? i.details.text : undefined;
      const expression = Array.isArray(i.expression)
        ? (i.expression as unknown[]).filter((e): e is string => typeof e === 'string')
        : undefined;
      issues.push({
        severity: severity as Issue['severity'],
        code,
        ...(text === undefined ? {} : { details: { text } }),
        ...(expression === undefined ? {} : { expression }),
      });
    }
  }
  if (issues.length === 0) issues.push(errorIssue('invalid', fallbackText));
  return { resourceType: 'OperationOutcome', issue: issues };
}

/** The first error of an outcome as one line: "Observation.code: Missing required property". */
export function describeOutcome(outcome: OperationOutcomeLike): string {
  const first =
    outcome.issue.find((i) => i.severity === 'error' || i.severity === 'fatal') ?? outcome.issue[0];
  if (first === undefined) return 'invalid resource';
  const where = first.expression?.[0];
  const text = first.details?.text ?? first.code;
  return where === undefined ? text : `${where}: ${text}`;
}

/** A plain (non-array) object, as JSON.parse makes them. @internal */
export function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
