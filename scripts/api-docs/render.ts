import { openApiDocument } from '../../lambdas/api/openapi.js';

type Schema = {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  enum?: unknown[];
  const?: unknown;
  description?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  maxItems?: number;
  default?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  examples?: unknown[];
};
interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: Schema;
}
interface Response {
  $ref?: string;
  description: string;
  headers?: Record<string, { $ref: string }>;
  content?: Record<string, { schema: Schema; example?: unknown }>;
}
interface OperationDoc {
  operationId: string;
  summary: string;
  tags: string[];
  security?: Record<string, unknown>[];
  parameters: Parameter[];
  requestBody?: { content: Record<string, { schema: Schema; example?: unknown }> };
  responses: Record<string, Response>;
}
interface Document {
  info: { title: string; description: string };
  paths: Record<string, Record<string, OperationDoc>>;
  components: { schemas: Record<string, Schema>; responses: Record<string, Response> };
}

/** The name a `$ref` points to (`#/components/schemas/Meeting` → `Meeting`). */
const refName = (ref: string) => ref.slice(ref.lastIndexOf('/') + 1);

let components: Document['components'] = { schemas: {}, responses: {} };
const resolved = (schema: Schema): Schema => (schema.$ref ? resolved(components.schemas[refName(schema.$ref)]!) : schema);
const named = (schema: Schema) => (schema.$ref ? ` (\`${refName(schema.$ref)}\`)` : '');

const cell = (text: string) => text.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function typeOf(schema: Schema): string {
  if (schema.$ref) return `\`${refName(schema.$ref)}\``;
  if (schema.enum) return schema.enum.map((v) => `\`${String(v)}\``).join(' or ');
  if (schema.const !== undefined) return `\`${String(schema.const)}\``;
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return variants.map(typeOf).join(' or ');
  if (schema.type === 'array') return `array of ${schema.items ? typeOf(schema.items) : 'any'}`;
  const type = Array.isArray(schema.type) ? schema.type.join(' or ') : (schema.type ?? 'any');
  return schema.format ? `${type} (${schema.format})` : type;
}

function constraints(schema: Schema): string {
  const parts: string[] = [];
  if (schema.minLength !== undefined || schema.maxLength !== undefined)
    parts.push(`length ${schema.minLength ?? 0}–${schema.maxLength ?? '∞'}`);
  if (schema.minimum !== undefined || schema.maximum !== undefined)
    parts.push(`${schema.minimum ?? '−∞'}–${schema.maximum ?? '∞'}`);
  if (schema.maxItems !== undefined) parts.push(`at most ${schema.maxItems} items`);
  if (schema.default !== undefined) parts.push(`default \`${JSON.stringify(schema.default)}\``);
  if (schema.examples?.length) parts.push(`e.g. \`${String(schema.examples[0])}\``);
  if (schema.description) parts.push(schema.description);
  return parts.join('; ');
}

function fields(schema: Schema, prefix = ''): string[] {
  const rows: string[] = [];
  for (const [name, declared] of Object.entries(resolved(schema).properties ?? {})) {
    const property = resolved(declared);
    const required = (resolved(schema).required ?? []).includes(name) ? 'yes' : '';
    rows.push(`| \`${prefix}${name}\` | ${cell(typeOf(declared))} | ${required} | ${cell(constraints(property))} |`);
    if (property.type === 'object' && property.properties) rows.push(...fields(property, `${prefix}${name}.`));
  }
  return rows;
}

const json = (value: unknown) => ['```json', JSON.stringify(value, null, 2), '```', ''];

