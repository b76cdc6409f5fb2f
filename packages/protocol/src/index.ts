export * from './errors.ts';
export * from './models.ts';
export * from './frames.ts';
export * as goim from './goim.ts';
