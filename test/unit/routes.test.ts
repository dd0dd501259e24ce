import { ROUTE_GROUPS } from '../../lambdas/routes.js';

describe('route table', () => {
  it('names each route key once, each well formed', () => {
    const keys = ROUTE_GROUPS.flatMap((g) => g.routes);
    expect(new Set(keys).size).toBe(keys.length);
    for (const key of keys) expect(key).toMatch(/^(GET|POST|PUT|PATCH|DELETE) \/v1(\/[a-zA-Z0-9.{}-]+)+$/);
  });

  it('gives every group a unique name and a handler module', () => {
    const names = ROUTE_GROUPS.map((g) => g.name);
    expect(new Set(names).size).toBe(names.length);
    for (const group of ROUTE_GROUPS) expect(group.entry).toMatch(/^lambdas\/handlers\/[a-z-]+\.ts$/);
  });
});