/** The API reference in Markdown, rendered from the same OpenAPI document the API serves. */
export function renderApiDocs(): string {
  const document = openApiDocument() as unknown as Document;
  components = document.components;
  const byTag = new Map<string, string[]>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(methods)) {
      const lines: string[] = [
        `### \`${method.toUpperCase()} ${path}\``,
        '',
        op.summary,
        '',
        `Operation id: \`${op.operationId}\``,
        '',
      ];
      const auth = op.security?.[0] ? Object.keys(op.security[0])[0] : undefined;
      const guests = op.security?.some((s) => 'guestJwt' in s) ? ", or a guest token (of the guest's own meeting)" : '';
      lines.push(
        `Auth: ${auth === 'tenantJwt' ? "a JWT of the tenant's identity provider" + guests : auth === 'operator' ? 'operator (IAM when deployed)' : 'none'}`,
        '',
      );
      if (op.parameters.length > 0) {
        lines.push('| parameter | in | type | required | notes |', '| --- | --- | --- | --- | --- |');
        for (const p of op.parameters) {
          lines.push(
            `| \`${p.name}\` | ${p.in} | ${cell(typeOf(p.schema))} | ${p.required ? 'yes' : ''} | ${cell(p.description ?? constraints(p.schema))} |`,
          );
        }
        lines.push('');
      }
      const declaredBody = op.requestBody?.content['application/json']?.schema;
      const body = declaredBody && resolved(declaredBody);
      const alternatives = body?.anyOf ?? body?.oneOf;
      if (alternatives?.every((alternative) => alternative.properties)) {
        lines.push(`Body${named(declaredBody!)} (JSON; one of these forms; unknown fields are refused):`, '');
        for (const [i, alternative] of alternatives.entries()) {
          const tag = Object.entries(alternative.properties ?? {}).find(([, p]) => p.const !== undefined);
          lines.push(
            tag ? `With \`${tag[0]}\` = \`${String(tag[1].const)}\`:` : `Form ${i + 1}:`,
            '',
            '| field | type | required | notes |',
            '| --- | --- | --- | --- |',
            ...fields(alternative),
            '',
          );
        }
      } else if (body)
        lines.push(
          `Body${named(declaredBody!)} (JSON; unknown fields are refused):`,
          '',
          '| field | type | required | notes |',
          '| --- | --- | --- | --- |',
          ...fields(body),
          '',
        );
      const bodyExample = op.requestBody?.content['application/json']?.example;
      if (bodyExample !== undefined) lines.push('Example request body:', '', ...json(bodyExample));
      const responses = Object.entries(op.responses).map(
        ([status, r]) => [status, r.$ref ? components.responses[refName(r.$ref)]! : r] as const,
      );
      const statuses = responses.map(([status, r]) => {
        const schema = Object.values(r.content ?? {})[0]?.schema;
        const headers = Object.keys(r.headers ?? {}).filter((h) => h !== 'X-Request-Id');
        return `\`${status}\` ${r.description}${schema ? named(schema) : ''}${headers.length > 0 ? ` [${headers.join(', ')}]` : ''}`;
      });
      lines.push(`Responses (each with \`X-Request-Id\`; other headers in brackets): ${statuses.join('; ')}.`, '');
      const [successStatus, success] = responses[0]!;
      const successContent = Object.entries(success.content ?? {})[0];
      if (successContent?.[1].example !== undefined) {
        const [type, { example }] = successContent;
        lines.push(
          `Example response (\`${successStatus}\`):`,
          '',
          ...(type === 'application/json' ? json(example) : ['```', String(example).replace(/\r\n/g, '\n').trimEnd(), '```', '']),
        );
      }
      const tag = op.tags[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), ...lines]);
    }
  }
  const out = [
    `# ${document.info.title}`,
    '',
    '<!-- Generated from lambdas/api/operations.ts by `npm run docs:api`; do not edit by hand. -->',
    '',
    document.info.description,
    '',
    'The machine-readable document is served at `GET /v1/openapi.json` on every site; the local stack also serves it as an HTML reference at `/docs`.',
    '',
  ];
  for (const [tag, lines] of byTag) out.push(`## ${tag}`, '', ...lines);
  return `${out.join('\n').trimEnd()}\n`;
}
