// A minimal reader of SQLite's file format, for the tests that check what
// the database file itself would tell someone holding it (secret polls and
// surveys): the cells of one b-tree leaf page in the order of their byte
// offsets, highest first, which is the order they were written while the
// page was never defragmented.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';

export function varint(b, i) {
  let v = 0n;
  for (let k = 0; k < 8; k++) { const c = b[i + k]; v = (v << 7n) | BigInt(c & 0x7f); if (!(c & 0x80)) return [v, i + k + 1]; }
  return [(v << 8n) | BigInt(b[i + 8]), i + 9];
}

// A record's values: null, integers, text as strings, blobs as Buffers.
export function record(b, i) {
  const [hsz, h0] = varint(b, i); let h = h0; const types = [];
  while (h < i + Number(hsz)) { const [t, n] = varint(b, h); types.push(Number(t)); h = n; }
  let p = i + Number(hsz); const out = [];
  for (const t of types) {
    if (t === 0) { out.push(null); continue; }
    if (t === 8 || t === 9) { out.push(t - 8); continue; }
    if (t >= 12) {
      const len = (t - (t % 2 ? 13 : 12)) / 2;
      out.push(t % 2 ? b.subarray(p, p + len).toString('utf8') : b.subarray(p, p + len));
      p += len; continue;
    }
    const len = { 1: 1, 2: 2, 3: 3, 4: 4, 5: 6, 6: 8, 7: 8 }[t];
    let v = 0n; for (let k = 0; k < len; k++) v = (v << 8n) | BigInt(b[p + k]);
    out.push(Number(BigInt.asIntN(len * 8, v))); p += len;
  }
  return out;
}

// [{off, rowid (table leaves, else null), values}] of the leaf page root of
// file, in write order.
export function leafCells(file, root) {
  const buf = readFileSync(file);
  let ps = buf.readUInt16BE(16); if (ps === 1) ps = 65536;
  const base = (root - 1) * ps; const hdr = root === 1 ? base + 100 : base;
  const type = buf[hdr];
  assert.ok(type === 0x0a || type === 0x0d, `page ${root} is a leaf (type ${type})`);
  const n = buf.readUInt16BE(hdr + 3); const cells = [];
  for (let k = 0; k < n; k++) {
    const off = buf.readUInt16BE(hdr + 8 + 2 * k);
    let [, i] = varint(buf, base + off); // payload size
    let rowid = null;
    if (type === 0x0d) { let r; [r, i] = varint(buf, i); rowid = Number(r); }
    cells.push({ off, rowid, values: record(buf, i) });
  }
  return cells.sort((a, b) => b.off - a.off);
}

// Just the values of leafCells.
export function leafValues(file, root) {
  return leafCells(file, root).map((c) => c.values);
}
