#!/usr/bin/env node
// An in-memory stand-in for Elasticsearch that implements the documented
// contract of the `_bulk` API (Elasticsearch 7.x / 8.x reference), for tests
// and benchmarks where no real cluster can be installed. It is not a search
// engine: documents live in Maps, are visible at once, and are never analysed.
//
// Implemented (the parts a bulk writer relies on):
//   POST /_bulk, POST|PUT /{index}/_bulk   NDJSON action/source pairs:
//        index, create, update (doc, doc_as_upsert, upsert), delete;
//        per-item status 200/201/404/409/400/429/503, `errors` flag,
//        auto-generated _id, `refresh` (true|false|wait_for|""),
//        Content-Encoding: gzip bodies, request validation (newline at the end,
//        malformed action lines, missing index, empty or >512-byte _id).
//   GET|POST /{index}/_count, GET /{index}/_doc/{id}, POST /{index}/_refresh,
//   GET / (cluster info)
// Test control (not part of Elasticsearch):
//   POST /_test/inject  {"http_429": n, "http_503": n, "retry_after": s,
//                        "item_429": [ids], "item_503": [ids],
//                        "mapping_error": {"field": "amount", "when": "string"},
//                        "delay_ms": n}
//   GET  /_test/stats   counters (requests, bulk bodies, items, ...) and the
//                       Authorization header of the last bulk request
//   GET  /_test/dump/{index}  every document as NDJSON {"_id","_version","_source"}
//   POST /_test/reset   drop all documents, injections and counters
//
// Usage: node es-test-server.js [--port N] [--user NAME:PASSWORD]
//                               [--api-key ENCODED] [--bearer TOKEN]
// Prints "listening PORT" on stdout once ready (port 0 = pick a free one).
// With any of --user/--api-key/--bearer, every request except /_test/* must
// carry one of the configured credentials, else 401 as Elasticsearch answers.
'use strict';

const http = require('http');
const zlib = require('zlib');
const crypto = require('crypto');

// ---------------------------------------------------------------------------
// Arguments

function parseArgs(argv) {
  const out = {port: 0, user: null, apiKey: null, bearer: null};
  for (let i = 0; i < argv.length; ++i) {
    const a = argv[i];
    const next = () => {
      if (i + 1 >= argv.length) throw new Error(`missing value after ${a}`);
      return argv[++i];
    };
    if (a === '--port') out.port = Number(next());
    else if (a === '--user') out.user = next();
    else if (a === '--api-key') out.apiKey = next();
    else if (a === '--bearer') out.bearer = next();
    else if (/^\d+$/.test(a)) out.port = Number(a);
    else throw new Error(`unknown argument ${a}`);
  }
  return out;
}

const args = parseArgs(process.argv.slice(2));

// ---------------------------------------------------------------------------
// State

const indices = new Map();  // index name -> Map(id -> {source, version, seqNo})
let seqNo = 0;
let injections;
let stats;

function reset() {
  indices.clear();
  seqNo = 0;
  injections = {
    http429: 0, http503: 0, retryAfter: 1, item429: new Set(), item503: new Set(),
    mappingError: null, delayMs: 0,
  };
  stats = {
    requests: 0, bulk_requests: 0, bulk_bytes: 0, gzip_bodies: 0, items: 0,
    items_by_action: {index: 0, create: 0, update: 0, delete: 0},
    item_status: {}, http_429_sent: 0, http_503_sent: 0, item_429_sent: 0,
    item_503_sent: 0, auth_failures: 0, overwrites: 0, last_authorization: null,
    refresh: {},
  };
}
reset();

function docs(index, create) {
  let m = indices.get(index);
  if (!m && create) indices.set(index, (m = new Map()));
  return m;
}

// ---------------------------------------------------------------------------
// Responses in Elasticsearch's shapes

function send(res, status, body, headers = {}) {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  res.writeHead(status, Object.assign({
    'Content-Type': 'application/json; charset=UTF-8',
    'Content-Length': Buffer.byteLength(text),
    'X-elastic-product': 'Elasticsearch',
  }, headers));
  res.end(text);
}

// The top-level error object of a failed request.
function errorBody(status, type, reason, extra = {}) {
  const cause = Object.assign({type, reason}, extra);
  return {error: Object.assign({root_cause: [cause]}, cause), status};
}

function sendError(res, status, type, reason, headers = {}, extra = {}) {
  send(res, status, errorBody(status, type, reason, extra), headers);
}

