// Writes reference tensors as safetensors, the format kiln's tests read
// (tests/golden.hpp): an 8-byte little-endian header length, the JSON header
// padded with spaces to a multiple of 8, then float32 little-endian data.
// Values are float32; tfjs tensors are read with dataSync().
'use strict';
const fs = require('fs');
const path = require('path');

// tensors: [[name, tfjs tensor or {shape, data}], ...] in file order;
// metadata: string -> string (configs as JSON text, notes).
function writeSafetensors(file, tensors, metadata = {}) {
  const header = { __metadata__: metadata };
  const blobs = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    const shape = Array.from(t.shape);
    const values = Float32Array.from(t.dataSync ? t.dataSync() : t.data);
    const bytes = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => bytes.writeFloatLE(v, i * 4));
    header[name] = { dtype: 'F32', shape, data_offsets: [offset, offset + bytes.length] };
    blobs.push(bytes);
    offset += bytes.length;
  }
  let text = JSON.stringify(header);
  text += ' '.repeat((8 - (Buffer.byteLength(text) % 8)) % 8);
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(Buffer.byteLength(text)));
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.concat([length, Buffer.from(text), ...blobs]));
}

// Uniform values in [lo, hi) from a seeded generator (mulberry32), so a rerun
// writes the same bytes.
function seededUniform(seed, lo = -1, hi = 1) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return lo + (hi - lo) * (((t ^ (t >>> 14)) >>> 0) / 4294967296);
  };
}

module.exports = { writeSafetensors, seededUniform };
