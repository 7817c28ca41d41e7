// Checks recorded HTTP exchanges against the official OpenAPI descriptions in
// /work/shared/specs (see its README.md). Used by the simulator tests: every request the
// adapters send and every answer a simulator gives must be what the real API declares.
//
// Validation is ajv's (JSON Schema), not hand-written. The spec is parsed once per file and
// registered whole in ajv under an id; each operation's schemas are then compiled lazily
// through JSON pointers into that document, so `$ref`s (recursive ones included) resolve
// inside the spec without dereferencing it. The Jira platform spec (2.5 MB) loads in about
// 0.2 s and each operation compiles in tens of milliseconds on first use.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject, type Format, type ValidateFunction } from 'ajv';
import type { Exchange } from '../../src/sandbox/exchange';

export const SPEC_FILES = {
  cloudSupport: 'cloudsupport-v2.openapi.json',
  jiraPlatform: 'jira-platform-v3.openapi.json',
  jiraServiceDesk: 'jira-servicedesk.openapi.json',
} as const;

/**
 * The folder holding the API descriptions: `API_SPECS_DIR`, else `<repo>/../shared/specs`;
 * null when it is absent or lacks one of the files (tests then skip, saying so).
 */
export function specsDir(): string | null {
  const fromEnv = process.env['API_SPECS_DIR'];
  const dir =
    fromEnv !== undefined && fromEnv !== ''
      ? path.resolve(fromEnv)
      : path.resolve(__dirname, '../..', '..', 'shared', 'specs');
  const complete = Object.values(SPEC_FILES).every((file) => fs.existsSync(path.join(dir, file)));
  return complete ? dir : null;
}

/**
 * Loads (parses, indexes, registers in ajv) a spec if not yet cached; returns the
 * milliseconds it took (0 when it was already loaded). Handy in a `beforeAll`.
 */
export function preloadSpec(specPath: string): number {
  const started = Date.now();
  const cached = cache.has(path.resolve(specPath));
  loadSpec(specPath);
  return cached ? 0 : Date.now() - started;
}

/**
 * Validates one exchange against the spec at `specPath`: the operation must exist for the
 * method and path; path, query and header parameters must match their schemas (unknown
 * query parameters are reported); a JSON request body must match the requestBody schema;
 * the status must be declared (or `default`); a JSON response body must match that
 * response's schema. Non-JSON bodies (binary, multipart) are not validated, but their media
 * type must be declared. Returns human-readable problems, empty when all is well.
 */
export function checkExchange(specPath: string, ex: Exchange): string[] {
  const spec = loadSpec(specPath);
  const method = ex.method.toLowerCase();
  const rawPath = ex.path.split('?')[0] ?? '';
  const found = findOperation(spec, method, rawPath);
  if (found.kind === 'no-path') {
    return [`${spec.name}: no operation for ${ex.method.toUpperCase()} ${rawPath} (unknown path)`];
  }
  if (found.kind === 'no-method') {
    return [
      `${spec.name}: ${rawPath} matches ${found.template} but ${ex.method.toUpperCase()} is not declared there (declared: ${found.declared.join(', ')})`,
    ];
  }
  const { route, pathValues } = found;
  const label = `${route.operationId} (${method.toUpperCase()} ${route.template})`;
  const problems: string[] = [];
  const report = (where: string, message: string): void => {
    problems.push(`${label}: ${where}: ${message}`);
  };
  const headers = lowerKeys(ex.headers);
  const responseHeaders = lowerKeys(ex.responseHeaders);

  const declaredHeaders: Record<string, string> = {};
  for (const param of route.parameters) {
    const value = param.in === 'header' ? headers[param.name.toLowerCase()] : undefined;
    if (value !== undefined) declaredHeaders[param.name] = value;
  }
  const checks: (() => void)[] = [
    () => checkParameters(spec, route, 'path', pathValues, report),
    () => checkParameters(spec, route, 'query', ex.query, report),
    () => checkParameters(spec, route, 'header', declaredHeaders, report),
    () => checkRequestBody(spec, route, ex, headers, report),
    () => checkResponse(spec, route, ex, method, responseHeaders, report),
  ];
  for (const check of checks) {
    try {
      check();
    } catch (error) {
      // a schema ajv cannot compile is a finding about the spec, not a crash of the test
      report('checker', error instanceof Error ? error.message : String(error));
    }
  }
  return problems;
}