const shards = {total: 2, successful: 1, failed: 0};
const indexUuid = (index) => crypto.createHash('md5').update(index).digest('base64url').slice(0, 22);

function itemError(index, id, status, type, reason, causedBy) {
  const error = {type, reason, index_uuid: indexUuid(index), shard: '0', index};
  if (causedBy) error.caused_by = causedBy;
  return {_index: index, _id: id, status, error};
}

// Elasticsearch's auto ids are 20 URL-safe base64 characters.
function autoId() {
  return crypto.randomBytes(15).toString('base64url');
}

// ---------------------------------------------------------------------------
// Bulk

class RequestError extends Error {
  constructor(status, type, reason) {
    super(reason);
    this.status = status;
    this.type = type;
  }
}

const validation = (msgs) => new RequestError(
    400, 'action_request_validation_exception',
    'Validation Failed: ' + msgs.map((m, i) => `${i + 1}: ${m};`).join(''));

const kActions = ['index', 'create', 'update', 'delete'];

// Parses the NDJSON body into operations, or throws RequestError for what
// Elasticsearch rejects as a whole request.
function parseBulk(text, pathIndex) {
  if (text.length > 0 && !text.endsWith('\n'))
    throw new RequestError(400, 'illegal_argument_exception',
                           'The bulk request must be terminated by a newline [\\n]');
  const lines = text.split('\n');
  lines.pop();  // after the final newline
  const ops = [];
  const problems = [];
  for (let i = 0; i < lines.length; ++i) {
    if (lines[i].trim() === '') continue;
    let action;
    try {
      action = JSON.parse(lines[i]);
    } catch (e) {
      throw new RequestError(400, 'x_content_parse_exception',
                             `[${i + 1}:1] Malformed action/metadata line [${i + 1}], expected ` +
                             `START_OBJECT or END_OBJECT but found [${e.message}]`);
    }
    const keys = action && typeof action === 'object' && !Array.isArray(action) ? Object.keys(action) : [];
    if (keys.length !== 1 || !kActions.includes(keys[0]))
      throw new RequestError(400, 'illegal_argument_exception',
                             `Malformed action/metadata line [${i + 1}], expected field [create], ` +
                             `[delete], [index] or [update] but found [${keys[0] ?? ''}]`);
    const kind = keys[0];
    const meta = action[kind] || {};
    const index = meta._index ?? pathIndex;
    const op = {kind, index, id: meta._id, line: i + 1, source: null, sourceText: null};
    if (index === undefined || index === null || index === '') problems.push('index is missing');
    if (op.id !== undefined && op.id !== null) {
      if (typeof op.id !== 'string') op.id = String(op.id);
      if (op.id.length === 0) problems.push('if _id is specified it must not be empty');
      else if (Buffer.byteLength(op.id) > 512)
        problems.push(`id [${op.id}] is too long, must be no longer than 512 bytes but was: ` +
                      `${Buffer.byteLength(op.id)}`);
    } else {
      op.id = undefined;
      if (kind === 'delete' || kind === 'update') problems.push('id is missing');
    }
    if (kind !== 'delete') {
      if (i + 1 >= lines.length)
        throw new RequestError(400, 'illegal_argument_exception',
                               `The bulk request must be terminated by a newline [\\n]`);
      op.sourceText = lines[++i];
      if (kind === 'update') {
        let body;
        try {
          body = JSON.parse(op.sourceText);
        } catch (e) {
          throw new RequestError(400, 'x_content_parse_exception',
                                 `[${i + 1}:1] [UpdateRequest] failed to parse: ${e.message}`);
        }
        if (!body || typeof body !== 'object' || (body.doc === undefined && body.script === undefined))
          problems.push('script or doc is missing');
        op.source = body;
      }
    }
    ops.push(op);
  }
  if (problems.length > 0) throw validation(problems);
  return ops;
}

// The injected mapping error, if `source` trips it.
function mappingProblem(index, id, source) {
  const rule = injections.mappingError;
  if (!rule || !source || typeof source !== 'object') return null;
  const value = source[rule.field];
  if (rule.when === 'string' ? typeof value !== 'string' : value === undefined) return null;
  const preview = String(value);
  return itemError(index, id, 400, 'mapper_parsing_exception',
                   `failed to parse field [${rule.field}] of type [float] in document with id ` +
                   `'${id}'. Preview of field's value: '${preview}'`,
                   {type: 'number_format_exception', reason: `For input string: "${preview}"`});
}

