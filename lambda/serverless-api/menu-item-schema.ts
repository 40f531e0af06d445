import * as z from 'zod/mini';

/**
 * The menu item contract: the single source of truth for the handler's
 * validation and, converted to JSON Schema, for the API Gateway request model.
 * Keep this file free of runtime dependencies other than zod: the CDK app
 * imports it at synth time.
 */

export const MENU_CATEGORIES = ['coffee', 'tea', 'cold-drink', 'pastry', 'food'] as const;

/** Largest request body a handler reads; the gateway model bounds each field well below it. */
export const MAX_BODY_BYTES = 8 * 1024;

/** Largest page a list request may ask for. */
export const MAX_PAGE_SIZE = 100;
export const DEFAULT_PAGE_SIZE = 20;

const fields = {
  name: z.string().check(z.trim(), z.minLength(1), z.maxLength(100)),
  description: z.optional(z.string().check(z.maxLength(500))),
  category: z.enum(MENU_CATEGORIES),
  priceCents: z.int().check(z.minimum(0), z.maximum(100_000)),
  available: z._default(z.boolean(), true),
};

/** Body of `POST /menu-items`. Unknown fields are rejected, not ignored. */
export const CreateMenuItemBody = z.strictObject(fields);

/**
 * Body of `PUT /menu-items/{id}`: a full replacement that names the version it
 * replaces, so two editors cannot silently overwrite each other.
 */
export const ReplaceMenuItemBody = z.strictObject({
  ...fields,
  version: z.int().check(z.minimum(1)),
});

/** A menu item id: a UUID in any case, read in lower case as it is stored (an upper-case id finds the same item). */
export const MenuItemPath = z.strictObject({
  id: z.pipe(
    z.uuid(),
    z.transform((id) => id.toLowerCase()),
  ),
});

export const ListMenuItemsQuery = z.strictObject({
  // Decimal digits only: Number() would also read 0x10, 1e1 or ' 16 '.
  limit: z.optional(
    z
      .pipe(z.string().check(z.regex(/^[0-9]{1,3}$/)), z.transform(Number))
      .check(z.refine((n) => n >= 1 && n <= MAX_PAGE_SIZE, `must be between 1 and ${MAX_PAGE_SIZE}`)),
  ),
  nextToken: z.optional(z.string().check(z.minLength(1), z.maxLength(2048))),
});

export const DeleteMenuItemQuery = z.strictObject({
  version: z.optional(z.coerce.number().check(z.int(), z.minimum(1))),
});

export type CreateMenuItemInput = z.infer<typeof CreateMenuItemBody>;
export type ReplaceMenuItemInput = z.infer<typeof ReplaceMenuItemBody>;

/** A stored menu item as the API returns it. */
export interface MenuItem extends CreateMenuItemInput {
  readonly id: string;
  readonly version: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/**
 * JSON Schema (draft-04, the dialect API Gateway models use) of a request
 * body, describing what a client may send (defaults make fields optional).
 */
export function requestBodyJsonSchema(schema: z.ZodMiniType): Record<string, unknown> {
  return z.toJSONSchema(schema, { target: 'draft-4', io: 'input' }) as Record<string, unknown>;
}