// ---------------------------------------------------------------------------------------
// Loading and routing

type Json = Record<string, unknown>;
type ParamLocation = 'path' | 'query' | 'header' | 'cookie';
type Report = (where: string, message: string) => void;

interface Located<T> {
  value: T;
  pointer: string[];
}

interface Parameter {
  name: string;
  in: ParamLocation;
  required: boolean;
  explode: boolean;
  /** pointer (into the spec) of the parameter's schema, or of content[json].schema */
  schemaPointer: string[] | null;
  jsonContent: boolean;
  schema: Json | null;
}

interface Route {
  template: string;
  method: string;
  operationId: string;
  /** one regex per path segment; params captured in order */
  segments: RegExp[];
  paramNames: string[];
  literalChars: number;
  parameters: Parameter[];
  pointer: string[];
  operation: Json;
}

interface LoadedSpec {
  name: string;
  id: string;
  basePath: string;
  text: string;
  requestDoc: Json;
  routes: Route[];
  ajv: Partial<Record<AjvRole, Ajv>>;
  validators: Map<string, ValidateFunction>;
}

type AjvRole = 'request' | 'params' | 'response';

const cache = new Map<string, LoadedSpec>();
let specCounter = 0;
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** Per OpenAPI, these headers are described elsewhere and ignored as parameters. */
const RESERVED_HEADERS = new Set(['accept', 'content-type', 'authorization']);

function loadSpec(specPath: string): LoadedSpec {
  const key = path.resolve(specPath);
  const cached = cache.get(key);
  if (cached) return cached;
  const text = fs.readFileSync(key, 'utf8');
  specCounter += 1;
  const id = `https://openapi-check.invalid/spec-${specCounter}.json`;
  // Request side: readOnly properties are not required of a client (OpenAPI 3.0 §4.8.25).
  const requestDoc = prepareDoc(text, id, 'readOnly');
  const paths = asObject(requestDoc['paths']) ?? {};
  // Google's custom methods (`{casesId}:close`) put a colon after a parameter; there,
  // resource ids never contain one, so a parameter stops at ':'.
  const googleStyle = Object.keys(paths).some((template) => template.includes('}:'));
  const routes: Route[] = [];
  for (const [template, rawItem] of Object.entries(paths)) {
    const item = asObject(rawItem);
    if (!item) continue;
    const shared = asArray(item['parameters']) ?? [];
    for (const method of HTTP_METHODS) {
      const operation = asObject(item[method]);
      if (!operation) continue;
      const pointer = ['paths', template, method];
      const own = (asArray(operation['parameters']) ?? []).map((p, i) =>
        resolveParameter(requestDoc, p, [...pointer, 'parameters', String(i)]),
      );
      const inherited = shared.map((p, i) =>
        resolveParameter(requestDoc, p, ['paths', template, 'parameters', String(i)]),
      );
      const parameters = [...own];
      for (const param of inherited) {
        if (param && !own.some((o) => o && o.name === param.name && o.in === param.in))
          parameters.push(param);
      }
      const compiled = compileTemplate(template, googleStyle);
      routes.push({
        template,
        method,
        operationId:
          typeof operation['operationId'] === 'string'
            ? operation['operationId']
            : `${method} ${template}`,
        ...compiled,
        parameters: parameters.filter((p): p is Parameter => p !== null),
        pointer,
        operation,
      });
    }
  }
  const servers = asArray(requestDoc['servers']);
  const firstServer = servers ? asObject(servers[0]) : undefined;
  const basePath = serverBasePath(firstServer?.['url']);
  const spec: LoadedSpec = {
    name: path.basename(key),
    id,
    basePath,
    text,
    requestDoc,
    routes,
    ajv: {},
    validators: new Map(),
  };
  cache.set(key, spec);
  return spec;
}

function serverBasePath(url: unknown): string {
  if (typeof url !== 'string') return '';
  try {
    const pathname = new URL(url, 'http://placeholder.invalid').pathname.replace(/\/+$/, '');
    return pathname === '/' ? '' : pathname;
  } catch {
    return '';
  }
}