// Deep merge as partial updates do: objects merge, everything else replaces.
function merge(target, patch) {
  for (const [k, v] of Object.entries(patch)) {
    if (v && typeof v === 'object' && !Array.isArray(v) && target[k] && typeof target[k] === 'object' &&
        !Array.isArray(target[k]))
      merge(target[k], v);
    else
      target[k] = v;
  }
  return target;
}

function success(index, id, doc, result, status) {
  return {_index: index, _id: id, _version: doc.version, result, _shards: shards,
          _seq_no: doc.seqNo, _primary_term: 1, status};
}

// `raw` is the source exactly as sent: Elasticsearch returns _source
// verbatim, so 64-bit integers and number spellings survive the round trip.
function put(store, id, source, raw) {
  const old = store.get(id);
  const doc = {source, raw: raw ?? JSON.stringify(source), version: old ? old.version + 1 : 1, seqNo: seqNo++};
  if (old) ++stats.overwrites;
  store.set(id, doc);
  return doc;
}

// Applies one operation and returns its item (without the action wrapper).
function apply(op) {
  const {kind, index} = op;
  let id = op.id;
  if (id !== undefined && injections.item429.delete(id)) {
    ++stats.item_429_sent;
    return itemError(index, id, 429, 'es_rejected_execution_exception',
                     `rejected execution of primary operation [coordinating_and_primary_bytes=0, ` +
                     `replica_bytes=0, all_bytes=0, primary_operation_bytes=${op.sourceText?.length ?? 0}, ` +
                     `max_coordinating_and_primary_bytes=107374182]`);
  }
  if (id !== undefined && injections.item503.delete(id)) {
    ++stats.item_503_sent;
    return itemError(index, id, 503, 'unavailable_shards_exception',
                     `[${index}][0] primary shard is not active Timeout: [1m]`);
  }
  if (kind === 'delete') {
    const store = docs(index, false);
    const doc = store?.get(id);
    if (!doc) {
      // Not an error: `errors` stays false for it.
      return {_index: index, _id: id, _version: 1, result: 'not_found', _shards: shards,
              _seq_no: seqNo++, _primary_term: 1, status: 404};
    }
    store.delete(id);
    return success(index, id, {version: doc.version + 1, seqNo: seqNo++}, 'deleted', 200);
  }
  if (kind === 'update') {
    const body = op.source;
    const store = docs(index, true);
    const doc = store.get(id);
    if (body.script !== undefined)
      return itemError(index, id, 400, 'illegal_argument_exception',
                       'scripts are not supported by the test server');
    if (!doc) {
      const fresh = body.doc_as_upsert ? body.doc : body.upsert;
      if (fresh === undefined)
        return itemError(index, id, 404, 'document_missing_exception', `[${id}]: document missing`);
      const bad = mappingProblem(index, id, fresh);
      if (bad) return bad;
      return success(index, id, put(store, id, fresh), 'created', 201);
    }
    const merged = merge(structuredClone(doc.source), body.doc);
    const bad = mappingProblem(index, id, merged);
    if (bad) return bad;
    if (body.detect_noop !== false && JSON.stringify(merged) === JSON.stringify(doc.source))
      return success(index, id, doc, 'noop', 200);
    return success(index, id, put(store, id, merged), 'updated', 200);
  }
  // index / create
  let source;
  try {
    source = JSON.parse(op.sourceText);
  } catch (e) {
    return itemError(index, id ?? null, 400, 'document_parsing_exception',
                     `[1:1] failed to parse: ${e.message}`,
                     {type: 'json_parse_exception', reason: e.message});
  }
  if (!source || typeof source !== 'object' || Array.isArray(source))
    return itemError(index, id ?? null, 400, 'mapper_parsing_exception',
                     'failed to parse, document is empty or not an object');
  if (id === undefined) id = autoId();
  const bad = mappingProblem(index, id, source);
  if (bad) return bad;
  const store = docs(index, true);
  const existing = store.get(id);
  if (kind === 'create' && existing)
    return itemError(index, id, 409, 'version_conflict_engine_exception',
                     `[${id}]: version conflict, document already exists (current version ` +
                     `[${existing.version}])`);
  const doc = put(store, id, source, op.sourceText);
  return success(index, id, doc, existing ? 'updated' : 'created', existing ? 200 : 201);
}

