import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import type { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  CorsHttpMethod,
  DomainName,
  HttpApi,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
  SecurityPolicy,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ICertificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CORS_ALLOWED_HEADERS, CORS_ALLOWED_METHODS, CORS_EXPOSED_HEADERS, CORS_MAX_AGE_SECONDS } from '../../config/cors.js';
import type { RouteAuth, RouteGroupDefinition } from '../../lambdas/routes.js';
import { acknowledge } from '../nag.js';

export interface SiteHttpApiProps {
  readonly apiName: string;
  readonly domainName: string;
  readonly certificate: ICertificate;
  /** The web app's origins, answered for CORS by the rules of config/cors.ts (the functions get the same list). */
  readonly webOrigins: readonly string[];
}

/** `GET /v1/meetings/{id}` → method and path, refusing anything API Gateway would misread. */
export function parseRouteKey(routeKey: string): { method: HttpMethod; path: string } {
  const match = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/\S*)$/.exec(routeKey);
  if (!match?.[1] || !match[2]) throw new Error(`route key "${routeKey}" is not "METHOD /path"`);
  return { method: match[1] as HttpMethod, path: match[2] };
}

/**
 * Only operator routes are authorised at the gateway (SigV4, IAM). Tenant
 * routes carry JWTs from each tenant's own IdP, which the handler verifies
 * against that tenant's JWKS; LiveKit webhooks are verified by signature;
 * public routes are public.
 */
const WHY_NOT_AT_THE_GATEWAY: Readonly<Record<Exclude<RouteAuth, 'operator'>, string>> = {
  public: 'Public by design (health, directory look-up): it returns nothing about any person.',
  tenant:
    "Authorised in the handler: the JWT is verified against the JWKS of the tenant's own IdP, which a gateway JWT authorizer (one issuer per API) cannot do.",
  livekit: 'Called by LiveKit; the handler verifies the webhook signature made with the site API secret.',
};

function authorizerFor(auth: RouteAuth, iam: HttpIamAuthorizer, none: HttpNoneAuthorizer): IHttpRouteAuthorizer {
  return auth === 'operator' ? iam : none;
}

/**
 * The site's HTTP API under its own domain name. The execute-api endpoint is
 * switched off: the other site, LiveKit and clients all use the site's name.
 */
export class SiteHttpApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  private readonly iam = new HttpIamAuthorizer();
  private readonly none = new HttpNoneAuthorizer();

  constructor(scope: Construct, id: string, props: SiteHttpApiProps) {
    super(scope, id);
    this.api = new HttpApi(this, 'Api', {
      apiName: props.apiName,
      createDefaultStage: false,
      disableExecuteApiEndpoint: true,
      // API Gateway answers preflights itself and sets the CORS headers on every response, for these origins only.
      ...(props.webOrigins.length > 0 && {
        corsPreflight: {
          allowOrigins: [...props.webOrigins],
          allowMethods: CORS_ALLOWED_METHODS.map((method) => CorsHttpMethod[method]),
          allowHeaders: [...CORS_ALLOWED_HEADERS],
          exposeHeaders: [...CORS_EXPOSED_HEADERS],
          maxAge: Duration.seconds(CORS_MAX_AGE_SECONDS),
          allowCredentials: false,
        },
      }),
    });
    const domainName = new DomainName(this, 'Domain', {
      domainName: props.domainName,
      certificate: props.certificate,
      securityPolicy: SecurityPolicy.TLS_1_2,
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', {
      retention: RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new HttpStage(this, 'Stage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      domainMapping: { domainName },
      throttle: { rateLimit: 500, burstLimit: 1000 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No source IP, user agent or path: those identify people. The route key and request id are enough to debug.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            routeKey: '$context.routeKey',
            status: '$context.status',
            latencyMs: '$context.responseLatency',
            integrationError: '$context.integrationErrorMessage',
            time: '$context.requestTimeEpoch',
          }),
        ),
      },
    });
  }

  /** Adds every route of one group, all served by the group's function. */
  addGroup(group: RouteGroupDefinition, fn: IFunction): void {
    const integration = new HttpLambdaIntegration(`${group.name}Integration`, fn);
    for (const routeKey of group.routes) {
      const { method, path } = parseRouteKey(routeKey);
      const [route] = this.api.addRoutes({
        path,
        methods: [method],
        integration,
        authorizer: authorizerFor(group.auth, this.iam, this.none),
      });
      if (route && group.auth !== 'operator') {
        acknowledge(route, { id: 'AwsSolutions::AwsSolutions-APIG4', reason: WHY_NOT_AT_THE_GATEWAY[group.auth] });
      }
    }
  }
}
