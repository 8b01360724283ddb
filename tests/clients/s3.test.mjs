// cairn with the AWS SDK for JavaScript v3 (current @aws-sdk/client-s3, default
// checksum behaviour: CRC32 on every PUT, aws-chunked with an unsigned
// trailer for streaming bodies) and @aws-sdk/s3-request-presigner.
//
// Run by tests/s3/test_js_client.py, which starts cairn and passes
// CAIRN_ENDPOINT, CAIRN_ACCESS_KEY and CAIRN_SECRET_KEY; or by hand:
//   cd tests/clients && npm ci && CAIRN_ENDPOINT=http://127.0.0.1:9000 \
//     CAIRN_ACCESS_KEY=... CAIRN_SECRET_KEY=... node --test s3.test.mjs

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { Readable } from "node:stream";
import {
  S3Client,
  CreateBucketCommand,
  DeleteBucketCommand,
  PutObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  DeleteObjectsCommand,
  CopyObjectCommand,
} from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { Upload } from "@aws-sdk/lib-storage";

const endpoint = process.env.CAIRN_ENDPOINT;
const accessKeyId = process.env.CAIRN_ACCESS_KEY;
const secretAccessKey = process.env.CAIRN_SECRET_KEY;
if (!endpoint || !accessKeyId || !secretAccessKey) {
  throw new Error("set CAIRN_ENDPOINT, CAIRN_ACCESS_KEY and CAIRN_SECRET_KEY");
}

const s3 = new S3Client({
  endpoint,
  region: "us-east-1",
  forcePathStyle: true,
  credentials: { accessKeyId, secretAccessKey },
  maxAttempts: 1,
});
// Remember the headers of the last request as sent (after signing), so the
// tests can check which wire format the SDK really used.
let lastRequestHeaders = {};
s3.middlewareStack.add(
  (next) => async (args) => {
    lastRequestHeaders = { ...args.request.headers };
    return next(args);
  },
  { step: "deserialize", name: "cairnCaptureHeaders" },
);
const hdr = (name) => {
  for (const [k, v] of Object.entries(lastRequestHeaders)) if (k.toLowerCase() === name) return v;
  return undefined;
};

const Bucket = "js-sdk-" + randomBytes(5).toString("hex");
const md5 = (b) => createHash("md5").update(b).digest("hex");

async function bodyBytes(resp) {
  return Buffer.from(await resp.Body.transformToByteArray());
}

before(async () => {
  await s3.send(new CreateBucketCommand({ Bucket }));
});

after(async () => {
  const l = await s3.send(new ListObjectsV2Command({ Bucket }));
  if (l.Contents && l.Contents.length) {
    await s3.send(new DeleteObjectsCommand({
      Bucket, Delete: { Objects: l.Contents.map((o) => ({ Key: o.Key })) },
    }));
  }
  await s3.send(new DeleteBucketCommand({ Bucket }));
});

test("PutObject with a Buffer body (CRC32 checksum) round-trips", async () => {
  for (const size of [0, 1, 4096, 128 * 1024 + 1, 3 * 1024 * 1024]) {
    const data = randomBytes(size);
    const put = await s3.send(new PutObjectCommand({ Bucket, Key: `buf/${size}`, Body: data }));
    assert.ok(hdr("x-amz-checksum-crc32") || hdr("x-amz-trailer"),
      "the SDK sent no CRC32 checksum: " + JSON.stringify(lastRequestHeaders));
    assert.equal(put.ETag, `"${md5(data)}"`);
    const got = await s3.send(new GetObjectCommand({ Bucket, Key: `buf/${size}` }));
    assert.equal(got.ContentLength, size);
    assert.ok((await bodyBytes(got)).equals(data), `size ${size} differs`);
  }
});

test("PutObject with a stream body (aws-chunked, unsigned CRC32 trailer)", async () => {
  const data = randomBytes(5 * 1024 * 1024 + 17);
  const chunks = [];
  for (let i = 0; i < data.length; i += 100 * 1024) chunks.push(data.subarray(i, i + 100 * 1024));
  const put = await s3.send(new PutObjectCommand({
    Bucket, Key: "stream/obj", Body: Readable.from(chunks), ContentLength: data.length,
  }));
  // the wire format under test: aws-chunked with an unsigned CRC32 trailer
  assert.equal(hdr("x-amz-content-sha256"), "STREAMING-UNSIGNED-PAYLOAD-TRAILER");
  assert.match(hdr("content-encoding") || "", /aws-chunked/);
  assert.equal(hdr("x-amz-trailer"), "x-amz-checksum-crc32");
  assert.equal(put.ETag, `"${md5(data)}"`);
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: "stream/obj" }));
  assert.ok((await bodyBytes(got)).equals(data));
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "stream/obj" }));
  assert.equal(head.ContentLength, data.length);
  assert.ok(!head.ContentEncoding || !head.ContentEncoding.includes("aws-chunked"),
    `stored Content-Encoding ${head.ContentEncoding}`);
});

