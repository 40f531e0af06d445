/**
 * The click event: the one definition the browser tracker, the Glue table's
 * columns (and so the Parquet files Firehose writes) and the tests derive
 * from. Add a field here and every one of them follows; they cannot drift.
 *
 * Kept free of imports so it bundles into the browser as it is.
 */

/** How a field is written in the JSON record and typed in Glue. */
export type FieldKind = 'string' | 'int' | 'timestamp';

export interface FieldSpec {
  readonly kind: FieldKind;
  readonly required: boolean;
  readonly description: string;
  /** Allowed values, for string fields with a closed set. */
  readonly values?: readonly string[];
  /** Longest accepted string. */
  readonly maxLength?: number;
}

export const EVENT_TYPES = ['page_view', 'menu_item_click'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

export const CLICK_EVENT_FIELDS = {
  event_id: {
    kind: 'string',
    required: true,
    maxLength: 36,
    description: 'UUID made by the tracker; queries count DISTINCT event_id, so a retried record never counts twice',
  },
  event_type: { kind: 'string', required: true, values: EVENT_TYPES, description: 'What happened' },
  occurred_at: { kind: 'timestamp', required: true, description: 'When it happened in the browser (epoch milliseconds in the record)' },
  session_id: { kind: 'string', required: true, maxLength: 36, description: 'Random id of one page visit; also the Kinesis partition key' },
  page_path: { kind: 'string', required: true, maxLength: 512, description: 'Path of the menu page' },
  menu_item_id: { kind: 'string', required: false, maxLength: 64, description: 'The menu item clicked (menu_item_click only)' },
  menu_section: { kind: 'string', required: false, maxLength: 64, description: 'Section of the menu the item is in' },
  viewport_width: { kind: 'int', required: true, description: 'CSS pixels, for layout questions' },
  referrer: { kind: 'string', required: false, maxLength: 512, description: 'Referring page, if the browser tells' },
} as const satisfies Record<string, FieldSpec>;

export type FieldName = keyof typeof CLICK_EVENT_FIELDS;

type ValueOf<K extends FieldKind> = K extends 'string' ? string : number;
type Spec = typeof CLICK_EVENT_FIELDS;
type RequiredNames = { [N in FieldName]: Spec[N]['required'] extends true ? N : never }[FieldName];
type OptionalNames = Exclude<FieldName, RequiredNames>;

/** A click event as the tracker sends it, typed from the field list. */
export type ClickEvent = { [N in RequiredNames]: ValueOf<Spec[N]['kind']> } & {
  [N in OptionalNames]?: ValueOf<Spec[N]['kind']>;
} & { event_type: EventType };

/** Glue column types by field kind. */
export const GLUE_TYPES: Record<FieldKind, string> = { string: 'string', int: 'int', timestamp: 'timestamp' };

/** The Glue columns, in field order. */
export function glueColumns(): { name: FieldName; type: string; comment: string }[] {
  return (Object.entries(CLICK_EVENT_FIELDS) as [FieldName, FieldSpec][]).map(([name, spec]) => ({
    name,
    type: GLUE_TYPES[spec.kind],
    comment: spec.description,
  }));
}

/**
 * Problems with a would-be event, by field; empty when it is valid. The
 * tracker refuses invalid events at `track()` (a bug in the page, reported
 * on the console) instead of sending rows Athena would read as nulls.
 */
export function eventProblems(candidate: Record<string, unknown>): string[] {
  const problems: string[] = [];
  for (const [name, spec] of Object.entries(CLICK_EVENT_FIELDS) as [FieldName, FieldSpec][]) {
    const value = candidate[name];
    if (value === undefined || value === null) {
      if (spec.required) problems.push(`${name}: required`);
      continue;
    }
    if (spec.kind === 'string') {
      if (typeof value !== 'string') problems.push(`${name}: expected a string`);
      else if (spec.maxLength !== undefined && value.length > spec.maxLength) problems.push(`${name}: longer than ${spec.maxLength}`);
      else if (spec.values && !spec.values.includes(value)) problems.push(`${name}: expected one of ${spec.values.join(', ')}`);
    } else if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
      problems.push(`${name}: expected a non-negative whole number`);
    }
  }
  for (const name of Object.keys(candidate)) {
    if (!(name in CLICK_EVENT_FIELDS)) problems.push(`${name}: not a field of the click event`);
  }
  return problems;
}