function compileTemplate(
  template: string,
  googleStyle: boolean,
): Pick<Route, 'segments' | 'paramNames' | 'literalChars'> {
  const paramNames: string[] = [];
  let literalChars = 0;
  const capture = googleStyle ? '([^:]+)' : '(.+)';
  const segments = template
    .split('/')
    .slice(1)
    .map((segment) => {
      const pieces = segment.split(/(\{[^}]+\})/).filter((piece) => piece !== '');
      const source = pieces
        .map((piece) => {
          if (piece.startsWith('{') && piece.endsWith('}')) {
            paramNames.push(piece.slice(1, -1));
            return capture;
          }
          literalChars += piece.length;
          return escapeRegExp(piece);
        })
        .join('');
      return new RegExp(`^${source}$`);
    });
  return { segments, paramNames, literalChars: literalChars + segments.length };
}

type Found =
  | { kind: 'found'; route: Route; pathValues: Record<string, string> }
  | { kind: 'no-path' }
  | { kind: 'no-method'; template: string; declared: string[] };

function findOperation(spec: LoadedSpec, method: string, rawPath: string): Found {
  let requestPath = rawPath.startsWith('/') ? rawPath : `/${rawPath}`;
  if (spec.basePath !== '' && requestPath.startsWith(`${spec.basePath}/`)) {
    requestPath = requestPath.slice(spec.basePath.length);
  }
  // Decode segment by segment, so an encoded '/' stays inside its segment.
  const segments = requestPath
    .split('/')
    .slice(1)
    .map((segment) => safeDecode(segment));
  const matches: { route: Route; values: string[] }[] = [];
  for (const route of spec.routes) {
    if (route.segments.length !== segments.length) continue;
    const values: string[] = [];
    const ok = route.segments.every((regex, i) => {
      const match = regex.exec(segments[i] ?? '');
      if (!match) return false;
      values.push(...match.slice(1).map((v) => v ?? ''));
      return true;
    });
    if (ok) matches.push({ route, values });
  }
  if (matches.length === 0) return { kind: 'no-path' };
  // Most specific first: literal segments beat templated ones (`/issue/bulk` vs `/issue/{id}`).
  matches.sort((a, b) => b.route.literalChars - a.route.literalChars);
  const hit = matches.find((m) => m.route.method === method);
  if (!hit) {
    const best = matches[0]?.route;
    const declared = matches
      .filter((m) => m.route.literalChars === best?.literalChars)
      .map((m) => m.route.method.toUpperCase());
    return { kind: 'no-method', template: best?.template ?? '', declared };
  }
  const pathValues: Record<string, string> = {};
  hit.route.paramNames.forEach((name, i) => {
    pathValues[name] = hit.values[i] ?? '';
  });
  return { kind: 'found', route: hit.route, pathValues };
}

function resolveParameter(doc: Json, raw: unknown, pointer: string[]): Parameter | null {
  const located = resolveRef(doc, raw, pointer);
  const param = asObject(located?.value);
  if (!located || !param) return null;
  const name = param['name'];
  const where = param['in'];
  if (typeof name !== 'string' || !isLocation(where)) return null;
  const content = asObject(param['content']);
  const jsonKey = content ? Object.keys(content).find(isJsonMediaType) : undefined;
  let schemaPointer: string[] | null = null;
  let schema: Json | null = null;
  if (param['schema'] !== undefined) {
    schemaPointer = [...located.pointer, 'schema'];
    schema = asObject(resolveRef(doc, param['schema'], schemaPointer)?.value) ?? null;
  } else if (content && jsonKey !== undefined) {
    schemaPointer = [...located.pointer, 'content', jsonKey, 'schema'];
    schema =
      asObject(resolveRef(doc, asObject(content[jsonKey])?.['schema'], schemaPointer)?.value) ??
      null;
  }
  const style = param['style'];
  const explodeDefault =
    where === 'query' || where === 'cookie' ? style === undefined || style === 'form' : false;
  return {
    name,
    in: where,
    required: param['required'] === true || where === 'path',
    explode: typeof param['explode'] === 'boolean' ? param['explode'] : explodeDefault,
    schemaPointer,
    jsonContent: param['schema'] === undefined && jsonKey !== undefined,
    schema,
  };
}

// ---------------------------------------------------------------------------------------
// Checks

