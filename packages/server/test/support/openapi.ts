import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { errorCatalogue } from '@frontdesk/protocol';
import { call, type Reply } from './client.ts';
import type { TestServer } from './server.ts';

/** The little of OpenAPI 3.1 these tests read. */
export type JsonSchema = { readonly [key: string]: unknown };

export interface Parameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema: JsonSchema;
}

export interface Operation {
  /** Upper case: GET, POST, … */
  readonly method: string;
  /** The OpenAPI template, e.g. `/api/v1/conversations/{conversationId}`. */
  readonly path: string;
  readonly pathParams: readonly Parameter[];
  readonly queryParams: readonly Parameter[];
  /** The JSON request body schema, when the operation takes a body. */
  readonly body: JsonSchema | null;
  /** Whether the operation wants a bearer token. */
  readonly secured: boolean;
  /** `METHOD /path` */
  readonly key: string;
}

const methods = ['get', 'put', 'post', 'delete', 'patch', 'options', 'head'];

/** Every operation of the document the running server serves at /docs/json. */
export async function fetchOperations(server: TestServer): Promise<Operation[]> {
  const reply = await call(server, 'GET', '/docs/json');
  if (reply.status !== 200 || typeof reply.body !== 'object') throw new Error(`GET /docs/json answered ${reply.status}`);
  const doc = reply.body as { paths: Record<string, Record<string, { parameters?: Parameter[]; security?: unknown[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>> };
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!methods.includes(method)) continue;
      const parameters = op.parameters ?? [];
      operations.push({
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === 'path'),
        queryParams: parameters.filter((p) => p.in === 'query'),
        body: op.requestBody?.content?.['application/json']?.schema ?? null,
        secured: (op.security ?? []).length > 0,
        key: `${method.toUpperCase()} ${path}`,
      });
    }
  }
  return operations;
}

/** The template with its `{name}` parameters replaced (values are inserted as given: encode them first). */
export function fillPath(template: string, values: Readonly<Record<string, string>>): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return value;
  });
}

/** Validators as strict as the server's: bodies without coercion, query strings and params with. */
const strict = addFormats.default(new Ajv({ coerceTypes: false, allErrors: false, strict: false }));
const coercing = addFormats.default(new Ajv({ coerceTypes: true, allErrors: false, strict: false }));
const compiled = new Map<string, ValidateFunction>();

function compile(ajv: Ajv, tag: string, schema: JsonSchema): ValidateFunction {
  const key = tag + JSON.stringify(schema);
  let validate = compiled.get(key);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(key, validate);
  }
  return validate;
}

/** Whether the body schema of the document accepts `value` (JSON-serialised, then parsed). */
export function bodyAccepts(schema: JsonSchema, value: unknown): boolean {
  return compile(strict, 'body', schema)(value) === true;
}

/** Whether the query parameters of the document accept a parsed query object (values are strings or string arrays). */
export function queryAccepts(params: readonly Parameter[], query: Record<string, unknown>): boolean {
  const schema = {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [p.name, p.schema])),
    required: params.filter((p) => p.required).map((p) => p.name),
    additionalProperties: false,
  };
  return compile(coercing, 'query', schema)(structuredClone(query)) === true;
}

/** Whether one parameter schema accepts a (decoded) string value. */
export function paramAccepts(param: Parameter, value: string): boolean {
  return compile(coercing, 'param', param.schema)(value) === true;
}

/** Dotted paths of every property a schema can hold (through anyOf branches and array items). */
export function schemaPaths(schema: JsonSchema, prefix = ''): Set<string> {
  const out = new Set<string>();
  const visit = (s: JsonSchema, at: string) => {
    const properties = s.properties as Record<string, JsonSchema> | undefined;
    if (properties) {
      for (const [name, child] of Object.entries(properties)) {
        const path = at === '' ? name : `${at}.${name}`;
        out.add(path);
        visit(child, path);
      }
    }
    for (const branch of (s.anyOf ?? s.oneOf ?? []) as JsonSchema[]) visit(branch, at);
    if (s.items && typeof s.items === 'object') {
      const path = `${at}[]`;
      out.add(path);
      visit(s.items as JsonSchema, path);
    }
  };
  visit(schema, prefix);
  return out;
}

/** Dotted paths of every value inside a JSON value, in the notation of schemaPaths. */
export function valuePaths(value: unknown, prefix = ''): Set<string> {
  const out = new Set<string>();
  const visit = (v: unknown, at: string) => {
    if (Array.isArray(v)) {
      for (const item of v) {
        out.add(`${at}[]`);
        visit(item, `${at}[]`);
      }
    } else if (typeof v === 'object' && v !== null) {
      for (const [name, child] of Object.entries(v)) {
        const path = at === '' ? name : `${at}.${name}`;
        out.add(path);
        visit(child, path);
      }
    }
  };
  visit(value, prefix);
  return out;
}

/** Locations inside a JSON value: [] is the root, then keys and array indexes. */
export type Location = readonly (string | number)[];

export function locations(value: unknown): Location[] {
  const out: Location[] = [[]];
  const visit = (v: unknown, at: Location) => {
    if (Array.isArray(v)) v.forEach((item, i) => { out.push([...at, i]); visit(item, [...at, i]); });
    else if (typeof v === 'object' && v !== null) {
      for (const [key, child] of Object.entries(v)) {
        out.push([...at, key]);
        visit(child, [...at, key]);
      }
    }
  };
  visit(value, []);
  return out;
}

/** A deep copy of `value` with the thing at `at` replaced (or removed when `replacement` is `remove`). */
export const remove = Symbol('remove');
export function replaceAt(value: unknown, at: Location, replacement: unknown): unknown {
  if (at.length === 0) return replacement;
  const copy = structuredClone(value) as Record<string | number, unknown>;
  let parent = copy;
  for (const step of at.slice(0, -1)) parent = parent[step] as Record<string | number, unknown>;
  const last = at.at(-1)!;
  if (replacement === remove) {
    if (Array.isArray(parent)) parent.splice(last as number, 1);
    else delete parent[last];
  } else parent[last] = replacement;
  return copy;
}

/** Objects (the root and nested ones) inside a JSON value, where an unknown field can be added. */
export function objectLocations(value: unknown): Location[] {
  return locations(value).filter((at) => {
    let v: unknown = value;
    for (const step of at) v = (v as Record<string | number, unknown>)[step];
    return typeof v === 'object' && v !== null && !Array.isArray(v);
  });
}

/**
 * What every refusal must look like: a 4xx status, a JSON `{error: {code, message}}` body, a code
 * from the catalogue whose status is the HTTP status. Returns the problems found ([] when fine).
 */
export function refusalProblems(reply: Reply): string[] {
  const problems: string[] = [];
  if (reply.status < 400 || reply.status > 499) problems.push(`status ${reply.status}`);
  const body = reply.body as { error?: { code?: unknown; message?: unknown } } | string;
  if (typeof body !== 'object' || body === null || typeof body.error !== 'object' || body.error === null) {
    problems.push(`body is not {error}: ${JSON.stringify(body).slice(0, 200)}`);
    return problems;
  }
  const { code, message } = body.error;
  if (typeof code !== 'string' || !Object.hasOwn(errorCatalogue, code)) problems.push(`code ${String(code)} is not in the catalogue`);
  else if (errorCatalogue[code as keyof typeof errorCatalogue].status !== reply.status) {
    problems.push(`code ${code} has catalogue status ${errorCatalogue[code as keyof typeof errorCatalogue].status}, HTTP status ${reply.status}`);
  }
  if (typeof message !== 'string' || message === '') problems.push('no message');
  return problems;
}
