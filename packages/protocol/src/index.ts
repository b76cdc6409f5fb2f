export * from './errors.ts';
export * from './models.ts';