function checkParameters(
  spec: LoadedSpec,
  route: Route,
  location: ParamLocation,
  values: Record<string, string>,
  report: Report,
): void {
  const declared = route.parameters.filter(
    (p) =>
      p.in === location && !(location === 'header' && RESERVED_HEADERS.has(p.name.toLowerCase())),
  );
  const data: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(values)) {
    const param = declared.find((p) => p.name === name);
    if (!param) {
      if (location !== 'header')
        report(`request ${location} parameter '${name}'`, 'not declared by the operation');
      continue;
    }
    data[name] = decodeParameter(param, value, (message) =>
      report(`request ${location} parameter '${name}'`, message),
    );
  }
  for (const param of declared) {
    if (param.required && values[param.name] === undefined) {
      report(`request ${location} parameter '${param.name}'`, 'required but missing');
    }
  }
  const typed = declared.filter((p) => p.schemaPointer !== null);
  if (!typed.some((p) => data[p.name] !== undefined)) return;
  const cacheKey = `params|${route.method}|${route.template}|${location}`;
  const validate = validatorFor(spec, cacheKey, 'params', () => ({
    type: 'object',
    properties: Object.fromEntries(
      typed.map((p) => [p.name, { $ref: refTo(spec.id, p.schemaPointer ?? []) }]),
    ),
  }));
  if (!validate(data) && validate.errors) {
    for (const error of validate.errors) {
      const [, name = '', ...rest] = error.instancePath.split('/');
      const inner = rest.length > 0 ? `/${rest.join('/')}` : '';
      report(`request ${location} parameter '${unescapePointer(name)}'${inner}`, describe(error));
    }
  }
}

function decodeParameter(
  param: Parameter,
  value: string,
  fail: (message: string) => void,
): unknown {
  if (param.jsonContent) {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      fail('not valid JSON');
      return value;
    }
  }
  if (param.schema?.['type'] === 'array') {
    if (!param.explode || param.in === 'path' || param.in === 'header') return value.split(',');
    return [value];
  }
  return value;
}

function checkRequestBody(
  spec: LoadedSpec,
  route: Route,
  ex: Exchange,
  headers: Record<string, string>,
  report: Report,
): void {
  const where = 'request body';
  const mediaType =
    baseMediaType(headers['content-type']) ??
    (ex.requestJson !== undefined ? 'application/json' : undefined);
  const located = resolveRef(spec.requestDoc, route.operation['requestBody'], [
    ...route.pointer,
    'requestBody',
  ]);
  const requestBody = asObject(located?.value);
  if (!located || !requestBody) {
    if (ex.requestJson !== undefined)
      report(where, 'sent, but the operation declares no request body');
    return;
  }
  const required = requestBody['required'] === true;
  if (mediaType === undefined) {
    if (required) report(where, 'required but missing');
    return;
  }
  const content = asObject(requestBody['content']) ?? {};
  const key = matchMediaType(Object.keys(content), mediaType);
  if (key === undefined) {
    report(
      where,
      `content type '${mediaType}' not declared (declared: ${Object.keys(content).join(', ')})`,
    );
    return;
  }
  if (!isJsonMediaType(mediaType)) return; // binary, multipart, text: the route and type are enough
  if (ex.requestJson === undefined) {
    if (required) report(where, 'required but missing');
    return;
  }
  const media = asObject(content[key]);
  if (!media || media['schema'] === undefined) return;
  const pointer = [...located.pointer, 'content', key, 'schema'];
  const validate = validatorFor(spec, `request|${pointer.join('/')}`, 'request', () => ({
    $ref: refTo(spec.id, pointer),
  }));
  reportErrors(validate, ex.requestJson, where, report);
}

