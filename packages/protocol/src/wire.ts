import type { Static, TSchema } from '@sinclair/typebox';

/**
 * The TypeScript type of a wire schema: what `Static` derives, read-only all the way down, since
 * what arrives on the wire is data to read (arrays become `readonly T[]`, tuples stay tuples).
 */
export type Wire<T extends TSchema> = DeepReadonly<Static<T>>;

type DeepReadonly<T> = T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;
