import fs from 'node:fs';

/** A bad value in the environment: the message names the variable and what it must be. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export type Env = Readonly<Record<string, string | undefined>>;

/** Hours, fractions allowed (tests use a few seconds' worth). */
export function hours(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+(\.\d+)?$/.test(raw)) throw new ConfigError(`${name} must be a number of hours, got "${raw}".`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}.`);
  return value;
}

export function str(env: Env, name: string, fallback: string): string {
  const value = env[name];
  return value === undefined || value === '' ? fallback : value;
}

export function int(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number, got "${raw}".`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}.`);
  return value;
}

/** A file named by a variable, read now: one that cannot be read stops the start, naming it. */
function readNamed(name: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new ConfigError(`${name}: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
}

export function pemFile(name: string, file: string): string {
  const text = readNamed(name, file);
  if (!text.includes('-----BEGIN CERTIFICATE-----')) throw new ConfigError(`${name}: ${file} holds no PEM certificate.`);
  return text;
}

/** A PEM private key file's text (unencrypted: the process must read it unattended). */
export function privateKeyFile(name: string, file: string): string {
  const text = readNamed(name, file);
  if (!/-----BEGIN (RSA |EC )?PRIVATE KEY-----/.test(text)) throw new ConfigError(`${name}: ${file} holds no unencrypted PEM private key.`);
  return text;
}

export function redisPrefix(env: Env): string {
  const value = str(env, 'REDIS_PREFIX', 'frontdesk');
  if (!/^[A-Za-z0-9_.-]{1,64}$/.test(value)) throw new ConfigError(`REDIS_PREFIX must be 1–64 letters, digits, '_', '.' or '-', got "${value}".`);
  return value;
}

export function bool(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'no', 'off'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(`${name} must be true or false, got "${raw}".`);
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if ((allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ConfigError(`${name} must be one of ${allowed.join(', ')}, got "${raw}".`);
}

/**
 * One schema for Frontdesk's tables and its migration bookkeeping: DATABASE_SCHEMA, or else the
 * first entry of a `search_path` set in DATABASE_URL's `options` (`?options=-c search_path=shop1`),
 * or else public. Taking the tables from the URL and the bookkeeping from public made a second
 * deployment on another schema believe it was migrated.
 */
export function databaseSchema(env: Env, databaseUrl: string | null): string {
  const fromUrl = databaseUrl === null ? null : searchPathOf(databaseUrl);
  if (env.DATABASE_SCHEMA === undefined || env.DATABASE_SCHEMA === '') {
    if (fromUrl === null) return 'public';
    if (!SQL_IDENTIFIER.test(fromUrl)) throw new ConfigError(`DATABASE_URL's search_path must start with a lower-case SQL identifier, got "${fromUrl}".`);
    return fromUrl;
  }
  const schema = identifier(env, 'DATABASE_SCHEMA', 'public');
  if (fromUrl !== null && fromUrl !== schema) {
    throw new ConfigError(`DATABASE_SCHEMA is "${schema}" but DATABASE_URL's search_path starts with "${fromUrl}": give one of them, or the same schema in both.`);
  }
  return schema;
}

/** The first schema of `-c search_path=…` (or `--search_path=…`) in a connection URL's options. */
export function searchPathOf(databaseUrl: string): string | null {
  let options: string | null;
  try {
    options = new URL(databaseUrl).searchParams.get('options');
  } catch {
    return null;
  }
  const match = options === null ? null : /(?:^|\s)(?:-c\s*|--)search_path=([^\s]+)/.exec(options);
  if (!match?.[1]) return null;
  const first = match[1].split(',')[0]!.trim().replace(/^"(.*)"$/, '$1');
  return first === '' || first === '$user' ? null : first;
}

const SQL_IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function identifier(env: Env, name: string, fallback: string): string {
  const value = str(env, name, fallback);
  if (!SQL_IDENTIFIER.test(value)) throw new ConfigError(`${name} must be a lower-case SQL identifier, got "${value}".`);
  return value;
}

export function origins(env: Env, name: string): string[] {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((item) => {
    const value = item.trim();
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError(`${name} must be a comma-separated list of origins like https://shop.example, got "${value}".`);
    }
    if (url.origin !== value) throw new ConfigError(`${name}: "${value}" is not an origin (scheme://host[:port], no path).`);
    return value;
  });
}

export function emailAddress(env: Env, name: string, fallback: string): string {
  const value = env[name] || fallback;
  if (!/^[^\s@<>]+@[^\s@<>]+$/.test(value)) throw new ConfigError(`${name} must be an e-mail address, got "${value}".`);
  return value;
}

export function hostName(env: Env, name: string, fallback: string): string {
  const value = (env[name] || fallback).toLowerCase();
  if (!/^[a-z0-9.-]{1,253}$/.test(value)) throw new ConfigError(`${name} must be a domain name, got "${value}".`);
  return value;
}

export function optionalUrl(env: Env, name: string, protocols: readonly string[]): string | null {
  const raw = env[name];
  if (raw === undefined || raw === '') return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(`${name} is not a valid URL.`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(`${name} must start with ${protocols.map((p) => `${p}//`).join(' or ')}.`);
  }
  // The scheme in lower case: drivers compare it as written (ioredis turns TLS on for "rediss://" only).
  return url.protocol + raw.slice(url.protocol.length);
}

/** localhost, 127.0.0.0/8, ::1 and a Unix socket path: reachable from this machine only. */
export function isLoopback(hostname: string): boolean {
  const host = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return host === '' || host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host) || host.startsWith('/');
}