function checkResponse(
  spec: LoadedSpec,
  route: Route,
  ex: Exchange,
  method: string,
  headers: Record<string, string>,
  report: Report,
): void {
  const where = `response ${ex.status}`;
  const responses = asObject(route.operation['responses']) ?? {};
  const statusKey = [
    String(ex.status),
    `${Math.floor(ex.status / 100)}XX`,
    `${Math.floor(ex.status / 100)}xx`,
    'default',
  ].find((k) => responses[k] !== undefined);
  if (statusKey === undefined) {
    report(where, `status not declared (declared: ${Object.keys(responses).join(', ')})`);
    return;
  }
  const located = resolveRef(spec.requestDoc, responses[statusKey], [
    ...route.pointer,
    'responses',
    statusKey,
  ]);
  const response = asObject(located?.value);
  if (!located || !response) return;
  const content = asObject(response['content']);
  const declared = content ? Object.keys(content) : [];
  const mediaType =
    baseMediaType(headers['content-type']) ??
    (ex.responseJson !== undefined ? 'application/json' : undefined);
  if (ex.responseJson === undefined) {
    const bodyless = method === 'head' || ex.status === 204 || ex.status === 304;
    if (bodyless || declared.length === 0) return;
    if (mediaType === undefined) {
      if (declared.every(isJsonMediaType))
        report(`${where} body`, `missing: the spec declares ${declared.join(', ')}`);
      return;
    }
    if (matchMediaType(declared, mediaType) === undefined) {
      report(
        `${where} body`,
        `content type '${mediaType}' not declared (declared: ${declared.join(', ')})`,
      );
    }
    return;
  }
  // Jira declares no content for most error statuses although it answers JSON there:
  // nothing to check the body against.
  if (!content || mediaType === undefined) return;
  const key = matchMediaType(declared, mediaType);
  if (key === undefined) {
    report(
      `${where} body`,
      `content type '${mediaType}' not declared (declared: ${declared.join(', ')})`,
    );
    return;
  }
  const media = asObject(content[key]);
  if (!media || media['schema'] === undefined || !isJsonMediaType(mediaType)) return;
  const pointer = [...located.pointer, 'content', key, 'schema'];
  const validate = validatorFor(spec, `response|${pointer.join('/')}`, 'response', () => ({
    $ref: refTo(spec.id, pointer),
  }));
  reportErrors(validate, ex.responseJson, `${where} body`, report);
}

function reportErrors(
  validate: ValidateFunction,
  data: unknown,
  where: string,
  report: Report,
): void {
  if (validate(data) || !validate.errors) return;
  for (const error of validate.errors) {
    report(
      `${where}${error.instancePath === '' ? '' : ` at ${error.instancePath}`}`,
      describe(error),
    );
  }
}

/** The ajv message plus what it leaves out; never the offending value (it may be case text). */
function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const message = error.message ?? error.keyword;
  if (error.keyword === 'enum' && Array.isArray(params['allowedValues'])) {
    const allowed = params['allowedValues'].map((v) => JSON.stringify(v));
    const shown = allowed.length > 12 ? [...allowed.slice(0, 12), '…'] : allowed;
    return `${message}: ${shown.join(', ')}`;
  }
  if (
    error.keyword === 'additionalProperties' &&
    typeof params['additionalProperty'] === 'string'
  ) {
    return `${message}: '${params['additionalProperty']}'`;
  }
  if (error.keyword === 'format' && typeof params['format'] === 'string') {
    return `must match format "${params['format']}"`;
  }
  return message;
}

// ---------------------------------------------------------------------------------------
// ajv

function validatorFor(
  spec: LoadedSpec,
  key: string,
  role: AjvRole,
  schema: () => Json,
): ValidateFunction {
  const cached = spec.validators.get(key);
  if (cached) return cached;
  const validate = ajvFor(spec, role).compile(schema());
  spec.validators.set(key, validate);
  return validate;
}

function ajvFor(spec: LoadedSpec, role: AjvRole): Ajv {
  const existing = spec.ajv[role];
  if (existing) return existing;
  const ajv = new Ajv({
    // OpenAPI 3.0 schemas carry keywords JSON Schema does not know (discriminator, xml,
    // example): ignore them rather than refuse the schema. `nullable` is understood by ajv.
    strict: false,
    allErrors: true,
    validateSchema: false,
    logger: false,
    // query and path values arrive as strings
    coerceTypes: role === 'params' ? 'array' : false,
  });
  for (const [name, format] of Object.entries(FORMATS)) ajv.addFormat(name, format);
  // Response side: writeOnly properties are not required of a server.
  const doc = role === 'response' ? prepareDoc(spec.text, spec.id, 'writeOnly') : spec.requestDoc;
  ajv.addSchema(doc);
  spec.ajv[role] = ajv;
  return ajv;
}

const number = (check: (n: number) => boolean): Format => ({ type: 'number', validate: check });
const anyString: Format = { type: 'string', validate: () => true };

