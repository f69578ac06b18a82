#!/usr/bin/env node
// Starts s3rver 3.7.1 (pinned in package.json) for the S3 sink's tests and
// bench, on a loopback port, with one bucket.
//
//   node tests/s3/server.js --directory DIR --bucket NAME [--port 0] [--address 127.0.0.1]
//
// Prints "listening on ADDRESS:PORT" once it accepts requests; with --port 0
// the kernel picks a free port, so callers never race for one.
//
// Why not s3rver's own CLI: s3rver 3.7.1 answers ListMultipartUploads
// (GET /bucket?uploads) with 501 NotImplemented and AbortMultipartUpload
// (DELETE /bucket/key?uploadId=X) with 405 MethodNotAllowed, and the sink
// relies on both to leave no orphan parts behind. This script adds the two
// operations, as the S3 API reference documents them, on top of s3rver's own
// upload store (DIR/BUCKET/._S3rver_uploads/<uploadId>/{key,1,2,...}).
// Everything else is s3rver unchanged. Like s3rver, it verifies no V4
// signature: signing is tested separately against AWS's published examples.
'use strict';

const fs = require('fs');
const path = require('path');

let S3rver;
let S3Error;
try {
  S3rver = require('s3rver');
  S3Error = require('s3rver/lib/models/error');
} catch (err) {
  console.error('s3rver is not installed: run `npm ci --prefix tests/s3` (from the repository root)');
  process.exit(2);
}

function parseArgs(argv) {
  const opts = { address: '127.0.0.1', port: 0 };
  for (let i = 0; i < argv.length; i += 2) {
    const name = argv[i].replace(/^--/, '');
    if (!['directory', 'bucket', 'port', 'address'].includes(name) || i + 1 >= argv.length) {
      console.error(`usage: server.js --directory DIR --bucket NAME [--port N] [--address A] (bad: ${argv[i]})`);
      process.exit(2);
    }
    opts[name] = argv[i + 1];
  }
  if (!opts.directory || !opts.bucket) {
    console.error('server.js: --directory and --bucket are required');
    process.exit(2);
  }
  opts.port = Number(opts.port);
  return opts;
}

function uploadsDir(root, bucket) {
  return path.join(root, bucket, '._S3rver_uploads');
}

function readUploads(root, bucket) {
  const dir = uploadsDir(root, bucket);
  let ids = [];
  try {
    ids = fs.readdirSync(dir);
  } catch (err) {
    if (err.code !== 'ENOENT') throw err;
  }
  const uploads = [];
  for (const id of ids) {
    try {
      const key = fs.readFileSync(path.join(dir, id, 'key'), 'utf8');
      const initiated = fs.statSync(path.join(dir, id)).mtime;
      uploads.push({ key, id, initiated });
    } catch (err) {
      // An upload being completed right now: its directory is going away.
    }
  }
  // S3 lists uploads by key, then by upload id (here: initiation order).
  uploads.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated - b.initiated));
  return uploads;
}

// GET /bucket?uploads[&prefix=][&key-marker=][&upload-id-marker=][&max-uploads=]
function listMultipartUploads(ctx, root, bucket) {
  const q = ctx.query;
  const prefix = q.prefix || '';
  const maxUploads = Math.min(Number(q['max-uploads'] || 1000), 1000);
  const keyMarker = q['key-marker'] || '';
  const idMarker = q['upload-id-marker'] || '';
  let all = readUploads(root, bucket).filter((u) => u.key.startsWith(prefix));
  if (keyMarker) {
    all = all.filter((u) => u.key > keyMarker || (u.key === keyMarker && idMarker && u.id > idMarker));
  }
  const page = all.slice(0, maxUploads);
  const truncated = all.length > page.length;
  const last = page[page.length - 1];
  ctx.body = {
    ListMultipartUploadsResult: {
      '@': { xmlns: 'http://s3.amazonaws.com/doc/2006-03-01/' },
      Bucket: bucket,
      KeyMarker: keyMarker,
      UploadIdMarker: idMarker,
      NextKeyMarker: truncated ? last.key : '',
      NextUploadIdMarker: truncated ? last.id : '',
      Prefix: prefix,
      MaxUploads: maxUploads,
      IsTruncated: truncated,
      Upload: page.map((u) => ({
        Key: u.key,
        UploadId: u.id,
        Initiated: u.initiated.toISOString(),
        StorageClass: 'STANDARD',
      })),
    },
  };
}

// DELETE /bucket/key?uploadId=X
function abortMultipartUpload(ctx, root, bucket, key) {
  const id = ctx.query.uploadId;
  const dir = path.join(uploadsDir(root, bucket), path.basename(id));
  let storedKey;
  try {
    storedKey = fs.readFileSync(path.join(dir, 'key'), 'utf8');
  } catch (err) {
    storedKey = undefined;
  }
  if (storedKey === undefined || storedKey !== key) {
    throw new S3Error(
      'NoSuchUpload',
      'The specified upload does not exist. The upload ID may be invalid, ' +
        'or the upload may have been aborted or completed.',
      { UploadId: id },
    );
  }
  fs.rmSync(dir, { recursive: true, force: true });
  ctx.status = 204;
  ctx.body = '';
}

function multipartGaps(root) {
  return async function multipartGapsMiddleware(ctx, next) {
    const match = /^\/([^/]+)(?:\/(.*))?$/.exec(ctx.path);
    if (!match) return next();
    const bucket = decodeURIComponent(match[1]);
    const key = match[2] ? decodeURIComponent(match[2]) : '';
    const bucketLevel = key === '';
    if (ctx.method === 'GET' && bucketLevel && 'uploads' in ctx.query) {
      if (!fs.existsSync(path.join(root, bucket))) {
        throw new S3Error('NoSuchBucket', 'The specified bucket does not exist', { BucketName: bucket });
      }
      return listMultipartUploads(ctx, root, bucket);
    }
    if (ctx.method === 'DELETE' && !bucketLevel && 'uploadId' in ctx.query) {
      return abortMultipartUpload(ctx, root, bucket, key);
    }
    return next();
  };
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  fs.mkdirSync(opts.directory, { recursive: true });
  const server = new S3rver({
    address: opts.address,
    port: opts.port,
    directory: opts.directory,
    silent: true,
    configureBuckets: [{ name: opts.bucket }],
  });
  // s3rver registers its router last; the gaps go right before it, after
  // its XML encoder, error handler and vhost middleware.
  server.middleware.splice(server.middleware.length - 1, 0, multipartGaps(opts.directory));
  const { address, port } = await server.run();
  console.log(`listening on ${address}:${port}`);
  const stop = () => server.close().finally(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
