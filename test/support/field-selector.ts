/**
 * Field selectors as the API server reads them for Secrets (`type=kubernetes.io/tls`, `metadata.name!=x`, comma
 * for AND; `=` and `==` are the same). Only the fields Secrets support are known; others are refused with 400.
 */
import type { JsonObject } from './json-patch.js';

/** A parsed field selector: a predicate on an object. */
export type FieldSelector = (object: JsonObject) => boolean;

/** A field selector that cannot be used; the server answers 400 with this message. */
export class FieldSelectorError extends Error {
  override readonly name = 'FieldSelectorError';
}

const FIELDS: Record<string, (object: JsonObject) => unknown> = {
  type: (object) => object['type'],
  'metadata.name': (object) => (object['metadata'] as JsonObject | undefined)?.['name'],
  'metadata.namespace': (object) => (object['metadata'] as JsonObject | undefined)?.['namespace'],
};

/** Parses a field selector (empty or absent: everything). */
export function parseFieldSelector(text: string | null | undefined): FieldSelector {
  if (text === null || text === undefined || text.trim() === '') return () => true;
  const terms = text.split(',').map((term) => {
    const match = /^([^=!]+)(==|=|!=)(.*)$/.exec(term.trim());
    if (match === null) throw new FieldSelectorError(`invalid field selector: ${JSON.stringify(term)}`);
    const [, field, operator, value] = match as unknown as [string, string, string, string];
    const read = FIELDS[field];
    if (read === undefined)
      throw new FieldSelectorError(
        `"${field}" is not a known field selector: only "metadata.name", "metadata.namespace", "type"`,
      );
    return (object: JsonObject): boolean => (read(object) === value) === (operator !== '!=');
  });
  return (object) => terms.every((term) => term(object));
}