function handleBulk(req, res, body, pathIndex, query) {
  const refresh = query.get('refresh');
  if (refresh !== null && !['', 'true', 'false', 'wait_for'].includes(refresh))
    return sendError(res, 400, 'illegal_argument_exception', `Unknown value for refresh: [${refresh}].`);
  stats.refresh[refresh ?? 'absent'] = (stats.refresh[refresh ?? 'absent'] || 0) + 1;
  const type = (req.headers['content-type'] || '').split(';')[0].trim();
  if (type !== 'application/x-ndjson' && type !== 'application/json')
    return send(res, 406, {error: `Content-Type header [${req.headers['content-type'] || ''}] is not supported`,
                           status: 406});
  ++stats.bulk_requests;
  stats.bulk_bytes += body.length;
  stats.last_authorization = req.headers.authorization ?? null;
  if (injections.http429 > 0) {
    --injections.http429;
    ++stats.http_429_sent;
    return sendError(res, 429, 'es_rejected_execution_exception',
                     'rejected execution of coordinating operation [coordinating_and_primary_bytes=' +
                     `${body.length}, replica_bytes=0, all_bytes=${body.length}, ` +
                     `coordinating_operation_bytes=${body.length}, max_coordinating_and_primary_bytes=107374182]`,
                     {'Retry-After': String(injections.retryAfter)});
  }
  if (injections.http503 > 0) {
    --injections.http503;
    ++stats.http_503_sent;
    return sendError(res, 503, 'cluster_block_exception',
                     'blocked by: [SERVICE_UNAVAILABLE/2/no master];',
                     {'Retry-After': String(injections.retryAfter)});
  }
  let ops;
  try {
    ops = parseBulk(body.toString('utf8'), pathIndex);
  } catch (e) {
    if (!(e instanceof RequestError)) throw e;
    return sendError(res, e.status, e.type, e.message);
  }
  const started = Date.now();
  const items = [];
  let errors = false;
  for (const op of ops) {
    ++stats.items;
    ++stats.items_by_action[op.kind];
    const item = apply(op);
    if (refresh === 'true' || refresh === '' || refresh === 'wait_for') item.forced_refresh = refresh !== 'wait_for';
    if (item.error) errors = true;
    stats.item_status[item.status] = (stats.item_status[item.status] || 0) + 1;
    items.push({[op.kind]: item});
  }
  send(res, 200, {took: Date.now() - started, errors, items});
}

// ---------------------------------------------------------------------------
// Other endpoints

function handleCount(res, index) {
  const store = docs(index, false);
  if (!store)
    return sendError(res, 404, 'index_not_found_exception', `no such index [${index}]`,
                     {}, {'resource.type': 'index_or_alias', 'resource.id': index, index});
  send(res, 200, {count: store.size, _shards: {total: 1, successful: 1, skipped: 0, failed: 0}});
}

function handleGetDoc(res, index, id) {
  const store = docs(index, false);
  if (!store)
    return sendError(res, 404, 'index_not_found_exception', `no such index [${index}]`,
                     {}, {'resource.type': 'index_expression', 'resource.id': index, index});
  const doc = store.get(id);
  if (!doc) return send(res, 404, {_index: index, _id: id, found: false});
  const head = JSON.stringify({_index: index, _id: id, _version: doc.version, _seq_no: doc.seqNo,
                                _primary_term: 1, found: true});
  send(res, 200, head.slice(0, -1) + ',"_source":' + doc.raw + '}');
}

function handleDump(res, index) {
  const store = docs(index, false) || new Map();
  res.writeHead(200, {'Content-Type': 'application/x-ndjson'});
  for (const [id, doc] of store)
    res.write(JSON.stringify({_id: id, _version: doc.version}).slice(0, -1) + ',"_source":' + doc.raw + '}\n');
  res.end();
}

function handleInject(res, body) {
  let spec;
  try {
    spec = JSON.parse(body.toString('utf8') || '{}');
  } catch (e) {
    return sendError(res, 400, 'illegal_argument_exception', `bad injection: ${e.message}`);
  }
  if (spec.http_429 !== undefined) injections.http429 = Number(spec.http_429);
  if (spec.http_503 !== undefined) injections.http503 = Number(spec.http_503);
  if (spec.retry_after !== undefined) injections.retryAfter = Number(spec.retry_after);
  for (const id of spec.item_429 || []) injections.item429.add(String(id));
  for (const id of spec.item_503 || []) injections.item503.add(String(id));
  if (spec.mapping_error !== undefined) injections.mappingError = spec.mapping_error;
  if (spec.delay_ms !== undefined) injections.delayMs = Number(spec.delay_ms);
  send(res, 200, {acknowledged: true});
}

