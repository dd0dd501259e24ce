/** Matches a method and path against API Gateway route keys such as `GET /v1/meetings/{id}`. */
export interface RouteMatch {
  readonly routeKey: string;
  readonly pathParameters: Record<string, string>;
}

interface CompiledRoute {
  readonly routeKey: string;
  readonly method: string;
  readonly segments: readonly string[];
}

export class RouteTable {
  private readonly routes: CompiledRoute[];

  constructor(routeKeys: readonly string[]) {
    this.routes = routeKeys.map((routeKey) => {
      const [method, path] = routeKey.split(' ', 2);
      if (!method || !path?.startsWith('/')) throw new Error(`bad route key "${routeKey}"`);
      return { routeKey, method, segments: path.split('/').slice(1) };
    });
    // Literal segments win over parameters, as in API Gateway.
    this.routes.sort((a, b) => literalCount(b) - literalCount(a));
  }

  match(method: string, path: string): RouteMatch | undefined {
    const segments = path.split('/').slice(1);
    for (const candidate of this.routes) {
      if (candidate.method !== method && candidate.method !== 'ANY') continue;
      const params = matchSegments(candidate.segments, segments);
      if (params) return { routeKey: candidate.routeKey, pathParameters: params };
    }
    return undefined;
  }
}

function literalCount(route: CompiledRoute): number {
  return route.segments.filter((s) => !s.startsWith('{')).length;
}

function matchSegments(template: readonly string[], actual: readonly string[]): Record<string, string> | undefined {
  if (template.length !== actual.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < template.length; i++) {
    const t = template[i]!;
    const a = actual[i]!;
    if (t.startsWith('{') && t.endsWith('}')) {
      if (a.length === 0) return undefined;
      try {
        params[t.slice(1, -1)] = decodeURIComponent(a);
      } catch {
        return undefined;
      }
    } else if (t !== a) {
      return undefined;
    }
  }
  return params;
}