/**
 * Formats of OpenAPI and of these specs. Lenient where the real services are: Jira writes
 * `2026-11-30T10:00:00.000+0000` (offset without colon), which RFC 3339 refuses.
 */
const FORMATS: Record<string, Format> = {
  int32: number((n) => Number.isInteger(n) && n >= -(2 ** 31) && n < 2 ** 31),
  int64: number((n) => Number.isInteger(n)),
  float: number(() => true),
  double: number(() => true),
  byte: { type: 'string', validate: /^[A-Za-z0-9+/_-]*={0,2}$/ },
  binary: anyString,
  password: anyString,
  'date-time': {
    type: 'string',
    validate: /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?([Zz]|[+-]\d{2}(:?\d{2})?)?$/,
  },
  date: { type: 'string', validate: /^\d{4}-\d{2}-\d{2}$/ },
  uri: { type: 'string', validate: /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/ },
  url: { type: 'string', validate: /^[A-Za-z][A-Za-z0-9+.-]*:\S*$/ },
  uuid: {
    type: 'string',
    validate: /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
  },
};

/**
 * Parses the spec and gives it an `$id` so that ajv resolves `#/components/...` inside it.
 * `dropFromRequired` removes readOnly (request side) or writeOnly (response side) properties
 * from `required`, as OpenAPI 3.0 says.
 */
function prepareDoc(text: string, id: string, dropFromRequired: 'readOnly' | 'writeOnly'): Json {
  const doc = JSON.parse(text) as Json;
  doc['$id'] = id;
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach(visit);
      return;
    }
    const obj = asObject(node);
    if (!obj) return;
    const required = obj['required'];
    const properties = asObject(obj['properties']);
    if (Array.isArray(required) && properties) {
      obj['required'] = required.filter((name) => {
        if (typeof name !== 'string') return true;
        const prop = asObject(resolveRef(doc, properties[name], [])?.value);
        return prop?.[dropFromRequired] !== true;
      });
    }
    Object.values(obj).forEach(visit);
  };
  visit(doc);
  return doc;
}

// ---------------------------------------------------------------------------------------
// Small helpers

/** Follows local `$ref`s (`#/...`); returns the target and its pointer. */
function resolveRef(doc: Json, node: unknown, pointer: string[]): Located<unknown> | undefined {
  let current: unknown = node;
  let at = pointer;
  for (let hops = 0; hops < 20; hops += 1) {
    const obj = asObject(current);
    const ref = obj?.['$ref'];
    if (typeof ref !== 'string')
      return current === undefined ? undefined : { value: current, pointer: at };
    if (!ref.startsWith('#/')) return undefined;
    at = ref.slice(2).split('/').map(unescapePointer);
    current = at.reduce<unknown>((acc, part) => asObject(acc)?.[part], doc);
  }
  return undefined;
}

function refTo(id: string, pointer: string[]): string {
  return `${id}#/${pointer.map((part) => encodeURIComponent(part.replace(/~/g, '~0').replace(/\//g, '~1'))).join('/')}`;
}

function unescapePointer(part: string): string {
  return part.replace(/~1/g, '/').replace(/~0/g, '~');
}

function baseMediaType(header: string | undefined): string | undefined {
  const base = header?.split(';')[0]?.trim().toLowerCase();
  return base === undefined || base === '' ? undefined : base;
}

function isJsonMediaType(mediaType: string): boolean {
  const base = baseMediaType(mediaType) ?? '';
  return base === 'application/json' || base.endsWith('+json');
}

/** The declared key matching a concrete media type: exact, then `type/*`, then `*\/*`. */
function matchMediaType(declared: string[], mediaType: string): string | undefined {
  const wanted = baseMediaType(mediaType) ?? '';
  const [type] = wanted.split('/');
  return (
    declared.find((d) => baseMediaType(d) === wanted) ??
    declared.find((d) => baseMediaType(d) === `${type}/*`) ??
    declared.find((d) => baseMediaType(d) === '*/*')
  );
}

function lowerKeys(record: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k.toLowerCase(), v]));
}

function isLocation(value: unknown): value is ParamLocation {
  return value === 'path' || value === 'query' || value === 'header' || value === 'cookie';
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Json)
    : undefined;
}

function asArray(value: unknown): unknown[] | undefined {
  return Array.isArray(value) ? value : undefined;
}

function escapeRegExp(literal: string): string {
  return literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