function authorized(req) {
  if (!args.user && !args.apiKey && !args.bearer) return true;
  const auth = req.headers.authorization || '';
  if (args.user && auth === 'Basic ' + Buffer.from(args.user).toString('base64')) return true;
  if (args.apiKey && auth === 'ApiKey ' + args.apiKey) return true;
  if (args.bearer && auth === 'Bearer ' + args.bearer) return true;
  return false;
}

// ---------------------------------------------------------------------------
// Routing

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function route(req, res) {
  ++stats.requests;
  const url = new URL(req.url, 'http://localhost');
  const parts = url.pathname.split('/').filter((p) => p !== '').map(decodeURIComponent);
  let body = await readBody(req);

  if (parts[0] === '_test') {
    if (req.method === 'POST' && parts[1] === 'inject') return handleInject(res, body);
    if (req.method === 'POST' && parts[1] === 'reset') {
      reset();
      return send(res, 200, {acknowledged: true});
    }
    if (req.method === 'GET' && parts[1] === 'stats') return send(res, 200, stats);
    if (req.method === 'GET' && parts[1] === 'dump' && parts.length === 3) return handleDump(res, parts[2]);
    return sendError(res, 404, 'resource_not_found_exception', `no test endpoint ${url.pathname}`);
  }

  if (!authorized(req)) {
    ++stats.auth_failures;
    return sendError(res, 401, 'security_exception',
                     `unable to authenticate user for REST request [${url.pathname}]`,
                     {'WWW-Authenticate': 'Basic realm="security" charset="UTF-8", ApiKey, Bearer realm="security"'},
                     {header: {'WWW-Authenticate': ['Basic realm="security" charset="UTF-8"', 'ApiKey']}});
  }
  if (injections.delayMs > 0) await sleep(injections.delayMs);

  const encoding = (req.headers['content-encoding'] || '').toLowerCase();
  if (encoding === 'gzip' && body.length > 0) {
    try {
      body = zlib.gunzipSync(body);
      ++stats.gzip_bodies;
    } catch (e) {
      return sendError(res, 400, 'illegal_argument_exception', `failed to decompress gzip body: ${e.message}`);
    }
  } else if (encoding !== '' && encoding !== 'identity') {
    return sendError(res, 400, 'illegal_argument_exception', `unsupported Content-Encoding [${encoding}]`);
  }

  const m = req.method;
  if (parts.length === 0 && (m === 'GET' || m === 'HEAD'))
    return send(res, 200, {name: 'es-test-server', cluster_name: 'ferry-test',
                           version: {number: '8.11.0', build_flavor: 'default', lucene_version: '9.8.0',
                                     minimum_wire_compatibility_version: '7.17.0',
                                     minimum_index_compatibility_version: '7.0.0'},
                           tagline: 'You Know, for Search'});
  if (parts.length === 1 && parts[0] === '_bulk' && (m === 'POST' || m === 'PUT'))
    return handleBulk(req, res, body, undefined, url.searchParams);
  if (parts.length === 2 && parts[1] === '_bulk' && (m === 'POST' || m === 'PUT'))
    return handleBulk(req, res, body, parts[0], url.searchParams);
  if (parts.length === 2 && parts[1] === '_count' && (m === 'GET' || m === 'POST'))
    return handleCount(res, parts[0]);
  if (parts.length === 2 && parts[1] === '_refresh' && (m === 'POST' || m === 'GET'))
    return send(res, 200, {_shards: {total: 2, successful: 1, failed: 0}});
  if (parts.length === 3 && parts[1] === '_doc' && m === 'GET') return handleGetDoc(res, parts[0], parts[2]);
  sendError(res, 405, 'illegal_argument_exception',
            `Incorrect HTTP method for uri [${req.url}] and method [${m}] (not implemented by the test server)`);
}

const server = http.createServer((req, res) => {
  route(req, res).catch((e) => {
    if (!res.headersSent) sendError(res, 500, 'exception', String(e && e.stack || e));
    else res.destroy();
  });
});
server.keepAliveTimeout = 60000;
server.headersTimeout = 65000;
server.listen(args.port, '127.0.0.1', () => {
  process.stdout.write(`listening ${server.address().port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