test("metadata, content type, range, copy", async () => {
  const data = Buffer.from("0123456789abcdef");
  await s3.send(new PutObjectCommand({
    Bucket, Key: "meta", Body: data, ContentType: "text/x-js", Metadata: { owner: "js" },
  }));
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "meta" }));
  assert.equal(head.ContentType, "text/x-js");
  assert.deepEqual(head.Metadata, { owner: "js" });
  const part = await s3.send(new GetObjectCommand({ Bucket, Key: "meta", Range: "bytes=2-5" }));
  assert.equal((await bodyBytes(part)).toString(), "2345");
  assert.equal(part.ContentRange, "bytes 2-5/16");
  await s3.send(new CopyObjectCommand({ Bucket, Key: "meta-copy", CopySource: `${Bucket}/meta` }));
  const copy = await s3.send(new GetObjectCommand({ Bucket, Key: "meta-copy" }));
  assert.ok((await bodyBytes(copy)).equals(data));
  assert.deepEqual(copy.Metadata, { owner: "js" });
});

test("ListObjectsV2 with prefix and delimiter", async () => {
  for (const k of ["l/a/1", "l/a/2", "l/b", "l/c/3"]) {
    await s3.send(new PutObjectCommand({ Bucket, Key: k, Body: "x" }));
  }
  const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "l/", Delimiter: "/" }));
  assert.deepEqual((r.Contents || []).map((o) => o.Key), ["l/b"]);
  assert.deepEqual((r.CommonPrefixes || []).map((p) => p.Prefix), ["l/a/", "l/c/"]);
});

test("errors surface as named S3 exceptions", async () => {
  await assert.rejects(
    s3.send(new GetObjectCommand({ Bucket, Key: "does/not/exist" })),
    (e) => e.name === "NoSuchKey" && e.$metadata.httpStatusCode === 404,
  );
  await assert.rejects(
    s3.send(new HeadObjectCommand({ Bucket, Key: "does/not/exist" })),
    (e) => e.$metadata.httpStatusCode === 404,
  );
  await assert.rejects(
    s3.send(new ListObjectsV2Command({ Bucket: Bucket + "-missing" })),
    (e) => e.name === "NoSuchBucket" && e.$metadata.httpStatusCode === 404,
  );
  const bad = new S3Client({
    endpoint, region: "us-east-1", forcePathStyle: true, maxAttempts: 1,
    credentials: { accessKeyId, secretAccessKey: secretAccessKey + "x" },
  });
  await assert.rejects(
    bad.send(new ListObjectsV2Command({ Bucket })),
    (e) => e.name === "SignatureDoesNotMatch" && e.$metadata.httpStatusCode === 403,
  );
});

test("presigned GET and PUT URLs work with plain fetch", async () => {
  const data = randomBytes(70000);
  const putUrl = await getSignedUrl(s3, new PutObjectCommand({ Bucket, Key: "presigned" }),
    { expiresIn: 300 });
  const put = await fetch(putUrl, { method: "PUT", body: data });
  assert.equal(put.status, 200, await put.text());
  const getUrl = await getSignedUrl(s3, new GetObjectCommand({ Bucket, Key: "presigned" }),
    { expiresIn: 300 });
  const get = await fetch(getUrl);
  assert.equal(get.status, 200);
  assert.ok(Buffer.from(await get.arrayBuffer()).equals(data));
  const tampered = getUrl.replace("presigned?", "presigned-other?");
  const denied = await fetch(tampered);
  assert.equal(denied.status, 403);
  assert.match(await denied.text(), /<Code>SignatureDoesNotMatch<\/Code>/);
});

test("DeleteObject and DeleteObjects", async () => {
  await s3.send(new PutObjectCommand({ Bucket, Key: "del/1", Body: "1" }));
  await s3.send(new PutObjectCommand({ Bucket, Key: "del/2", Body: "2" }));
  const d = await s3.send(new DeleteObjectCommand({ Bucket, Key: "del/1" }));
  assert.equal(d.$metadata.httpStatusCode, 204);
  const m = await s3.send(new DeleteObjectsCommand({
    Bucket, Delete: { Objects: [{ Key: "del/2" }, { Key: "del/none" }] },
  }));
  assert.deepEqual((m.Deleted || []).map((x) => x.Key).sort(), ["del/2", "del/none"]);
  const r = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: "del/" }));
  assert.equal(r.KeyCount, 0);
});

test("lib-storage Upload: multipart with the SDK's default CRC32 checksums", async () => {
  // 3 parts of 5 MiB + a tail, 4 in parallel: the SDK creates the upload,
  // sends each part with its checksum and completes with the part list.
  const data = randomBytes(16 * 1024 * 1024 + 12345);
  const upload = new Upload({
    client: s3,
    params: { Bucket, Key: "lib-storage/model.bin", Body: Readable.from([data]) },
    partSize: 5 * 1024 * 1024,
    queueSize: 4,
  });
  const done = await upload.done();
  assert.match(done.ETag, /^"[0-9a-f]{32}-4"$/);
  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: "lib-storage/model.bin" }));
  assert.equal(head.ContentLength, data.length);
  assert.equal(head.ETag, done.ETag);
  const got = await s3.send(new GetObjectCommand({ Bucket, Key: "lib-storage/model.bin" }));
  const back = await bodyBytes(got);
  assert.equal(md5(back), md5(data));
  await s3.send(new DeleteObjectCommand({ Bucket, Key: "lib-storage/model.bin" }));
});
