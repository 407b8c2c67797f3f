import { ServiceModel } from './service-model';

export interface RouteMatch {
  readonly operation: string;
  /** URI label values, percent-decoded, keyed by label name (`DetectorId`). */
  readonly labels: Readonly<Record<string, string>>;
}

interface Route {
  readonly operation: string;
  readonly method: string;
  readonly pattern: RegExp;
  readonly labelNames: readonly string[];
  /** Characters outside labels: the more, the more specific the route. */
  readonly literalLength: number;
}

/**
 * Maps an HTTP method and path to the model operation whose `requestUri` template it
 * fits. Every operation of the model is routed, not only the emulated ones, so a request
 * for an operation the emulator lacks is reported by name instead of as an unknown path.
 */
export class RouteTable {
  private readonly routes: Route[];

  constructor(model: ServiceModel) {
    this.routes = model
      .operationNames()
      .map((name) => compileRoute(name, model.operation(name).http))
      // A template with more literal text wins where two could match the same path.
      .sort((a, b) => b.literalLength - a.literalLength);
  }

  public resolve(method: string, pathname: string): RouteMatch | undefined {
    for (const route of this.routes) {
      const match = route.method === method ? route.pattern.exec(pathname) : null;
      if (match) {
        const labels: Record<string, string> = {};
        route.labelNames.forEach((label, i) => (labels[label] = decodeURIComponent(match[i + 1])));
        return { operation: route.operation, labels };
      }
    }
    return undefined;
  }
}

/** Turns `/detector/{DetectorId}/member/get` into an anchored pattern; `{Name+}` is greedy. */
function compileRoute(operation: string, http: { method: string; requestUri: string }): Route {
  // A requestUri may carry a fixed query string (`/path?tagging`); routing uses the path.
  const template = http.requestUri.split('?')[0];
  const labelNames: string[] = [];
  let literalLength = 0;
  const source = template
    .split(/(\{[^}]+\})/)
    .map((part) => {
      const label = /^\{([^}+]+)(\+?)\}$/.exec(part);
      if (label) {
        labelNames.push(label[1]);
        return label[2] ? '(.+)' : '([^/]+)';
      }
      literalLength += part.length;
      return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('');
  return { operation, method: http.method, pattern: new RegExp(`^${source}/?$`), labelNames, literalLength };
}
